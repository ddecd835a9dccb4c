using RedisPanel.Engine.Config;

namespace RedisPanel.Engine.Tests;

public class KeyCommandsTests
{
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string Resp(params string[] args) =>
        $"*{args.Length}\r\n" + string.Concat(args.Select(a => $"${System.Text.Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n"));

    private static void AddCollection(EngineHarness h, string key, params string[] items)
    {
        var c = new TestCollection();
        c.Items.AddRange(items);
        lock (h.Engine.SyncRoot) h.Engine.Keyspace[0].Set(System.Text.Encoding.UTF8.GetBytes(key), c);
    }

    [Fact]
    public void Del_exists_type()
    {
        var h = new EngineHarness();
        h.Run("MSET", "a", "1", "b", "2");
        AddCollection(h, "l", "x");
        Assert.Equal(":3\r\n", h.Run("EXISTS", "a", "a", "l"));
        Assert.Equal("+string\r\n", h.Run("TYPE", "a"));
        Assert.Equal("+list\r\n", h.Run("TYPE", "l"));
        Assert.Equal("+none\r\n", h.Run("TYPE", "zz"));
        Assert.Equal(":2\r\n", h.Run("DEL", "a", "l", "missing"));
        Assert.Equal(":1\r\n", h.Run("UNLINK", "b"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "a", "b", "l"));
    }

