using RedisPanel.Storage.Rdb;
using static RedisPanel.Storage.Tests.RdbTestData;

namespace RedisPanel.Storage.Tests;

/// <summary>
/// BGSAVE writes beside a live node: whatever the writer allocates brings a stop-the-world collection into the save
/// (at 1M keys that collection was a 150 ms pause seen by every client). Writing a snapshot must not allocate per key.
/// </summary>
public class RdbWriterAllocationTests
{
    /// <summary>Every value shape the writer walks: strings (plain, integer, LZF, mutable), lists, intsets (16/32/64
    /// bit), table sets, packed and table hashes, packed and skiplist zsets, and TTLs.</summary>
    private static Keyspace Mixed(int keys)
    {
        var ks = NewKeyspace();
        var limits = new EncodingLimits();
        var db = ks[0];
        for (int i = 0; i < keys; i++)
        {
            switch (i % 12)
            {
                case 0: db.Set(B($"key:{i}"), B($"value:{i}")); break;
                case 1: db.Set(B($"int:{i}"), B(i.ToString())); break;
                case 2: db.Set(B($"long:{i}"), B(new string('a', 40) + i)); break;
                case 3: db.Set(B($"mut:{i}"), new MutableString(B($"m{i}"), 8)); break;
                case 4:
                    var list = new RedisList();
                    list.PushTail(B("a")); list.PushTail(B(i.ToString())); list.PushTail(B("c"));
                    db.Set(B($"list:{i}"), list);
                    break;
                case 5:
                    var ints = new RedisSet();
                    ints.Add(B("1"), limits); ints.Add(B((i * 100_003L).ToString()), limits); ints.Add(B((-i * 10_000_000_007L).ToString()), limits);
                    db.Set(B($"ints:{i}"), ints);
                    break;
                case 6:
                    var set = new RedisSet();
                    set.Add(B("a"), limits); set.Add(B("b"), limits); set.Add(B(i.ToString()), limits);
                    db.Set(B($"set:{i}"), set);
                    break;
                case 7:
                    var hash = new RedisHash();
                    hash.Set(B("f1"), B("v1"), limits); hash.Set(B("f2"), B(i.ToString()), limits);
                    db.Set(B($"hash:{i}"), hash);
                    break;
                case 8:
                    var z = new RedisSortedSet();
                    z.Insert(B("a"), 1); z.Insert(B("b"), 2.5); z.Insert(B("c"), i);
                    db.Set(B($"zset:{i}"), z);
                    break;
                case 9:
                    db.Set(B($"ttl:{i}"), B($"v{i}"));
                    db.SetExpire(B($"ttl:{i}"), 4_102_444_800_000 + i);
                    break;
                case 10 when i % 120 == 10:
                    var bigHash = new RedisHash();
                    for (int f = 0; f < 600; f++) bigHash.Set(B($"field{f}"), B($"{f * i}"), limits);
                    db.Set(B($"bighash:{i}"), bigHash);
                    break;
                case 11 when i % 120 == 11:
                    var bigZ = new RedisSortedSet();
                    for (int m = 0; m < 200; m++) bigZ.Insert(B($"member{m}"), m * 0.5);
                    db.Set(B($"bigz:{i}"), bigZ);
                    break;
                default: db.Set(B($"other:{i}"), B("x")); break;
            }
        }
        return ks;
    }

    [Fact]
    public void Writing_a_snapshot_allocates_nothing_per_key()
    {
        const int keys = 24_000;
        var ks = Mixed(keys);
        Assert.Equal("skiplist", ((RedisSortedSet)ks[0].Peek(B("bigz:11"))!).Encoding);
        Assert.Equal("hashtable", ((RedisHash)ks[0].Peek(B("bighash:10"))!).Encoding);
        Assert.Equal("listpack", ((RedisSortedSet)ks[0].Peek(B("zset:8"))!).Encoding);
        var w = new RdbWriter(Stream.Null);
        using var snap = ks.TakeSnapshot();
        w.WriteDatabases(snap); // first pass: JIT, and the writer's reused buffers reach their size

        long before = GC.GetAllocatedBytesForCurrentThread();
        w.WriteDatabases(snap);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2L * keys, snap.KeysWritten);
        // The old writer allocated ~200 B per key here (iterators, copied listpack entries, a skiplist per packed zset).
        Assert.True(allocated < 1024, $"writing {keys} keys allocated {allocated} bytes");
    }

    [Fact]
    public void Packed_and_skiplist_zsets_are_written_identically_from_the_highest_score()
    {
        var packed = new RedisSortedSet();
        var skiplist = new RedisSortedSet(skiplist: true);
        foreach (var z in new[] { packed, skiplist })
        {
            z.Insert(B("b"), 2);
            z.Insert(B("a"), 2);
            z.Insert(B("low"), double.NegativeInfinity);
            z.Insert(B("frac"), 0.25);
            z.Insert(B("high"), 1e300);
        }
        Assert.Equal("listpack", packed.Encoding);
        Assert.Equal("skiplist", skiplist.Encoding);
        byte[] p = RdbWriter.CreateDumpPayload(packed), s = RdbWriter.CreateDumpPayload(skiplist);
        Assert.Equal(Convert.ToHexStringLower(s), Convert.ToHexStringLower(p));
        // Type 5 (ZSET_2), 5 entries, "high" first (rdbSaveObject walks the skiplist from its tail).
        Assert.Equal("05050468696768", Convert.ToHexStringLower(p.AsSpan(0, 7)));
    }
}
