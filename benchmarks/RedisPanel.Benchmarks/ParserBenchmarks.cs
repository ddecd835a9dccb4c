// Parser cost of a pipelined batch, as one read of redis-benchmark -P 16 delivers it.
using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using RedisPanel.Protocol;

namespace RedisPanel.Benchmarks;

[MemoryDiagnoser]
public class ParserBenchmarks
{
    private readonly CommandBatch _batch = new();
    private ReadOnlySequence<byte> _sets16;
    private ReadOnlySequence<byte> _sets16Segmented;

    [GlobalSetup]
    public void Setup()
    {
        // 16 x SET k64:<12 digits> <64 bytes>: the shape of compare.sh's SET_P16_d64 workload.
        var sb = new StringBuilder();
        string value = new('x', 64);
        for (int i = 0; i < 16; i++)
        {
            string key = $"k64:{i * 7919:D12}";
            sb.Append($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n${value.Length}\r\n{value}\r\n");
        }
        byte[] bytes = Encoding.ASCII.GetBytes(sb.ToString());
        _sets16 = new ReadOnlySequence<byte>(bytes);
        _sets16Segmented = Segments.Split(bytes, 512); // a read that spans pipe segments
    }

    /// <summary>One batch of 16 SETs (report is per batch: divide by 16 for per-command cost).</summary>
    [Benchmark(Baseline = true)]
    public int Parse16Sets() => Parse(_sets16);

    [Benchmark]
    public int Parse16SetsSegmented() => Parse(_sets16Segmented);

    private int Parse(ReadOnlySequence<byte> input)
    {
        _batch.Clear();
        RespParser.Parse(input, _batch, ParserLimits.Default, out _, out _);
        return _batch.Count;
    }
}

/// <summary>Builds a multi-segment sequence (pipe segments are 4 KB in Kestrel; smaller here to force crossings).</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] data, int size)
    {
        var first = new Segments(data.AsMemory(0, Math.Min(size, data.Length)), 0);
        var last = first;
        for (int pos = size; pos < data.Length; pos += size)
        {
            var next = new Segments(data.AsMemory(pos, Math.Min(size, data.Length - pos)), pos);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
