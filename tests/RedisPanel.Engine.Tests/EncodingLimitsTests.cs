using RedisPanel.Engine.Config;

namespace RedisPanel.Engine.Tests;

/// <summary>
/// OBJECT ENCODING follows the thresholds set by CONFIG SET and the config file; INCRBYFLOAT's string objects;
/// idle time through RENAME/MOVE; plain sets in the sorted-set algebra. Every expectation was checked on
/// redis-server 7.0.15.
/// </summary>
public class EncodingLimitsTests
{
    private static string Bulk(string s) => $"${s.Length}\r\n{s}\r\n";

    private static string Encoding(EngineHarness h, string key) => h.Run("OBJECT", "ENCODING", key);

    [Fact]
    public void Config_set_hash_limits_reach_new_and_existing_hashes()
    {
        var h = new EngineHarness();
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "hash-max-listpack-entries", "1"));
        h.Run("HSET", "h", "a", "1", "b", "2");
        Assert.Equal(Bulk("hashtable"), Encoding(h, "h"));

        h.Run("CONFIG", "SET", "hash-max-listpack-entries", "512");
        h.Run("HSET", "small", "a", "1", "b", "2", "c", "3");
        Assert.Equal(Bulk("listpack"), Encoding(h, "small"));
        // The ziplist alias sets the same limit; an update of an existing field converts, as hashTypeSet does.
        h.Run("CONFIG", "SET", "hash-max-ziplist-entries", "2");
        Assert.Equal("*2\r\n" + Bulk("hash-max-listpack-entries") + Bulk("2"), h.Run("CONFIG", "GET", "hash-max-listpack-entries"));
        Assert.Equal(Bulk("listpack"), Encoding(h, "small"));
        h.Run("HSET", "small", "a", "9");
        Assert.Equal(Bulk("hashtable"), Encoding(h, "small"));

        h.Run("CONFIG", "SET", "hash-max-listpack-value", "3");
        h.Run("HSET", "v", "abc", "1");
        Assert.Equal(Bulk("listpack"), Encoding(h, "v"));
        h.Run("HSET", "v", "x", "abcd");
        Assert.Equal(Bulk("hashtable"), Encoding(h, "v"));
    }

    [Fact]
    public void Config_set_intset_and_zset_limits_are_read_at_each_insertion()
    {
        var h = new EngineHarness();
        h.Run("CONFIG", "SET", "set-max-intset-entries", "2");
        h.Run("SADD", "s", "1", "2");
        Assert.Equal(Bulk("intset"), Encoding(h, "s"));
        h.Run("SADD", "s", "3");
        Assert.Equal(Bulk("hashtable"), Encoding(h, "s"));

        h.Run("ZADD", "z", "1", "a", "2", "b", "3", "c");
        Assert.Equal(Bulk("listpack"), Encoding(h, "z"));
        h.Run("CONFIG", "SET", "zset-max-ziplist-entries", "3");
        h.Run("ZADD", "z", "9", "a");
        Assert.Equal(Bulk("listpack"), Encoding(h, "z")); // an update converts nothing (zsetAdd)
        h.Run("ZADD", "z", "4", "d");
        Assert.Equal(Bulk("skiplist"), Encoding(h, "z"));

        h.Run("CONFIG", "SET", "zset-max-listpack-value", "2");
        h.Run("ZADD", "v", "1", "abc");
        Assert.Equal(Bulk("skiplist"), Encoding(h, "v"));

        // Results built by ZRANGESTORE / ZUNIONSTORE use the limits of the moment.
        h.Run("CONFIG", "SET", "zset-max-listpack-value", "64");
        h.Run("CONFIG", "SET", "zset-max-listpack-entries", "1");
        h.Run("ZRANGESTORE", "one", "z", "0", "0");
        Assert.Equal(Bulk("listpack"), Encoding(h, "one"));
        h.Run("ZUNIONSTORE", "all", "1", "z");
        Assert.Equal(Bulk("skiplist"), Encoding(h, "all"));
        h.Run("CONFIG", "SET", "zset-max-listpack-entries", "0");
        h.Run("ZADD", "zero", "1", "a");
        Assert.Equal(Bulk("skiplist"), Encoding(h, "zero"));
    }

    [Fact]
    public void Config_file_limits_reach_the_node()
    {
        var config = new ServerConfig();
        ConfigFileParser.Apply(config, "hash-max-ziplist-entries 1\nzset-max-listpack-entries 1\nset-max-intset-entries 1\n", "test.conf");
        var h = new EngineHarness(config);
        h.Run("HSET", "h", "a", "1", "b", "2");
        h.Run("ZADD", "z", "1", "a", "2", "b");
        h.Run("SADD", "s", "1", "2");
        Assert.Equal(Bulk("hashtable"), Encoding(h, "h"));
        Assert.Equal(Bulk("skiplist"), Encoding(h, "z"));
        Assert.Equal(Bulk("hashtable"), Encoding(h, "s"));
    }

    [Fact]
    public void Restore_loads_a_sorted_set_under_the_nodes_current_limits()
    {
        // redis-server 7.0.15: ZADD z 1 a 2 b; CONFIG SET zset-max-listpack-entries 1; RESTORE z2 0 <DUMP z>
        // -> z stays listpack, z2 is a skiplist (rdbLoadObject converts a listpack past the limit).
        var h = new EngineHarness();
        h.Run("ZADD", "z", "1", "a", "2", "b");
        h.Run("CONFIG", "SET", "zset-max-listpack-entries", "1");
        lock (h.Engine.SyncRoot) h.Engine.Execute(h.Client, ["DUMP"u8.ToArray(), "z"u8.ToArray()]);
        var dump = h.Client.TakeOutput()!;
        var text = dump.WrittenSpan;
        int start = text.IndexOf("\r\n"u8) + 2;
        byte[] payload = text[start..^2].ToArray();
        h.Client.ReturnOutput(dump);
        Assert.Equal("+OK\r\n", h.RunBytes(h.Client, ["RESTORE"u8.ToArray(), "z2"u8.ToArray(), "0"u8.ToArray(), payload]));
        Assert.Equal(Bulk("listpack"), Encoding(h, "z"));
        Assert.Equal(Bulk("skiplist"), Encoding(h, "z2"));
    }

    [Fact]
    public void Hash_listpack_holds_512_entries_by_default_like_the_redis_binary()
    {
        var h = new EngineHarness();
        var args = new List<string> { "HSET", "h" };
        for (int i = 0; i < 512; i++) args.AddRange(["f" + i, "v"]);
        h.Run(args.ToArray());
        Assert.Equal(Bulk("listpack"), Encoding(h, "h"));
        h.Run("HSET", "h", "one-more", "v");
        Assert.Equal(Bulk("hashtable"), Encoding(h, "h"));
    }

    [Fact]
    public void Incrbyfloat_stores_a_string_object_that_stays_embstr_until_rewritten()
    {
        var h = new EngineHarness();
        Assert.Equal(Bulk("3"), h.Run("INCRBYFLOAT", "f", "3"));
        Assert.Equal(Bulk("embstr"), Encoding(h, "f"));
        Assert.Equal(":1\r\n", h.Run("OBJECT", "REFCOUNT", "f"));
        h.Run("COPY", "f", "g");
        Assert.Equal(Bulk("embstr"), Encoding(h, "g"));
        h.Run("RENAME", "f", "r");
        Assert.Equal(Bulk("embstr"), Encoding(h, "r"));
        h.Run("MOVE", "r", "1");
        h.Run("SELECT", "1");
        Assert.Equal(Bulk("embstr"), Encoding(h, "r"));
        h.Run("INCR", "r");
        Assert.Equal(Bulk("int"), Encoding(h, "r"));
        h.Run("SELECT", "0");
        h.Run("SET", "g", "3");
        Assert.Equal(Bulk("int"), Encoding(h, "g"));
        h.Run("INCRBYFLOAT", "big", "1e50");
        Assert.Equal(Bulk("raw"), Encoding(h, "big"));
    }

    [Fact]
    public void Rename_and_move_leave_an_idle_time_of_zero_because_the_source_lookup_touches_it()
    {
        // redis-server 7.0.15: SET a v; (2.5 s later) OBJECT IDLETIME a -> 2; RENAME a b; OBJECT IDLETIME b -> 0.
        // lookupKeyWrite touches the object and RENAME/MOVE move that same object; TYPE does not touch.
        var h = new EngineHarness();
        h.Run("SET", "a", "v");
        h.Run("SET", "m", "v");
        h.Run("SET", "c", "v");
        h.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(":10\r\n", h.Run("OBJECT", "IDLETIME", "a"));
        h.Run("TYPE", "c");
        Assert.Equal(":10\r\n", h.Run("OBJECT", "IDLETIME", "c"));
        h.Run("RENAME", "a", "b");
        Assert.Equal(":0\r\n", h.Run("OBJECT", "IDLETIME", "b"));
        h.Run("MOVE", "m", "1");
        h.Run("SELECT", "1");
        Assert.Equal(":0\r\n", h.Run("OBJECT", "IDLETIME", "m"));
    }

    [Fact]
    public void Sorted_set_algebra_reads_plain_sets_with_score_one()
    {
        var h = new EngineHarness();
        h.Run("SADD", "s1", "a", "b", "c");
        h.Run("SADD", "s2", "1", "2", "a");
        h.Run("ZADD", "z", "1", "a", "5", "b", "10", "d");
        Assert.Equal("*8\r\n" + Bulk("c") + Bulk("1") + Bulk("a") + Bulk("2") + Bulk("b") + Bulk("6") + Bulk("d") + Bulk("10"),
            h.Run("ZUNION", "2", "z", "s1", "WITHSCORES"));
        Assert.Equal("*4\r\n" + Bulk("a") + Bulk("5") + Bulk("b") + Bulk("17"), h.Run("ZINTER", "2", "s1", "z", "WEIGHTS", "2", "3", "WITHSCORES"));
        Assert.Equal("*1\r\n" + Bulk("c"), h.Run("ZDIFF", "2", "s1", "z"));
        Assert.Equal(":1\r\n", h.Run("ZINTERCARD", "2", "s1", "s2"));
        Assert.Equal(":3\r\n", h.Run("ZUNIONSTORE", "dst", "2", "s2", "s2"));
        Assert.Equal("*6\r\n" + Bulk("1") + Bulk("2") + Bulk("2") + Bulk("2") + Bulk("a") + Bulk("2"), h.Run("ZRANGE", "dst", "0", "-1", "WITHSCORES"));
        h.Run("SET", "str", "x");
        Assert.StartsWith("-WRONGTYPE", h.Run("ZUNION", "2", "s1", "str"));
    }
}
