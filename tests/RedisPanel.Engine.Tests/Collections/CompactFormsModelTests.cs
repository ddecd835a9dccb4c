// Randomized model checks of the memory-lean storage forms: the packed listpack byte[] of RedisHash (insertion
// order, closing gaps, values of every length class of the varint prefix) and the skiplist of RedisSortedSet with
// an inline level 0 and a header that grows with the set's level (ranks, order and ranges after many inserts,
// score updates and deletes). Each compares against a plain model after every operation.
using System.Text;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Tests.Collections;

public class CompactFormsModelTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    private static string S(byte[] b) => Encoding.ASCII.GetString(b);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Packed_hash_matches_an_insertion_ordered_model(int seed)
    {
        var random = new Random(seed);
        // Values up to 300 bytes: 1- and 2-byte length prefixes, growing and shrinking rewrites in place.
        var limits = new EncodingLimits { HashMaxListpackEntries = 10_000, HashMaxListpackValue = 1_000 };
        var hash = new RedisHash();
        var model = new List<(string Field, string Value)>();
        for (int op = 0; op < 3000; op++)
        {
            string field = "f" + random.Next(40);
            int at = model.FindIndex(e => e.Field == field);
            if (random.Next(4) == 0)
            {
                Assert.Equal(at >= 0, hash.Remove(B(field)));
                if (at >= 0) model.RemoveAt(at);
            }
            else
            {
                string value = new('a', random.Next(random.Next(3) == 0 ? 300 : 10));
                value += op;
                Assert.Equal(at < 0, hash.Set(B(field), B(value), limits));
                if (at >= 0) model[at] = (field, value);
                else model.Add((field, value));
            }
            Assert.True(hash.IsListpack);
            Assert.Equal(model.Count, hash.Count);
            Assert.Equal(model, hash.Entries().Select(e => (S(e.Field), S(e.Value))).ToList());
            for (int i = 0; i < model.Count; i++)
            {
                Assert.Equal(model[i].Value, S(hash.Get(B(model[i].Field))!));
                Assert.Equal(model[i], (S(hash.EntryAt(i).Field), S(hash.EntryAt(i).Value)));
            }
            Assert.Null(hash.Get(B("absent")));
        }
        var clone = (RedisHash)hash.DeepClone();
        hash.Set(B("after-clone"), B("x"), limits);
        Assert.Equal(model, clone.Entries().Select(e => (S(e.Field), S(e.Value))).ToList());
    }

    [Fact]
    public void Packed_hash_converts_to_a_table_with_every_entry_past_the_entry_limit()
    {
        var limits = new EncodingLimits { HashMaxListpackEntries = 5 };
        var hash = new RedisHash();
        for (int i = 0; i < 5; i++) hash.Set(B("f" + i), B("v" + i), limits);
        Assert.True(hash.IsListpack);
        hash.Set(B("f5"), B("v5"), limits);
        Assert.False(hash.IsListpack);
        Assert.Equal(6, hash.Count);
        for (int i = 0; i < 6; i++) Assert.Equal("v" + i, S(hash.Get(B("f" + i))!));
    }

    [Theory]
    [InlineData(1, 600)]
    [InlineData(2, 600)]
    [InlineData(3, 8)] // never past the table-less size: every lookup walks level 0
    public void Skiplist_matches_a_sorted_model_through_inserts_updates_and_deletes(int seed, int members)
    {
        var random = new Random(seed);
        var zset = new RedisSortedSet();
        var model = new Dictionary<string, double>();
        for (int op = 0; op < 4000; op++)
        {
            // Up to 600 members so the levels (and the header) grow, then shrink back as members go.
            string member = "m" + random.Next(op < 2500 ? members : Math.Min(members, 60));
            if (op >= 2500 || random.Next(5) == 0)
            {
                Assert.Equal(model.Remove(member), zset.Remove(B(member)));
            }
            else
            {
                double score = random.Next(50);
                zset.Add(B(member), ref score);
                model[member] = score;
            }
            if (op % 50 != 0 && op < 3990) continue;
            Assert.False(zset.TryGetScore(B("absent"), out _));
            Assert.Equal(-1, zset.RankOf(B("absent")));
            var sorted = model.OrderBy(kv => kv.Value).ThenBy(kv => B(kv.Key), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
            Assert.Equal(sorted.Count, zset.Count);
            Assert.Equal(sorted.Select(kv => (kv.Key, kv.Value)), zset.Ascending().Select(n => (S(n.Member), n.Score)));
            var backwards = new List<string>();
            for (var n = zset.Last; n is not null; n = n.Previous) backwards.Add(S(n.Member));
            Assert.Equal(sorted.Select(kv => kv.Key).Reverse(), backwards);
            for (int i = 0; i < sorted.Count; i++)
            {
                Assert.Equal(i, zset.RankOf(B(sorted[i].Key)));
                Assert.True(zset.TryGetScore(B(sorted[i].Key), out double score));
                Assert.Equal(sorted[i].Value, score);
                Assert.Equal(sorted[i].Key, S(zset.ByRank(i)!.Member));
            }
            var range = new ScoreRange(10, 20, false, true);
            var inRange = sorted.Where(kv => kv.Value >= 10 && kv.Value < 20).ToList();
            Assert.Equal(inRange.FirstOrDefault().Key, zset.FirstInRange(range) is { } f ? S(f.Member) : null);
            Assert.Equal(inRange.LastOrDefault().Key, zset.LastInRange(range) is { } l ? S(l.Member) : null);
        }
        // The member table, built on demand for a small set, holds every member.
        Assert.Equal(model.Count, zset.Members.Count);
        foreach (var member in model.Keys) Assert.True(zset.Members.ContainsKey(B(member)));
    }
}
