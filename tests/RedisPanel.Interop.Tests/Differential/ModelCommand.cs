// One generated command of the randomized model test and how its reply is compared. Most replies are compared
// byte for byte; a few commands have replies Redis itself does not define (hash-table order, random picks,
// clock readings), and each of those is compared in the strongest form that is still deterministic.
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Differential;

/// <summary>How a reply is compared between redis-server and our node.</summary>
public enum ReplyCheck
{
    /// <summary>Byte for byte.</summary>
    Exact,

    /// <summary>An aggregate whose element order is hash-table order (SMEMBERS, KEYS, SINTER...): sorted multiset.</summary>
    Sorted,

    /// <summary>A flat RESP2 field/value array in hash order (HGETALL): sorted as pairs. RESP3 maps are pairs already.</summary>
    SortedPairs,

    /// <summary>[cursor, elements] of a one-call SCAN with a large COUNT: cursor exact, elements as a sorted multiset.</summary>
    Scan,

    /// <summary>Like <see cref="Scan"/> with field/value (member/score) pairs.</summary>
    ScanPairs,

    /// <summary>
    /// Random picks (RANDOMKEY, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER): the reply's shape only — its type, null or
    /// not, an aggregate's length, an error's first word.
    /// </summary>
    Shape,

    /// <summary>
    /// Clock readings (TTL, PTTL, EXPIRETIME, PEXPIRETIME): integers within a tolerance when both are &gt;= 0. The
    /// tolerance grows by the run's slack: each server sets and reads a TTL at its own moment, so two readings can
    /// differ by as much as the longest stall between sending a command to redis-server and our node's reply.
    /// </summary>
    Tolerance,

    /// <summary>Sent and read; not compared (HELLO carries the connection id).</summary>
    NoReply,
}

/// <summary>A generated command.</summary>
/// <param name="Args">Arguments as Latin-1 strings (so any byte 0..255 can appear).</param>
/// <param name="Check">How the reply is compared.</param>
/// <param name="Tolerance">For <see cref="ReplyCheck.Tolerance"/>: the largest allowed difference (in the reply's
/// unit) before the run's slack is added.</param>
/// <param name="AwaitExpiry">
/// A key given a sub-second TTL by this command: the runner polls both servers until the key is gone before the
/// next command, so no later reply depends on how fast each server was.
/// </param>
public sealed record ModelCommand(string[] Args, ReplyCheck Check = ReplyCheck.Exact, long Tolerance = 0, string? AwaitExpiry = null)
{
    public byte[][] Bytes() => Args.Select(Encoding.Latin1.GetBytes).ToArray();

    public string Name => Args[0].ToUpperInvariant();

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var a in Args)
        {
            if (sb.Length > 0) sb.Append(' ');
            bool plain = a.Length > 0 && a.All(c => c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\');
            sb.Append(plain ? a : RespFraming.Escape(Encoding.Latin1.GetBytes(a)));
        }
        if (Check != ReplyCheck.Exact) sb.Append("   [").Append(Check).Append(Check == ReplyCheck.Tolerance ? " ±" + Tolerance : "").Append(']');
        return sb.ToString();
    }
}

/// <summary>Compares two replies under a <see cref="ReplyCheck"/>.</summary>
public static class ModelReplies
{
    /// <param name="slackMs">Time skew the two servers may have seen (for <see cref="ReplyCheck.Tolerance"/>).</param>
    public static bool Same(ModelCommand cmd, byte[] real, byte[] ours, long slackMs = 0) => cmd.Check switch
    {
        ReplyCheck.NoReply => true,
        ReplyCheck.Sorted => Eq(SortedGroups(real, 1), SortedGroups(ours, 1)),
        ReplyCheck.SortedPairs => Eq(SortedGroups(real, 2), SortedGroups(ours, 2)),
        ReplyCheck.Scan => Eq(SortedScan(real, 1), SortedScan(ours, 1)),
        ReplyCheck.ScanPairs => Eq(SortedScan(real, 2), SortedScan(ours, 2)),
        ReplyCheck.Shape => Shape(real) == Shape(ours),
        ReplyCheck.Tolerance => WithinTolerance(real, ours, cmd.Tolerance + (cmd.Name is "TTL" or "EXPIRETIME" ? (slackMs + 999) / 1000 : slackMs)),
        _ => Eq(real, ours),
    };

