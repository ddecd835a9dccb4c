using System.Text;
using RedisPanel.Storage;

namespace RedisPanel.Storage.Tests;

/// <summary>
/// The packed sorted set with its inline buffer: agrees with a plain model through random adds, updates, removals
/// and conversions (inline → array → skiplist, and results packed again), clones never see later writes, node reads
/// (ranges, ranks) follow in-place writes of the inline bytes, and the measured 3-member set is one 56 B object
/// (was a 40 B object plus a 40 B array).
/// </summary>
public class SortedSetInlineTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    private static string S(ReadOnlySpan<byte> b) => Encoding.ASCII.GetString(b);

    private static List<(string, double)> Sorted(Dictionary<string, double> model) =>
        model.OrderBy(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value)).ToList();

    private static List<(string, double)> ViaNodes(RedisSortedSet z) => z.Ascending().Select(n => (S(n.Member), n.Score)).ToList();

    private static List<(string, double)> ViaPacked(RedisSortedSet z)
    {
        var list = new List<(string, double)>();
        var packed = z.Packed;
        Assert.True(packed.IsSet);
        int pos = 0;
        while (packed.Next(ref pos, out var m, out double s)) list.Add((S(m), s));
        return list;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Matches_a_model_through_add_update_remove_and_conversion(int seed)
    {
        var random = new Random(seed);
        var limits = new EncodingLimits { ZsetMaxListpackEntries = 12, ZsetMaxListpackValue = 10 };
        var z = new RedisSortedSet(limits);
        var model = new Dictionary<string, double>();
        for (int step = 0; step < 4000; step++)
        {
            // Few 1-byte members keep the set inline; more or longer ones move it to an array, then a skiplist.
            string m = random.Next(10) switch
            {
                < 6 => ((char)('a' + random.Next(step % 600 < 300 ? 4 : 14))).ToString(),
                < 9 => "m" + random.Next(6),
                _ => new string('L', random.Next(8, 13)),
            };
            double score = random.Next(4) switch
            {
                0 => random.Next(-3, 4),
                1 => random.Next(-3, 4) + 0.5,
                2 => random.Next(1000, 100000),
                _ => random.Next(3),
            };
            switch (random.Next(5))
            {
                case 0:
                    Assert.Equal(model.Remove(m), z.Remove(B(m)));
                    break;
                case 1:
                {
                    double inc = score;
                    var r = z.Add(B(m), ref inc, ZAddFlags.Incr);
                    double expected = (model.TryGetValue(m, out var cur) ? cur : 0) + score;
                    Assert.Equal(!model.ContainsKey(m) ? ZAddResult.Added : expected == cur ? ZAddResult.Unchanged : ZAddResult.Updated, r);
                    model[m] = expected;
                    Assert.Equal(expected, inc);
                    break;
                }
                default:
                {
                    double s = score;
                    var r = z.Add(B(m), ref s);
                    Assert.Equal(!model.TryGetValue(m, out var cur) ? ZAddResult.Added : cur == score ? ZAddResult.Unchanged : ZAddResult.Updated, r);
                    model[m] = score;
                    break;
                }
            }
            Assert.Equal(model.Count, z.Count);
            Assert.Equal(model.TryGetValue(m, out var want), z.TryGetScore(B(m), out var got));
            if (model.ContainsKey(m)) Assert.Equal(want, got);
            var sorted = Sorted(model);
            int rank = sorted.FindIndex(e => e.Item1 == m);
            Assert.Equal(rank, z.RankOf(B(m)));
            if (rank >= 0) Assert.Equal(m, S(z.ByRank(rank)!.Member));
            if (step % 10 == 0)
            {
                Assert.Equal(sorted, ViaNodes(z));
                if (!z.IsSkiplist) Assert.Equal(sorted, ViaPacked(z));
                Assert.Equal(z.IsSkiplist ? "skiplist" : "listpack", z.Encoding);
                var clone = (RedisSortedSet)z.DeepClone();
                double x = -1e6;
                z.Add(B("c"), ref x);
                z.Remove(B("a"));
                Assert.Equal(sorted, ViaNodes(clone));
                if (!clone.IsSkiplist) Assert.Equal(sorted, ViaPacked(clone));
                Assert.Equal(model.Count, clone.Count);
                z = clone; // continue on the clone, as the live value after a snapshot's copy-on-write
            }
            if (model.Count == 0 || (z.IsSkiplist && random.Next(200) == 0))
            {
                // Start over (a deleted key), sometimes from a skiplist result packed again as ZUNIONSTORE does.
                var fresh = new RedisSortedSet(limits, skiplist: true);
                foreach (var (k, v) in model) fresh.Insert(B(k), v);
                fresh.ConvertToListpackIfSmall();
                Assert.Equal(model.Count <= 12 && model.Keys.All(k => k.Length <= 10), !fresh.IsSkiplist);
                z = fresh;
            }
        }
    }

    [Fact]
    public void Node_reads_follow_in_place_writes_of_the_inline_bytes()
    {
        var z = new RedisSortedSet();
        double one = 1, two = 2, three = 3;
        z.Add(B("a"), ref one);
        z.Add(B("b"), ref two);
        z.Add(B("c"), ref three);
        var before = z.First!;
        Assert.Equal("a", S(before.Member));
        Assert.Equal(["a", "b", "c"], z.Ascending().Select(n => S(n.Member)));

        // Same object, same length, new content: the cached view must not be reused.
        double nine = 9;
        z.Add(B("a"), ref nine);
        Assert.Equal(["b", "c", "a"], z.Ascending().Select(n => S(n.Member)));
        Assert.Equal("b", S(z.First!.Member));
        Assert.Equal(2, z.RankOf(z.Last!));
        // The node handed out earlier still describes the version it was read from.
        Assert.Equal(1, before.Score);

        // Two sets with equal bytes read alike; a write to one is not seen by the other.
        var y = new RedisSortedSet();
        y.Add(B("b"), ref two);
        y.Add(B("c"), ref three);
        y.Add(B("a"), ref nine);
        Assert.Equal(z.Ascending().Select(n => S(n.Member)), y.Ascending().Select(n => S(n.Member)));
        y.Remove(B("c"));
        Assert.Equal(["b", "c", "a"], z.Ascending().Select(n => S(n.Member)));
        Assert.Equal(["b", "a"], y.Ascending().Select(n => S(n.Member)));

        // Growing past the inline buffer moves to an array; shrinking moves back; content kept throughout.
        double big = 2.5;
        z.Add(B("long-member"), ref big);
        Assert.Equal(["b", "long-member", "c", "a"], z.Ascending().Select(n => S(n.Member)));
        Assert.Equal(4, z.Count);
        Assert.True(z.Remove(B("long-member")));
        Assert.Equal(["b", "c", "a"], z.Ascending().Select(n => S(n.Member)));
        Assert.Equal("listpack", z.Encoding);
    }

    [Fact]
    public void Measured_three_member_set_is_one_56_byte_object()
    {
        // tools/measure-memory.sh's `ZADD z:<i> 1 a 2 b 3 c`: the entries (9 B) live inside the object.
        byte[] a = B("a"), b = B("b"), c = B("c");
        const int N = 1000;
        var keep = new RedisSortedSet[N];
        var limits = new EncodingLimits();
        for (int i = 0; i < 2; i++) Build(limits, a, b, c); // JIT and thread statics first
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < N; i++) keep[i] = Build(limits, a, b, c);
        long perSet = (GC.GetAllocatedBytesForCurrentThread() - before) / N;
        Assert.Equal(56, perSet);
        Assert.Equal(3, keep[N - 1].Count);
        Assert.True(keep[N - 1].TryGetScore(c, out double s3) && s3 == 3);

        static RedisSortedSet Build(EncodingLimits limits, byte[] a, byte[] b, byte[] c)
        {
            var z = new RedisSortedSet(limits);
            double s1 = 1, s2 = 2, s3 = 3;
            z.Add(a, ref s1);
            z.Add(b, ref s2);
            z.Add(c, ref s3);
            return z;
        }
    }
}
