using System.Text;

namespace RedisPanel.Replication.Tests;

public sealed class BacklogTests
{
    private static byte[] Bytes(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void NewBacklogIsEmptyAndStartsAfterTheCurrentOffset()
    {
        var b = new ReplicationBacklog(16 * 1024, 100);
        Assert.Equal(100, b.Offset);
        Assert.Equal(0, b.HistLen);
        Assert.Equal(101, b.FirstByteOffset);
        Assert.True(b.TryCopyFrom(101, out var none));
        Assert.Empty(none);
        Assert.False(b.Contains(100));
        Assert.False(b.Contains(102));
    }

    [Fact]
    public void SizeIsClampedTo16KB()
    {
        Assert.Equal(16 * 1024, new ReplicationBacklog(100, 0).Size);
        Assert.Equal(1024 * 1024, new ReplicationBacklog(1024 * 1024, 0).Size);
    }

    [Fact]
    public void AppendedBytesAreAddressedByOffset()
    {
        var b = new ReplicationBacklog(0, 0);
        b.Append(Bytes("hello"));
        b.Append(Bytes(" world"));
        Assert.Equal(11, b.Offset);
        Assert.Equal(11, b.HistLen);
        Assert.Equal(1, b.FirstByteOffset);
        Assert.True(b.TryCopyFrom(1, out var all));
        Assert.Equal("hello world", Encoding.ASCII.GetString(all));
        Assert.True(b.TryCopyFrom(7, out var tail));
        Assert.Equal("world", Encoding.ASCII.GetString(tail));
        Assert.True(b.TryCopyFrom(12, out var caughtUp));
        Assert.Empty(caughtUp);
        Assert.False(b.TryCopyFrom(13, out _));
        Assert.False(b.TryCopyFrom(0, out _));
    }

    [Fact]
    public void WrapsAroundAndKeepsOnlyTheLastSizeBytes()
    {
        const int size = 16 * 1024;
        var b = new ReplicationBacklog(size, 0);
        var reference = new List<byte>();
        var rnd = new Random(7);
        for (int i = 0; i < 500; i++)
        {
            var chunk = new byte[rnd.Next(1, 300)];
            rnd.NextBytes(chunk);
            b.Append(chunk);
            reference.AddRange(chunk);
            Assert.Equal(reference.Count, b.Offset);
            Assert.Equal(Math.Min(size, reference.Count), b.HistLen);
            long first = b.FirstByteOffset;
            Assert.Equal(reference.Count - b.HistLen + 1, first);
            // Read from the first byte, from the middle, and from the end.
            foreach (long from in new[] { first, first + b.HistLen / 2, b.Offset, b.Offset + 1 })
            {
                Assert.True(b.TryCopyFrom(from, out var got));
                Assert.Equal(reference.Skip((int)from - 1).ToArray(), got);
            }
            if (reference.Count > size) Assert.False(b.TryCopyFrom(first - 1, out _));
        }
    }

    [Fact]
    public void AChunkLargerThanTheRingKeepsItsTail()
    {
        var b = new ReplicationBacklog(16 * 1024, 5);
        var big = Enumerable.Range(0, 40_000).Select(i => (byte)(i * 31)).ToArray();
        b.Append(big);
        Assert.Equal(5 + 40_000, b.Offset);
        Assert.Equal(16 * 1024, b.HistLen);
        Assert.True(b.TryCopyFrom(b.FirstByteOffset, out var got));
        Assert.Equal(big[^(16 * 1024)..], got);
    }

    [Fact]
    public void WorkedExampleFromTheDigest()
    {
        // A backlog holding 1001..1176: 1088 is served, 1177 gets zero bytes, 1000 and 1178 are refused.
        var b = new ReplicationBacklog(0, 1000);
        b.Append(new byte[176]);
        Assert.Equal(1001, b.FirstByteOffset);
        Assert.Equal(1176, b.Offset);
        Assert.True(b.TryCopyFrom(1088, out var part));
        Assert.Equal(89, part.Length);
        Assert.True(b.Contains(1177));
        Assert.False(b.Contains(1000));
        Assert.False(b.Contains(1178));
    }
}
