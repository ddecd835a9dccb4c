using System.Buffers;
using System.Text;

namespace RedisPanel.Protocol.Tests;

/// <summary>The observable result of one <see cref="RespParser.Parse"/> call, comparable across runs.</summary>
public sealed record ParseRun(ParseStatus Status, string? Error, long Consumed, IReadOnlyList<byte[][]> Commands)
{
    public static ParseRun Of(ReadOnlySequence<byte> input, ParserLimits? limits = null)
    {
        var batch = new CommandBatch();
        var status = RespParser.Parse(input, batch, limits ?? ParserLimits.Default, out var consumed, out string? error);
        var commands = new List<byte[][]>();
        var args = new ArgList();
        for (int i = 0; i < batch.Count; i++)
        {
            batch.GetCommand(i, args);
            commands.Add(args.ToArrays());
        }
        return new ParseRun(status, error, input.Slice(0, consumed).Length, commands);
    }

    public static ParseRun Of(byte[] input, ParserLimits? limits = null) => Of(new ReadOnlySequence<byte>(input), limits);

    public static ParseRun Of(string latin1, ParserLimits? limits = null) => Of(Encoding.Latin1.GetBytes(latin1), limits);

    /// <summary>Same status, error, consumed length and commands (argument bytes).</summary>
    public bool SameAs(ParseRun other) =>
        Status == other.Status && Error == other.Error && Consumed == other.Consumed &&
        Commands.Count == other.Commands.Count &&
        Commands.Zip(other.Commands).All(p => p.First.Length == p.Second.Length &&
                                              p.First.Zip(p.Second).All(a => a.First.AsSpan().SequenceEqual(a.Second)));

    public override string ToString() =>
        $"{Status} error={Error ?? "-"} consumed={Consumed} commands=[{string.Join(", ", Commands.Select(c => "[" + string.Join(" ", c.Select(a => Escape(a))) + "]"))}]";

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in bytes.Length > 200 ? bytes[..200] : bytes)
            sb.Append(b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        if (bytes.Length > 200) sb.Append($"...(+{bytes.Length - 200})");
        return sb.Append('"').ToString();
    }
}

/// <summary>Builds <see cref="ReadOnlySequence{T}"/>s of arbitrary segment shapes (as a pipe may deliver them).</summary>
public static class Segments
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }

    /// <summary>A sequence cut at the given lengths (the rest forms the last segment).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, IEnumerable<int> lengths)
    {
        if (data.Length == 0) return ReadOnlySequence<byte>.Empty;
        Segment? first = null, last = null;
        int pos = 0;
        foreach (int len in lengths.Append(int.MaxValue))
        {
            if (pos >= data.Length) break;
            int n = Math.Clamp(len, 1, data.Length - pos);
            // Copy each piece so a parser reading across segments cannot see its neighbours by accident.
            last = new Segment(data.AsSpan(pos, n).ToArray(), last);
            first ??= last;
            pos += n;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    public static ReadOnlySequence<byte> OneByte(byte[] data) => Split(data, Enumerable.Repeat(1, data.Length));

    public static ReadOnlySequence<byte> Random(byte[] data, Random rng)
    {
        var lengths = new List<int>();
        for (int total = 0; total < data.Length;)
        {
            int n = rng.Next(1, Math.Max(2, Math.Min(data.Length, 64)));
            lengths.Add(n);
            total += n;
        }
        return Split(data, lengths);
    }
}
