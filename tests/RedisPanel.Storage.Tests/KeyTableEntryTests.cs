// The 24-byte KeyTable entry: an 8-bit hash tag + 24-bit access clock instead of the full hash (recomputed from
// the key on resize). Lookups must still find every key through grow and shrink, the access clock must keep its
// 24 bits apart from the tag, and a clock write on a frozen table must not reach the snapshot's view.
using System.Text;
using Xunit;

namespace RedisPanel.Storage.Tests;

public class KeyTableEntryTests
{
    private static byte[] K(int i) => Encoding.ASCII.GetBytes($"key:{i}");

    [Fact]
    public void EveryKeyIsFoundThroughGrowAndShrink()
    {
        var t = new KeyTable<long>();
        const int n = 50_000; // 50k keys in chains of mixed tags: many share a tag (256 values)
        for (int i = 0; i < n; i++) t.Set(K(i), i);
        Assert.Equal(n, t.Count);
        for (int i = 0; i < n; i++) Assert.True(t.TryGetValue(K(i), out long v) && v == i, $"key {i}");
        Assert.False(t.ContainsKey("missing"u8));
        for (int i = 0; i < n; i += 2) Assert.True(t.Remove(K(i)));
        for (int i = 0; i < n - 100; i++) t.Remove(K(i)); // shrinks the buckets several times
        Assert.Equal(50, t.Count);
        for (int i = n - 100; i < n; i++) Assert.Equal(i % 2 == 1, t.ContainsKey(K(i)));
    }

    [Fact]
    public void ScanVisitsEveryKeyOnceAcrossAResize()
    {
        var t = new KeyTable<long>();
        for (int i = 0; i < 1000; i++) t.Set(K(i), i);
        var seen = new HashSet<string>();
        ulong cursor = 0;
        int steps = 0;
        do
        {
            cursor = t.ScanStep(cursor, (k, _) => seen.Add(Encoding.ASCII.GetString(k)));
            if (++steps == 100) for (int i = 1000; i < 3000; i++) t.Set(K(i), i); // grow mid-scan
            Assert.True(steps < 100_000);
        } while (cursor != 0);
        for (int i = 0; i < 1000; i++) Assert.Contains($"key:{i}", seen);
    }

    [Fact]
    public void AccessClockKeepsTwentyFourBitsAndSurvivesResize()
    {
        var t = new KeyTable<ValueSlot>();
        t.GetOrAdd("a"u8, 0x12345678u, out bool existed).Value = "x";
        Assert.False(existed);
        Assert.True(t.TryGetAccessClock("a"u8, out uint clock));
        Assert.Equal(0x345678u, clock);
        for (int i = 0; i < 5000; i++) t.GetOrAdd(K(i), out _).Value = "y";
        Assert.True(t.TryGetAccessClock("a"u8, out clock));
        Assert.Equal(0x345678u, clock);
        Assert.Equal("x", t.Find("a"u8, 7).Value);
        Assert.True(t.TryGetAccessClock("a"u8, out clock));
        Assert.Equal(7u, clock);
        Assert.True(t.SetAccessClock("a"u8, 0xFFFFFF));
        Assert.True(t.TryGetAccessClock("a"u8, out clock));
        Assert.Equal(0xFFFFFFu, clock);
        Assert.Equal("x", t.Find("a"u8).Value); // the tag bits were not disturbed
        Assert.False(t.SetAccessClock("nope"u8, 1));
        Assert.False(t.TryGetAccessClock("nope"u8, out _));
    }

    [Fact]
    public void ClockWritesOnAFrozenTableDoNotReachTheView()
    {
        var live = new KeyTable<ValueSlot>();
        live.GetOrAdd("a"u8, 10u, out _).Value = "x";
        var counter = new SnapshotCounter();
        counter.Acquire();
        var view = live.Freeze(counter);
        live.Find("a"u8, 20);
        live.SetAccessClock("a"u8, 30);
        Assert.True(view.TryGetAccessClock("a"u8, out uint clock));
        Assert.Equal(10u, clock);
        Assert.True(live.TryGetAccessClock("a"u8, out clock));
        Assert.Equal(30u, clock);
        Assert.Throws<InvalidOperationException>(() => view.SetAccessClock("a"u8, 1));
        counter.Release();
    }

    [Fact]
    public void IdleSecondsWrapsLikeRedis()
    {
        Assert.Equal(5, RedisDatabase.IdleSeconds(15, 10));
        Assert.Equal(0, RedisDatabase.IdleSeconds(10, 10));
        // The clock wrapped past 2^24 since the access: estimateObjectIdleTime's second branch.
        Assert.Equal(3 + (0xFFFFFF - 0xFFFFFE), RedisDatabase.IdleSeconds(0x1000003, 0xFFFFFE));
    }
}
