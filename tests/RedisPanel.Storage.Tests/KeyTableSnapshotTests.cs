// Copy-on-write key tables (KeyTable.Freeze, Keyspace.TakeSnapshot): a frozen view keeps its instant while the
// live table is written, grown, rehashed, shrunk and cleared, and a released snapshot stops the copying.
using System.Text;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Storage.Tests;

public class KeyTableSnapshotTests
{
    private static byte[] K(int i) => Encoding.ASCII.GetBytes("key:" + i);

    private static Dictionary<string, int> Contents(KeyTable<int> t)
        => t.Entries().ToDictionary(kv => Encoding.ASCII.GetString(kv.Key), kv => kv.Value);

    private static KeyTable<int> Filled(int n)
    {
        var t = new KeyTable<int>();
        for (int i = 0; i < n; i++) t.Set(K(i), i);
        return t;
    }

    [Theory]
    [InlineData(3)]        // one small chunk
    [InlineData(5000)]     // several entry chunks, two bucket chunks
    [InlineData(70000)]    // many chunks of both kinds
    public void A_frozen_view_keeps_its_contents_while_the_live_table_changes(int n)
    {
        var counter = new SnapshotCounter();
        var live = Filled(n);
        var expected = Contents(live);
        counter.Acquire();
        var view = live.Freeze(counter);

        // Overwrites through Find and GetOrAdd, deletes, re-adds into freed slots, then growth past a rehash,
        // mirrored in a model dictionary.
        var model = new Dictionary<string, int>(expected);
        for (int i = 0; i < n; i += 2)
        {
            live.Find(K(i)) = -i;
            model["key:" + i] = -i;
        }
        for (int i = 1; i < n; i += 3)
        {
            Assert.True(live.Remove(K(i)));
            model.Remove("key:" + i);
        }
        for (int i = 1; i < n; i += 6)
        {
            live.Set(K(i), 7);
            model["key:" + i] = 7;
        }
        for (int i = n; i < 3 * n + 10; i++)
        {
            live.Set(K(i), i);
            model["key:" + i] = i;
        }

        Assert.Equal(expected, Contents(view));
        Assert.Equal(n, view.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.True(view.TryGetValue(K(i), out int v));
            Assert.Equal(i, v);
        }
        Assert.False(view.ContainsKey(K(n)));
        Assert.Equal(model, Contents(live));
        Assert.Equal(model.Count, live.Count);
        counter.Release();
    }

    [Fact]
    public void A_frozen_view_survives_shrinking_and_clearing_of_the_live_table()
    {
        var counter = new SnapshotCounter();
        var live = Filled(20000);
        var expected = Contents(live);
        counter.Acquire();
        var view = live.Freeze(counter);
        for (int i = 0; i < 19990; i++) live.Remove(K(i)); // shrinks (rehash) several times
        Assert.Equal(10, live.Count);
        Assert.Equal(expected, Contents(view));
        live.Clear();
        live.Set(K(1), 100);
        Assert.Equal(expected, Contents(view));
        counter.Release();
    }

    [Fact]
    public void Scan_over_a_frozen_view_returns_every_key()
    {
        var counter = new SnapshotCounter();
        var live = Filled(9000);
        counter.Acquire();
        var view = live.Freeze(counter);
        for (int i = 0; i < 9000; i++) live.Remove(K(i));
        var seen = new HashSet<string>();
        ulong cursor = 0;
        int steps = 0;
        do
        {
            cursor = view.ScanStep(cursor, (k, _) => seen.Add(Encoding.ASCII.GetString(k)));
            Assert.True(++steps <= view.BucketCount);
        } while (cursor != 0);
        Assert.Equal(9000, seen.Count);
        counter.Release();
    }

    [Fact]
    public void A_frozen_view_refuses_writes()
    {
        var counter = new SnapshotCounter();
        var live = Filled(100);
        counter.Acquire();
        var view = live.Freeze(counter);
        Assert.True(view.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => view.Set(K(1), 5));
        Assert.Throws<InvalidOperationException>(() => view.Set(K(1000), 5));
        Assert.Throws<InvalidOperationException>(() => view.Remove(K(2)));
        Assert.Throws<InvalidOperationException>(() => view.Clear());
        Assert.Equal(Contents(live), Contents(view));
        counter.Release();
    }

