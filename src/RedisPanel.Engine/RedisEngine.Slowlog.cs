// The slow log (Redis's src/slowlog.c): every call slower than slowlog-log-slower-than microseconds is kept,
// newest first, up to slowlog-max-len entries. Recorded from the dispatcher's AfterCallHook.
using System.Diagnostics;
using System.Text;

namespace RedisPanel.Engine;

/// <summary>One slow log entry, as SLOWLOG GET returns it.</summary>
public sealed record SlowlogEntry(long Id, long UnixSeconds, long Microseconds, byte[][] Args, string PeerId, string ClientName);

public sealed partial class RedisEngine
{
    // Redis's SLOWLOG_ENTRY_MAX_ARGC / SLOWLOG_ENTRY_MAX_STRING.
    private const int SlowlogMaxArgc = 32;
    private const int SlowlogMaxString = 128;

    private readonly LinkedList<SlowlogEntry> _slowlog = new();
    private long _slowlogNextId;

    /// <summary>Entries, newest first.</summary>
    public IEnumerable<SlowlogEntry> Slowlog => _slowlog;

    public int SlowlogLength => _slowlog.Count;

    public void SlowlogReset() => _slowlog.Clear();

    partial void AfterCallHook(CommandContext ctx, int db, long elapsedTicks)
    {
        long threshold = Config.SlowlogLogSlowerThan;
        if (threshold < 0) return; // disabled
        var def = ctx.Command;
        // A blocked client is logged when it is served (Redis skips the call that blocked).
        if (ctx.Client.Has(ClientFlags.Blocked)) return;
        if (((def.Flags | (def.Parent?.Flags ?? CommandFlags.None)) & CommandFlags.SkipSlowlog) != 0) return;
        long micros = elapsedTicks * 1_000_000 / Stopwatch.Frequency;
        if (micros >= threshold) _slowlog.AddFirst(CreateSlowlogEntry(ctx, micros));
        while (_slowlog.Count > Config.SlowlogMaxLen) _slowlog.RemoveLast();
    }

    private SlowlogEntry CreateSlowlogEntry(CommandContext ctx, long micros)
    {
        var args = ctx.Args;
        int argc = Math.Min(args.Count, SlowlogMaxArgc);
        var kept = new byte[argc][];
        for (int j = 0; j < argc; j++)
        {
            if (argc != args.Count && j == argc - 1)
            {
                kept[j] = Encoding.ASCII.GetBytes($"... ({args.Count - argc + 1} more arguments)");
                continue;
            }
            if (IsRedacted(args, j))
            {
                kept[j] = "(redacted)"u8.ToArray();
                continue;
            }
            var a = args[j];
            if (a.Length > SlowlogMaxString)
            {
                var b = new byte[SlowlogMaxString];
                a[..SlowlogMaxString].CopyTo(b);
                kept[j] = [.. b, .. Encoding.ASCII.GetBytes($"... ({a.Length - SlowlogMaxString} more bytes)")];
            }
            else kept[j] = a.ToArray();
        }
        return new SlowlogEntry(_slowlogNextId++, Keyspace.NowMs / 1000, micros, kept, ctx.Client.Address, ctx.Client.Name);
    }

    /// <summary>AUTH's arguments and HELLO's AUTH user/password are shown as "(redacted)" in the slow log and
    /// MONITOR, like Redis's redactClientCommandArgument.</summary>
    private static bool IsRedacted(RedisPanel.Protocol.ArgList args, int j)
    {
        if (j >= 1 && args.Is(0, "auth")) return true;
        if (!args.Is(0, "hello")) return false;
        for (int i = 2; i < args.Count - 2; i++)
            if (args.Is(i, "auth") && (j == i + 1 || j == i + 2)) return true;
        return false;
    }
}