    /// <summary>EXEC's reply: element i compared under queued command i's check.</summary>
    public static bool SameExec(IReadOnlyList<ModelCommand> queued, byte[] real, byte[] ours, long slackMs = 0)
    {
        if (Eq(real, ours)) return true;
        var r = RespFraming.SplitAggregate(real);
        var o = RespFraming.SplitAggregate(ours);
        if (r is null || o is null || !Eq(r.Value.Header, o.Value.Header) || r.Value.Elements.Count != queued.Count) return false;
        for (int i = 0; i < queued.Count; i++)
            if (!Same(queued[i], r.Value.Elements[i], o.Value.Elements[i], slackMs)) return false;
        return true;
    }

    private static bool Eq(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);

    /// <summary>
    /// The aggregate with its elements sorted in groups of <paramref name="group"/> (a RESP3 map's entries are
    /// already key+value, so maps are sorted by entry).
    /// </summary>
    public static byte[] SortedGroups(byte[] reply, int group)
    {
        var split = RespFraming.SplitAggregate(reply);
        if (split is null) return reply;
        var (header, elements) = split.Value;
        if (reply[0] == (byte)'%') group = 1;
        var groups = new List<byte[]>();
        for (int i = 0; i < elements.Count; i += group)
            groups.Add(elements.Skip(i).Take(group).SelectMany(e => e).ToArray());
        groups.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var ms = new MemoryStream();
        ms.Write(header);
        foreach (var g in groups) ms.Write(g);
        return ms.ToArray();
    }

    private static byte[] SortedScan(byte[] reply, int group)
    {
        var split = RespFraming.SplitAggregate(reply);
        if (split is null || split.Value.Elements.Count != 2) return reply;
        var ms = new MemoryStream();
        ms.Write(split.Value.Header);
        ms.Write(split.Value.Elements[0]);
        ms.Write(SortedGroups(split.Value.Elements[1], group));
        return ms.ToArray();
    }

    /// <summary>Type byte; for errors the first word; for bulk strings whether null; for aggregates the header.</summary>
    public static string Shape(byte[] reply)
    {
        if (reply.Length == 0) return "";
        int lineEnd = reply.AsSpan().IndexOf("\r\n"u8);
        string line = Encoding.Latin1.GetString(reply, 0, lineEnd < 0 ? reply.Length : lineEnd);
        return reply[0] switch
        {
            (byte)'-' => RespFraming.TypeOf(reply),
            (byte)'$' => line == "$-1" ? "$-1" : "$",
            (byte)'*' or (byte)'~' or (byte)'%' or (byte)'>' => line,
            _ => line[..1],
        };
    }

    private static bool WithinTolerance(byte[] real, byte[] ours, long tolerance)
    {
        if (Eq(real, ours)) return true;
        if (!TryInteger(real, out long a) || !TryInteger(ours, out long b)) return false;
        return a >= 0 && b >= 0 && Math.Abs(a - b) <= tolerance;
    }

    public static bool TryInteger(byte[] reply, out long value)
    {
        value = 0;
        return reply.Length > 3 && reply[0] == (byte)':' && long.TryParse(Encoding.ASCII.GetString(reply, 1, reply.Length - 3), out value);
    }

    /// <summary>The elements of an array of bulk strings (KEYS' reply).</summary>
    public static List<byte[]> BulkElements(byte[] reply)
    {
        var list = new List<byte[]>();
        var split = RespFraming.SplitAggregate(reply) ?? throw new InvalidDataException("not an array: " + RespFraming.Escape(reply));
        foreach (var e in split.Elements)
        {
            if (e[0] != (byte)'$') throw new InvalidDataException("not a bulk string: " + RespFraming.Escape(e));
            int lineEnd = e.AsSpan().IndexOf("\r\n"u8);
            list.Add(e[(lineEnd + 2)..^2]);
        }
        return list;
    }
}