    [Fact]
    public void Expire_sets_absolute_time_and_propagates_pexpireat_with_options()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        var log = h.CapturePropagation();
        Assert.Equal(":1\r\n", h.Run("EXPIRE", "k", "100", "NX"));
        Assert.Equal(":0\r\n", h.Run("EXPIRE", "k", "100", "NX"));
        Assert.Equal(":1\r\n", h.Run("PEXPIRE", "k", "200000", "GT"));
        Assert.Equal(":1\r\n", h.Run("EXPIREAT", "k", "99999999999"));
        Assert.Equal(":1\r\n", h.Run("PEXPIREAT", "k", "99999999999000", "xx"));
        Assert.Equal(":0\r\n", h.Run("EXPIRE", "missing", "10"));
        Assert.Equal(
        [
            Resp("PEXPIREAT", "k", (Start + 100_000).ToString(), "NX"),
            Resp("PEXPIREAT", "k", (Start + 200_000).ToString(), "GT"),
            Resp("PEXPIREAT", "k", "99999999999000"),
            Resp("PEXPIREAT", "k", "99999999999000", "xx"),
        ], log.Commands.Select(c => c.Command));
    }

    [Fact]
    public void Expire_in_the_past_deletes_and_propagates_del()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        var log = h.CapturePropagation();
        Assert.Equal(":1\r\n", h.Run("EXPIRE", "k", "-1"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "k"));
        Assert.Equal([Resp("DEL", "k")], log.Commands.Select(c => c.Command));
    }

    [Fact]
    public void Expire_at_exactly_now_deletes_but_a_key_expiring_now_still_lives()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        Assert.Equal(":1\r\n", h.Run("PEXPIREAT", "k", Start.ToString())); // checkAlreadyExpired: when <= now
        Assert.Equal(":0\r\n", h.Run("EXISTS", "k"));
        h.Run("SET", "k", "v");
        Assert.Equal(":1\r\n", h.Run("PEXPIREAT", "k", (Start + 1).ToString()));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(":1\r\n", h.Run("EXISTS", "k")); // keyIsExpired: now > when
        Assert.Equal(":0\r\n", h.Run("PTTL", "k"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "k"));
    }

    [Fact]
    public void Expire_option_and_overflow_errors()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        Assert.Equal("-ERR Unsupported option foo\r\n", h.Run("EXPIRE", "k", "10", "foo"));
        Assert.Equal("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", h.Run("EXPIRE", "k", "10", "NX", "GT"));
        Assert.Equal("-ERR GT and LT options at the same time are not compatible\r\n", h.Run("EXPIRE", "k", "10", "GT", "LT"));
        Assert.Equal("-ERR invalid expire time in 'expire' command\r\n", h.Run("EXPIRE", "k", "9223372036854776"));
        Assert.Equal("-ERR invalid expire time in 'pexpire' command\r\n", h.Run("PEXPIRE", "k", "9223372036854775807"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("EXPIRE", "k", "1.5"));
        Assert.Equal(":-1\r\n", h.Run("TTL", "k"));
    }

    [Fact]
    public void Gt_and_lt_treat_no_ttl_as_infinite()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        Assert.Equal(":0\r\n", h.Run("EXPIRE", "k", "100", "GT"));
        Assert.Equal(":1\r\n", h.Run("EXPIRE", "k", "100", "LT"));
        Assert.Equal(":0\r\n", h.Run("EXPIRE", "k", "200", "LT"));
        Assert.Equal(":1\r\n", h.Run("EXPIRE", "k", "200", "GT"));
        Assert.Equal(":200\r\n", h.Run("TTL", "k"));
        Assert.Equal(":1\r\n", h.Run("PERSIST", "k"));
        Assert.Equal(":0\r\n", h.Run("PERSIST", "k"));
    }

    [Fact]
    public void Scan_with_small_count_visits_every_key_exactly_once()
    {
        var h = new EngineHarness();
        for (int i = 0; i < 1000; i++) h.Run("SET", "key:" + i, "v");
        var seen = new Dictionary<string, int>();
        string cursor = "0";
        int calls = 0;
        do
        {
            var reply = h.Run("SCAN", cursor, "COUNT", "7");
            var lines = reply.Split("\r\n");
            cursor = lines[2];
            int n = int.Parse(lines[3][1..]);
            for (int i = 0; i < n; i++)
            {
                string key = lines[5 + 2 * i];
                seen[key] = seen.GetValueOrDefault(key) + 1;
            }
            Assert.True(++calls < 10_000, "SCAN did not terminate");
        } while (cursor != "0");
        Assert.Equal(1000, seen.Count);
        Assert.All(seen.Values, v => Assert.Equal(1, v));
    }

    [Fact]
    public void Scan_filters_by_match_and_type_and_validates_cursor()
    {
        var h = new EngineHarness();
        h.Run("MSET", "one", "1", "two", "2");
        AddCollection(h, "lst", "x");
        Assert.Equal("*2\r\n$1\r\n0\r\n*1\r\n$3\r\nlst\r\n", h.Run("SCAN", "0", "TYPE", "LIST", "COUNT", "100"));
        Assert.Equal("*2\r\n$1\r\n0\r\n*1\r\n$3\r\ntwo\r\n", h.Run("SCAN", "0", "MATCH", "t*", "COUNT", "100"));
        Assert.Equal("-ERR invalid cursor\r\n", h.Run("SCAN", "abc"));
        Assert.Equal("-ERR invalid cursor\r\n", h.Run("SCAN", "18446744073709551616"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SCAN", "0", "COUNT", "0"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SCAN", "0", "MATCH"));
        // strtoul semantics: "" is cursor 0 and "-1" wraps to 2^64-1; both are accepted.
        Assert.StartsWith("*2\r\n", h.Run("SCAN", ""));
        Assert.StartsWith("*2\r\n", h.Run("SCAN", "-1"));
    }

    [Fact]
    public void Scan_and_keys_skip_expired_keys()
    {
        var h = new EngineHarness();
        h.Run("SET", "gone", "v", "PX", "10");
        h.Run("SET", "kept", "v");
        h.Clock.Advance(TimeSpan.FromMilliseconds(11));
        Assert.Equal("*1\r\n$4\r\nkept\r\n", h.Run("KEYS", "*"));
        Assert.Equal("*2\r\n$1\r\n0\r\n*1\r\n$4\r\nkept\r\n", h.Run("SCAN", "0", "COUNT", "100"));
    }

    [Fact]
    public void Rename_keeps_ttl_and_renamenx_refuses_existing()
    {
        var h = new EngineHarness();
        h.Run("SET", "a", "1", "EX", "100");
        Assert.Equal("+OK\r\n", h.Run("RENAME", "a", "b"));
        Assert.Equal(":100\r\n", h.Run("TTL", "b"));
        Assert.Equal("-ERR no such key\r\n", h.Run("RENAME", "a", "c"));
        Assert.Equal("-ERR no such key\r\n", h.Run("RENAME", "a", "a"));
        Assert.Equal("+OK\r\n", h.Run("RENAME", "b", "b"));
        h.Run("SET", "c", "3");
        Assert.Equal(":0\r\n", h.Run("RENAMENX", "b", "c"));
        Assert.Equal(":1\r\n", h.Run("RENAMENX", "b", "d"));
        Assert.Equal(":100\r\n", h.Run("TTL", "d"));
    }

    [Fact]
    public void Move_and_copy_between_databases()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v", "EX", "100");
        Assert.Equal("-ERR source and destination objects are the same\r\n", h.Run("MOVE", "k", "0"));
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("MOVE", "k", "16"));
        Assert.Equal("-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", h.Run("MOVE", "k", "4294967296"));
        Assert.Equal(":1\r\n", h.Run("MOVE", "k", "1"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "k"));
        h.Run("SELECT", "1");
        Assert.Equal(":100\r\n", h.Run("TTL", "k"));
        Assert.Equal(":1\r\n", h.Run("COPY", "k", "k", "DB", "0"));
        Assert.Equal(":0\r\n", h.Run("COPY", "k", "k", "DB", "0"));
        Assert.Equal(":1\r\n", h.Run("COPY", "k", "k", "DB", "0", "REPLACE"));
        Assert.Equal("-ERR source and destination objects are the same\r\n", h.Run("COPY", "k", "k"));
        h.Run("SELECT", "0");
        Assert.Equal(":100\r\n", h.Run("TTL", "k"));
    }

    [Fact]
    public void Copy_deep_clones_collections()
    {
        var h = new EngineHarness();
        AddCollection(h, "l", "a", "b");
        Assert.Equal(":1\r\n", h.Run("COPY", "l", "l2"));
        lock (h.Engine.SyncRoot)
        {
            var original = (TestCollection)h.Engine.Keyspace[0].Peek("l"u8)!;
            var copy = (TestCollection)h.Engine.Keyspace[0].Peek("l2"u8)!;
            Assert.NotSame(original, copy);
            Assert.Equal(original.Items, copy.Items);
        }
        Assert.Equal("+list\r\n", h.Run("TYPE", "l2"));
        Assert.Equal("$9\r\nquicklist\r\n", h.Run("OBJECT", "ENCODING", "l2"));
    }

    [Fact]
    public void Swapdb_swaps_and_validates()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "zero");
        Assert.Equal("+OK\r\n", h.Run("SWAPDB", "0", "1"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "k"));
        Assert.Equal("-ERR invalid first DB index\r\n", h.Run("SWAPDB", "x", "1"));
        Assert.Equal("-ERR invalid second DB index\r\n", h.Run("SWAPDB", "0", "x"));
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("SWAPDB", "0", "16"));
    }

    [Fact]
    public void Object_subcommands()
    {
        var h = new EngineHarness();
        h.Run("SET", "n", "100");
        h.Run("SET", "s", "hello");
        Assert.Equal("$3\r\nint\r\n", h.Run("OBJECT", "ENCODING", "n"));
        Assert.Equal("$6\r\nembstr\r\n", h.Run("OBJECT", "ENCODING", "s"));
        Assert.Equal(":2147483647\r\n", h.Run("OBJECT", "REFCOUNT", "n"));
        Assert.Equal(":1\r\n", h.Run("OBJECT", "REFCOUNT", "s"));
        Assert.Equal("$-1\r\n", h.Run("OBJECT", "ENCODING", "missing"));
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(":5\r\n", h.Run("OBJECT", "IDLETIME", "s"));
        Assert.Equal(":5\r\n", h.Run("OBJECT", "IDLETIME", "s")); // OBJECT does not touch
        h.Run("GET", "s");
        Assert.Equal(":0\r\n", h.Run("OBJECT", "IDLETIME", "s"));
        Assert.StartsWith("-ERR An LFU maxmemory policy is not selected", h.Run("OBJECT", "FREQ", "s"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n", h.Run("OBJECT", "foo"));
        Assert.Equal("-ERR wrong number of arguments for 'object|encoding' command\r\n", h.Run("OBJECT", "ENCODING"));
        Assert.StartsWith("*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n", h.Run("OBJECT", "HELP"));
    }

    [Fact]
    public void Object_freq_needs_an_lfu_policy()
    {
        var h = new EngineHarness(new ServerConfig { MaxMemoryPolicy = "allkeys-lfu" });
        h.Run("SET", "s", "v");
        Assert.Equal(":5\r\n", h.Run("OBJECT", "FREQ", "s"));
        Assert.StartsWith("-ERR An LFU maxmemory policy is selected, idle time not tracked.", h.Run("OBJECT", "IDLETIME", "s"));
    }

    [Fact]
    public void Randomkey_and_touch()
    {
        var h = new EngineHarness();
        Assert.Equal("$-1\r\n", h.Run("RANDOMKEY"));
        h.Run("SET", "only", "v");
        Assert.Equal("$4\r\nonly\r\n", h.Run("RANDOMKEY"));
        Assert.Equal(":2\r\n", h.Run("TOUCH", "only", "x", "only"));
    }

    [Fact]
    public void Del_of_an_expired_key_counts_zero_and_propagates_the_expiry_del()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v", "PX", "5");
        h.Clock.Advance(TimeSpan.FromMilliseconds(6));
        var log = h.CapturePropagation();
        Assert.Equal(":0\r\n", h.Run("DEL", "k"));
        Assert.Equal([Resp("DEL", "k")], log.Commands.Select(c => c.Command));
    }
}
