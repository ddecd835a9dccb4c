using System.Globalization;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Tests;

/// <summary>Heap measurements: run alone (no other test allocating meanwhile), see the collection below.</summary>
[CollectionDefinition(nameof(HeapMeasurementCollection), DisableParallelization = true)]
public sealed class HeapMeasurementCollection;

/// <summary>The skiplist form of a big sorted set does not cost more heap per member than it did.</summary>
[Collection(nameof(HeapMeasurementCollection))]
public class SortedSetMemoryTests
{
    [Fact]
    public void A_big_set_costs_at_most_111_bytes_per_member_besides_the_member_bytes()
    {
        // Node (inline levels) + member table entry and bucket, measured as retained heap: 112.1 bytes with the
        // former separate level arrays, 108.7 with inline levels (64-byte one-level nodes, 24 per extra level,
        // ~37 for the table at 100k of 131072 slots). The bound keeps it below the former layout.
        const int count = 100_000;
        var members = new byte[count][];
        for (int i = 0; i < count; i++) members[i] = System.Text.Encoding.ASCII.GetBytes("element:" + i.ToString("D12", CultureInfo.InvariantCulture));
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var z = new RedisSortedSet(skiplist: true);
        for (int i = 0; i < count; i++) z.Insert(members[i], (i * 7919) % count);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(count, z.Count);
        double perMember = (after - before) / (double)count;
        Assert.True(perMember <= 111, $"{perMember:F1} bytes per member");
        Assert.True(perMember >= 64, $"{perMember:F1} bytes per member: the measure is off");
        GC.KeepAlive(members);
    }
}
