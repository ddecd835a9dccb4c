namespace RedisPanel.Engine.Tests.Collections;

public class HashCommandsTests
{
    [Fact]
    public void Hgetall_is_a_map_in_resp3_and_keeps_insertion_order_while_compact()
    {
        var h = new EngineHarness();
        Assert.Equal(":2\r\n", h.Run("HSET", "h", "b", "1", "a", "2"));
        Assert.Equal("*4\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n", h.Run("HGETALL", "h"));
        h.Client.Writer.Protocol = 3;
        Assert.Equal("%2\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n", h.Run("HGETALL", "h"));
        Assert.Equal("%0\r\n", h.Run("HGETALL", "nokey"));
    }

    [Fact]
    public void Encoding_turns_to_hashtable_past_the_limits_and_stays()
    {
        var h = new EngineHarness();
        // Redis 7.0.15's built-in hash-max-listpack-entries is 512 (redis.conf ships 128).
        for (int i = 0; i < 512; i++) h.Run("HSET", "h", "f" + i, "v");
        Assert.Equal("$8\r\nlistpack\r\n", h.Run("OBJECT", "ENCODING", "h"));
        h.Run("HSET", "h", "f512", "v");
        Assert.Equal("$9\r\nhashtable\r\n", h.Run("OBJECT", "ENCODING", "h"));
        for (int i = 0; i < 484; i++) h.Run("HDEL", "h", "f" + i);
        Assert.Equal("$9\r\nhashtable\r\n", h.Run("OBJECT", "ENCODING", "h"));
        Assert.Equal(":29\r\n", h.Run("HLEN", "h"));
        // HSCAN over the table returns every field exactly once.
        var seen = new HashSet<string>();
        string cursor = "0";
        for (int guard = 0; guard < 1000; guard++)
        {
            var reply = h.Run("HSCAN", "h", cursor, "COUNT", "3");
            var lines = reply.Split("\r\n");
            cursor = lines[2];
            int n = int.Parse(lines[3][1..]);
            for (int j = 0; j < n; j += 2) seen.Add(lines[5 + 2 * j]);
            if (cursor == "0") break;
        }
        Assert.Equal(29, seen.Count);
    }

    [Fact]
    public void Hincrbyfloat_uses_long_double_and_propagates_as_hset()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        Assert.Equal("$4\r\n10.5\r\n", h.Run("HINCRBYFLOAT", "h", "f", "10.5"));
        Assert.Equal("$4\r\n10.6\r\n", h.Run("HINCRBYFLOAT", "h", "f", "0.1"));
        Assert.Equal("*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$4\r\n10.6\r\n", log.Commands[^1].Command);
        Assert.Equal("-ERR value is NaN or Infinity\r\n", h.Run("HINCRBYFLOAT", "h", "f", "inf"));
        h.Run("HSET", "h", "s", "x");
        Assert.Equal("-ERR hash value is not a float\r\n", h.Run("HINCRBYFLOAT", "h", "s", "1"));
        Assert.Equal("-ERR hash value is not an integer\r\n", h.Run("HINCRBY", "h", "s", "1"));
    }

    [Fact]
    public void Hrandfield_negative_count_repeats_and_resp3_nests_pairs()
    {
        var h = new EngineHarness();
        h.Run("HSET", "h", "a", "1");
        Assert.Equal("*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n", h.Run("HRANDFIELD", "h", "-3", "WITHVALUES"));
        h.Client.Writer.Protocol = 3;
        Assert.Equal("*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", h.Run("HRANDFIELD", "h", "5", "WITHVALUES"));
    }
}
