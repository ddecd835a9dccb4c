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