    [Fact]
    public void A_second_freeze_after_the_first_is_released_sees_the_new_state_and_keeps_it()
    {
        var counter = new SnapshotCounter();
        var live = Filled(3000);
        counter.Acquire();
        var first = live.Freeze(counter);
        var firstExpected = Contents(live);
        for (int i = 0; i < 3000; i += 2) live.Find(K(i)) = 1;
        counter.Release();
        // Released: writes go in place now, the first view is no longer protected (and no longer read).
        for (int i = 1; i < 3000; i += 2) live.Find(K(i)) = 2;
        var secondExpected = Contents(live);
        counter.Acquire();
        var second = live.Freeze(counter);
        for (int i = 0; i < 3000; i++) live.Find(K(i)) = 3;
        live.Remove(K(5));
        Assert.Equal(secondExpected, Contents(second));
        counter.Release();
        Assert.NotEqual(firstExpected, secondExpected);
    }

    [Fact]
    public void Two_open_snapshots_each_keep_their_own_instant()
    {
        var counter = new SnapshotCounter();
        var live = Filled(4000);
        counter.Acquire();
        var a = live.Freeze(counter);
        var aExpected = Contents(live);
        for (int i = 0; i < 4000; i += 3) live.Find(K(i)) = -1;
        var bExpected = Contents(live);
        counter.Acquire();
        var b = live.Freeze(counter);
        for (int i = 0; i < 4000; i++) live.Find(K(i)) = -2;
        Assert.Equal(aExpected, Contents(a));
        Assert.Equal(bExpected, Contents(b));
        counter.Release();
        counter.Release();
    }

    [Fact]
    public async Task A_reader_thread_sees_a_stable_view_while_the_owner_writes()
    {
        var counter = new SnapshotCounter();
        var live = Filled(50000);
        var expected = Contents(live);
        counter.Acquire();
        var view = live.Freeze(counter);
        var reader = Task.Run(() => Contents(view));
        for (int round = 0; round < 3; round++)
            for (int i = 0; i < 60000; i++)
                if (i % 5 == 0) live.Remove(K(i)); else live.Set(K(i), round);
        Assert.Equal(expected, await reader.WaitAsync(TimeSpan.FromSeconds(60)));
        counter.Release();
    }

    private sealed class FakeClock(long startMs) : TimeProvider
    {
        public long NowMs = startMs;
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
    }

    [Fact]
    public void Keyspace_snapshot_keeps_keys_and_ttls_through_expiry_deletes_and_flushall()
    {
        var clock = new FakeClock(1_700_000_000_000);
        var ks = new Keyspace(16, clock);
        for (int i = 0; i < 5000; i++)
        {
            ks[0].Set(K(i), Encoding.ASCII.GetBytes("v" + i));
            if (i % 4 == 0) ks[0].SetExpire(K(i), clock.NowMs + 1000 + i);
        }
        ks[3].Set(K(1), new byte[] { 1 });
        byte[] before = DatasetDigest.Compute(ks);
        var snap = ks.TakeSnapshot();
        Assert.Equal(1, ks.ActiveSnapshots);

        clock.NowMs += 10_000; // every TTL is now past
        var random = new Random(7);
        for (int round = 0; round < 100 && ks[0].ExpiresCount > 0; round++) ks[0].ActiveExpireStep(random, 200);
        Assert.Equal(0, ks[0].ExpiresCount);
        for (int i = 1; i < 5000; i += 4) ks[0].Remove(K(i));
        for (int i = 2; i < 5000; i += 4) ks[0].SetExpire(K(i), clock.NowMs + 5);
        ks.FlushAll();
        ks[0].Set(K(0), new byte[] { 9 });

        var ms = new MemoryStream();
        var w = new RdbWriter(ms);
        w.WriteHeader(new RdbSaveInfo());
        w.WriteDatabases(snap);
        w.WriteEnd();
        snap.Dispose();
        Assert.Equal(0, ks.ActiveSnapshots);

        var loaded = new Keyspace(16, clock);
        RdbReader.Load(ms.ToArray(), "snapshot", loaded, new RdbLoadOptions { SkipExpired = false });
        Assert.Equal(5001, loaded.TotalKeys());
        Assert.Equal(1250, loaded[0].ExpiresCount);
        Assert.Equal(Convert.ToHexString(before), Convert.ToHexString(DatasetDigest.Compute(loaded)));
    }
}
