using System.Text;
using RedisPanel.Storage;

namespace RedisPanel.Storage.Tests;

/// <summary>
/// The packed (listpack) form of a sorted set keeps every score exactly, orders by (score, member), reads -0 back
/// as 0 (as a Redis listpack does), converts to a skiplist past the limits and agrees with it on every read.
/// </summary>
public class SortedSetListpackTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void Scores_of_every_kind_round_trip_in_the_packed_form()
    {
        double[] scores = [0, 1, -1, 63, -64, 64, 1L << 50, -(1L << 50), (1L << 50) + 2, 1.5, -2.25, 1e300,
            double.Epsilon, double.PositiveInfinity, double.NegativeInfinity, 0.1, 123456789012.0];
        var z = new RedisSortedSet();
        for (int i = 0; i < scores.Length; i++)
        {
            double s = scores[i];
            Assert.Equal(ZAddResult.Added, z.Add(B("m" + i), ref s));
        }
        Assert.False(z.IsSkiplist);
        Assert.Equal("listpack", z.Encoding);
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.True(z.TryGetScore(B("m" + i), out double got));
            Assert.Equal(BitConverter.DoubleToInt64Bits(scores[i]), BitConverter.DoubleToInt64Bits(got));
        }
        var sorted = scores.Select((s, i) => (Member: "m" + i, Score: s)).OrderBy(e => e.Score).ThenBy(e => e.Member, StringComparer.Ordinal).ToList();
        Assert.Equal(sorted.Select(e => e.Member), z.Ascending().Select(n => Encoding.ASCII.GetString(n.Member)));
        for (int i = 0; i < sorted.Count; i++) Assert.Equal(i, z.RankOf(B(sorted[i].Member)));
    }

    [Fact]
    public void Negative_zero_reads_back_as_zero_in_the_packed_form_and_stays_in_the_skiplist()
    {
        var packed = new RedisSortedSet();
        double s = -0.0;
        packed.Add(B("a"), ref s);
        Assert.True(packed.TryGetScore(B("a"), out double got));
        Assert.False(double.IsNegative(got));

        var list = new RedisSortedSet(skiplist: true);
        s = -0.0;
        list.Add(B("a"), ref s);
        Assert.True(list.TryGetScore(B("a"), out got));
        Assert.True(double.IsNegative(got));
    }

    [Fact]
    public void Converts_to_skiplist_past_the_entry_and_value_limits_keeping_content()
    {
        var z = new RedisSortedSet(maxListpackEntries: 4, maxListpackValue: 8);
        for (int i = 0; i < 4; i++)
        {
            double s = 10 - i;
            z.Add(B("m" + i), ref s);
        }
        Assert.False(z.IsSkiplist);
        double five = 5;
        z.Add(B("m4"), ref five);
        Assert.True(z.IsSkiplist);
        Assert.Equal(["m4", "m3", "m2", "m1", "m0"], z.Ascending().Select(n => Encoding.ASCII.GetString(n.Member)));

        var y = new RedisSortedSet(maxListpackEntries: 4, maxListpackValue: 8);
        double one = 1;
        y.Add(B("short"), ref one);
        y.Add(B("longer-than-8"), ref one);
        Assert.True(y.IsSkiplist);
        Assert.Equal(2, y.Count);
    }

    [Fact]
    public void Updates_and_removals_keep_the_packed_form_sorted_and_reads_see_the_current_version()
    {
        var z = new RedisSortedSet();
        var model = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var random = new Random(7);
        for (int step = 0; step < 3000; step++)
        {
            string m = "m" + random.Next(40);
            if (random.Next(4) == 0)
            {
                Assert.Equal(model.Remove(m), z.Remove(B(m)));
            }
            else
            {
                double s = random.Next(10) + (random.Next(2) == 0 ? 0.5 : 0);
                z.Add(B(m), ref s);
                model[m] = s;
            }
            // A read right after each change must see it (the per-thread node view follows the version).
            var expected = model.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).ToList();
            Assert.Equal(expected.Count, z.Count);
            if (expected.Count > 0)
            {
                Assert.Equal(expected[0], Encoding.ASCII.GetString(z.First!.Member));
                Assert.Equal(expected[^1], Encoding.ASCII.GetString(z.Last!.Member));
            }
        }
        Assert.False(z.IsSkiplist);
        var clone = (RedisSortedSet)z.DeepClone();
        double big = 100;
        z.Add(B("m0"), ref big);
        Assert.NotEqual(z.Ascending().Select(n => Encoding.ASCII.GetString(n.Member)), clone.Ascending().Select(n => Encoding.ASCII.GetString(n.Member)));
    }
}
