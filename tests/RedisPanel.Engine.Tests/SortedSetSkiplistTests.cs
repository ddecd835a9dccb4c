using System.Globalization;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Tests;

/// <summary>
/// The skiplist under random adds, score updates (which relink the same node) and removals stays a correct ordered
/// index: order, ranks (spans), rank lookups and backward links all agree with a simple model.
/// </summary>
public class SortedSetSkiplistTests
{
    [Fact]
    public void Random_updates_keep_order_ranks_and_backward_links_consistent()
    {
        var rnd = new Random(4242);
        var z = new RedisSortedSet(skiplist: true);
        var model = new Dictionary<string, double>();
        for (int step = 0; step < 20_000; step++)
        {
            string m = "m" + rnd.Next(600).ToString(CultureInfo.InvariantCulture);
            var member = System.Text.Encoding.ASCII.GetBytes(m);
            int op = rnd.Next(10);
            if (op < 7)
            {
                double score = rnd.Next(50); // many ties: order falls back to the member bytes
                z.Add(member, ref score);
                model[m] = score;
            }
            else if (op < 9)
            {
                double inc = rnd.Next(-5, 6);
                double result = inc; // in: the increment; out: the new score
                z.Add(member, ref result, ZAddFlags.Incr);
                model[m] = model.TryGetValue(m, out var cur) ? cur + inc : inc;
                Assert.Equal(model[m], result);
            }
            else
            {
                Assert.Equal(model.Remove(m), z.Remove(member));
            }
            if (step % 1000 == 999) AssertMatches(z, model);
        }
        AssertMatches(z, model);
    }

    [Fact]
    public void Large_set_with_small_and_large_moves_keeps_ranks_and_score_ranges()
    {
        // 5000 members: nodes up to 6-7 levels (the header grows past its first 4). Small increments mostly keep a
        // member between its neighbours (the in-place path, which must refresh the score copies in the links that
        // point at the node); random scores move it (unlink + relink). Score-range lookups read those copies.
        var rnd = new Random(77);
        var z = new RedisSortedSet(skiplist: true);
        var model = new Dictionary<string, double>();
        for (int m = 0; m < 5000; m++)
        {
            string name = "e" + m.ToString(CultureInfo.InvariantCulture);
            double score = rnd.Next(100_000);
            z.Add(System.Text.Encoding.ASCII.GetBytes(name), ref score);
            model[name] = score;
        }
        for (int step = 0; step < 30_000; step++)
        {
            string name = "e" + rnd.Next(5000).ToString(CultureInfo.InvariantCulture);
            var member = System.Text.Encoding.ASCII.GetBytes(name);
            double score = step % 2 == 0 ? model[name] + rnd.NextDouble() : rnd.Next(100_000);
            z.Add(member, ref score);
            model[name] = score;
            if (step % 5000 == 4999)
            {
                AssertMatches(z, model);
                AssertScoreRanges(z, model, rnd);
            }
        }
    }

    private static void AssertScoreRanges(RedisSortedSet z, Dictionary<string, double> model, Random rnd)
    {
        for (int k = 0; k < 200; k++)
        {
            double a = rnd.Next(-10, 100_010) + (k % 3 == 0 ? 0.5 : 0), b = a + rnd.Next(0, 3000);
            bool minEx = k % 2 == 0, maxEx = k % 4 < 2;
            var range = new ScoreRange(a, b, minEx, maxEx);
            var inside = model.Where(kv => range.GteMin(kv.Value) && range.LteMax(kv.Value))
                .OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            var first = z.FirstInRange(range);
            var last = z.LastInRange(range);
            if (inside.Count == 0)
            {
                Assert.Null(first);
                Assert.Null(last);
                continue;
            }
            Assert.Equal(inside[0].Key, System.Text.Encoding.ASCII.GetString(first!.Member));
            Assert.Equal(inside[^1].Key, System.Text.Encoding.ASCII.GetString(last!.Member));
        }
    }

    private static void AssertMatches(RedisSortedSet z, Dictionary<string, double> model)
    {
        var expected = model.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, z.Count);
        int rank = 0;
        ZNode? prev = null;
        for (var n = z.First; n is not null; n = n.Next, rank++)
        {
            Assert.True(expected[rank].Key == System.Text.Encoding.ASCII.GetString(n.Member), $"rank {rank}: expected {expected[rank].Key}={expected[rank].Value} got {System.Text.Encoding.ASCII.GetString(n.Member)}={n.Score}; next expected {(rank + 1 < expected.Count ? expected[rank + 1].Key + "=" + expected[rank + 1].Value : "-")}");
            Assert.Equal(expected[rank].Value, n.Score);
            Assert.Equal(rank, z.RankOf(n.Member));
            Assert.Same(n, z.ByRank(rank));
            Assert.Same(prev, n.Previous);
            prev = n;
        }
        Assert.Same(prev, z.Last);
        Assert.Equal(expected.Count, rank);
    }
}
