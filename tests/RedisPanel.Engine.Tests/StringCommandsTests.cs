using RedisPanel.Engine.Commands;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Tests;

public class StringCommandsTests
{
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string Resp(params string[] args) =>
        $"*{args.Length}\r\n" + string.Concat(args.Select(a => $"${System.Text.Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n"));

    [Fact]
    public void Set_and_get_reply_exact_bytes()
    {
        var h = new EngineHarness();
        Assert.Equal("$-1\r\n", h.Run("GET", "k"));
        Assert.Equal("+OK\r\n", h.Run("SET", "k", "hello"));
        Assert.Equal("$5\r\nhello\r\n", h.Run("GET", "k"));
        Assert.Equal("-ERR wrong number of arguments for 'set' command\r\n", h.Run("SET", "k"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SET", "k", "v", "foo"));
    }

    [Fact]
    public void Set_nx_xx_and_get_options()
    {
        var h = new EngineHarness();
        Assert.Equal("$-1\r\n", h.Run("SET", "k", "v", "XX"));
        Assert.Equal("+OK\r\n", h.Run("SET", "k", "v", "NX"));
        Assert.Equal("$-1\r\n", h.Run("SET", "k", "w", "NX"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SET", "k", "w", "NX", "XX"));
        Assert.Equal("$1\r\nv\r\n", h.Run("SET", "k", "w", "GET"));
        Assert.Equal("$1\r\nw\r\n", h.Run("SET", "k", "x", "NX", "GET")); // NX fails, GET still replies
        Assert.Equal("$1\r\nw\r\n", h.Run("GET", "k"));
        Assert.Equal(":0\r\n", h.Run("SETNX", "k", "y"));
        Assert.Equal(":1\r\n", h.Run("SETNX", "k2", "y"));
    }

    [Fact]
    public void Set_option_conflicts_follow_redis_rules()
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR syntax error\r\n", h.Run("SET", "k", "v", "EX", "10", "PX", "100"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SET", "k", "v", "EX", "10", "KEEPTTL"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SET", "k", "v", "EX"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SET", "k", "v", "PERSIST"));
        // Redis accepts a repeated EX; the last value wins.
        Assert.Equal("+OK\r\n", h.Run("SET", "k", "v", "EX", "10", "EX", "20"));
        Assert.Equal(":20\r\n", h.Run("TTL", "k"));
    }

    [Theory]
    [InlineData("EX", "0", "set")]
    [InlineData("EX", "-1", "set")]
    [InlineData("PX", "0", "set")]
    [InlineData("EXAT", "0", "set")]
    [InlineData("EX", "9223372036854776", "set")]
    [InlineData("PX", "9223372036854775807", "set")]
    public void Set_invalid_expire_times(string option, string value, string cmd)
    {
        var h = new EngineHarness();
        Assert.Equal($"-ERR invalid expire time in '{cmd}' command\r\n", h.Run("SET", "k", "v", option, value));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "k"));
    }

    [Fact]
    public void Setex_psetex_errors_name_their_command()
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR invalid expire time in 'setex' command\r\n", h.Run("SETEX", "k", "0", "v"));
        Assert.Equal("-ERR invalid expire time in 'psetex' command\r\n", h.Run("PSETEX", "k", "-1", "v"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("SETEX", "k", "x", "v"));
        Assert.Equal("-ERR invalid expire time in 'getex' command\r\n", (h.Run("SET", "k", "v"), h.Run("GETEX", "k", "EX", "0")).Item2);
    }

    [Fact]
    public void Key_with_px_expires_strictly_after_its_millisecond()
    {
        var h = new EngineHarness();
        Assert.Equal("+OK\r\n", h.Run("SET", "k", "v", "PX", "100"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(":0\r\n", h.Run("PTTL", "k"));
        Assert.Equal("$1\r\nv\r\n", h.Run("GET", "k"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("$-1\r\n", h.Run("GET", "k"));
        Assert.Equal(":-2\r\n", h.Run("PTTL", "k"));
    }

    [Fact]
    public void Ttl_rounds_to_the_nearest_second()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v", "PX", "1500");
        Assert.Equal(":2\r\n", h.Run("TTL", "k"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(":1\r\n", h.Run("TTL", "k"));
        Assert.Equal($":{Start + 1500}\r\n", h.Run("PEXPIRETIME", "k"));
        // EXPIRETIME rounds the absolute time to the nearest second too ((ms + 500) / 1000), as Redis does.
        Assert.Equal($":{(Start + 1500 + 500) / 1000}\r\n", h.Run("EXPIRETIME", "k"));
    }

    [Fact]
    public void Relative_expiries_propagate_as_set_pxat()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("SETEX", "k", "100", "v");
        h.Run("PSETEX", "k", "5000", "v");
        h.Run("SET", "k", "v", "EX", "10");
        h.Run("SET", "k", "v", "EXAT", "99999999999");
        h.Run("SET", "k", "v", "KEEPTTL");
        Assert.Equal(
        [
            Resp("SET", "k", "v", "PXAT", (Start + 100_000).ToString()),
            Resp("SET", "k", "v", "PXAT", (Start + 5000).ToString()),
            Resp("SET", "k", "v", "PXAT", (Start + 10_000).ToString()),
            Resp("SET", "k", "v", "PXAT", "99999999999000"),
            Resp("SET", "k", "v", "KEEPTTL"),
        ], log.Commands.Select(c => c.Command));
    }

    [Fact]
    public void Set_get_propagates_without_get_and_failed_nx_propagates_nothing()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("SET", "k", "v", "get", "GET");
        h.Run("SET", "k", "w", "NX");
        h.Run("GETSET", "k", "z");
        Assert.Equal([Resp("SET", "k", "v"), Resp("SET", "k", "z")], log.Commands.Select(c => c.Command));
    }

    [Fact]
    public void Getex_variants_propagate_as_pexpireat_persist_or_del()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        var log = h.CapturePropagation();
        Assert.Equal("$1\r\nv\r\n", h.Run("GETEX", "k"));
        Assert.Equal("$1\r\nv\r\n", h.Run("GETEX", "k", "EX", "100"));
        Assert.Equal(":100\r\n", h.Run("TTL", "k"));
        Assert.Equal("$1\r\nv\r\n", h.Run("GETEX", "k", "PERSIST"));
        Assert.Equal("$1\r\nv\r\n", h.Run("GETEX", "k", "PERSIST")); // no TTL: nothing to propagate
        Assert.Equal("$1\r\nv\r\n", h.Run("GETEX", "k", "PXAT", "1"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "k"));
        Assert.Equal(
        [
            Resp("PEXPIREAT", "k", (Start + 100_000).ToString()),
            Resp("PERSIST", "k"),
            Resp("DEL", "k"),
        ], log.Commands.Select(c => c.Command));
    }

    [Fact]
    public void Getdel_returns_and_deletes_and_propagates_del()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        var log = h.CapturePropagation();
        Assert.Equal("$1\r\nv\r\n", h.Run("GETDEL", "k"));
        Assert.Equal("$-1\r\n", h.Run("GETDEL", "k"));
        Assert.Equal([Resp("DEL", "k")], log.Commands.Select(c => c.Command));
    }

    [Fact]
    public void Mset_msetnx_mget()
    {
        var h = new EngineHarness();
        Assert.Equal("+OK\r\n", h.Run("MSET", "a", "1", "b", "2"));
        Assert.Equal("-ERR wrong number of arguments for 'mset' command\r\n", h.Run("MSET", "a", "1", "b"));
        Assert.Equal(":0\r\n", h.Run("MSETNX", "a", "9", "c", "3"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "c"));
        Assert.Equal(":1\r\n", h.Run("MSETNX", "c", "3", "d", "4"));
        Assert.Equal("*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n", h.Run("MGET", "a", "x", "c"));
    }

    [Fact]
    public void Incr_family_and_overflow_errors()
    {
        var h = new EngineHarness();
        Assert.Equal(":1\r\n", h.Run("INCR", "n"));
        Assert.Equal(":11\r\n", h.Run("INCRBY", "n", "10"));
        Assert.Equal(":10\r\n", h.Run("DECR", "n"));
        Assert.Equal(":-90\r\n", h.Run("DECRBY", "n", "100"));
        Assert.Equal("-ERR decrement would overflow\r\n", h.Run("DECRBY", "n", "-9223372036854775808"));
        h.Run("SET", "n", "9223372036854775807");
        Assert.Equal("-ERR increment or decrement would overflow\r\n", h.Run("INCR", "n"));
        h.Run("SET", "n", " 1");
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("INCR", "n"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("INCRBY", "n", "1.5"));
    }

    [Fact]
    public void Incr_keeps_the_ttl()
    {
        var h = new EngineHarness();
        h.Run("SET", "n", "1", "EX", "100");
        Assert.Equal(":2\r\n", h.Run("INCR", "n"));
        Assert.Equal(":100\r\n", h.Run("TTL", "n"));
    }

    [Theory]
    [InlineData("10.5", "0.1", "10.6")]
    [InlineData("0.1", "0.2", "0.3")]
    [InlineData("3", "1.5", "4.5")]
    [InlineData("10", "-10", "0")]
    [InlineData("0", "-0.00000000000000001", "-0.00000000000000001")]
    [InlineData("0", "0.000000000000000001", "0")]
    [InlineData("0", "1.23456789012345678", "1.23456789012345678")]
    [InlineData("0", "3.14159265358979323846", "3.14159265358979324")]
    [InlineData("0", "1e20", "100000000000000000000")]
    [InlineData("0", "5.0e3", "5000")]
    [InlineData("0", "0x10", "16")]
    [InlineData("0", ".5", "0.5")]
    [InlineData("0", "-.25", "-0.25")]
    [InlineData("0", "123456789012345678901234567890", "123456789012345678899921813504")] // checked against redis-server 7.0.15
    public void Incrbyfloat_formats_like_redis_long_double(string start, string incr, string expected)
    {
        var h = new EngineHarness();
        h.Run("SET", "f", start);
        Assert.Equal($"${expected.Length}\r\n{expected}\r\n", h.Run("INCRBYFLOAT", "f", incr));
    }

    [Fact]
    public void Incrbyfloat_of_1e400_is_exact_in_extended_precision()
    {
        var h = new EngineHarness();
        string reply = h.Run("INCRBYFLOAT", "f", "1e400");
        // redis-server 7.0.15 prints the nearest 80-bit value to 1e400: 401 digits starting with these.
        Assert.StartsWith("$401\r\n100000000000000000002818806839475865145864534336290520386259", reply);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1e")]
    [InlineData("nan")]
    [InlineData("1e5000")]
    [InlineData("1e-5000")]
    [InlineData("0x")]
    public void Incrbyfloat_rejects_what_string2ld_rejects(string incr)
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR value is not a valid float\r\n", h.Run("INCRBYFLOAT", "f", incr));
    }

    [Fact]
    public void Incrbyfloat_infinity_and_propagation()
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR increment would produce NaN or Infinity\r\n", h.Run("INCRBYFLOAT", "f", "inf"));
        var log = h.CapturePropagation();
        h.Run("INCRBYFLOAT", "f", "1.5");
        Assert.Equal([Resp("SET", "f", "1.5", "KEEPTTL")], log.Commands.Select(c => c.Command));
    }

    [Fact]
    public void Append_grows_in_place_and_checks_the_limit()
    {
        var h = new EngineHarness(new Config.ServerConfig { ProtoMaxBulkLen = 10 });
        Assert.Equal(":5\r\n", h.Run("APPEND", "k", "hello"));
        Assert.Equal(":10\r\n", h.Run("APPEND", "k", "world"));
        Assert.IsType<MutableString>(h.Engine.Keyspace[0].Peek("k"u8));
        Assert.Equal("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", h.Run("APPEND", "k", "!"));
        Assert.Equal("$10\r\nhelloworld\r\n", h.Run("GET", "k"));
        Assert.Equal("$3\r\nraw\r\n", h.Run("OBJECT", "ENCODING", "k"));
    }

    [Fact]
    public void Getrange_and_setrange()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "This is a string");
        Assert.Equal("$4\r\nThis\r\n", h.Run("GETRANGE", "k", "0", "3"));
        Assert.Equal("$3\r\ning\r\n", h.Run("GETRANGE", "k", "-3", "-1"));
        Assert.Equal("$0\r\n\r\n", h.Run("GETRANGE", "k", "-1", "-5"));
        Assert.Equal("$0\r\n\r\n", h.Run("SUBSTR", "missing", "0", "3"));
        Assert.Equal(":8\r\n", h.Run("SETRANGE", "p", "5", "abc"));
        Assert.Equal("$8\r\n\0\0\0\0\0abc\r\n", h.Run("GET", "p"));
        Assert.Equal(":0\r\n", h.Run("SETRANGE", "none", "5", ""));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "none"));
        Assert.Equal("-ERR offset is out of range\r\n", h.Run("SETRANGE", "p", "-1", "x"));
        Assert.Equal("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", h.Run("SETRANGE", "p", "536870912", "x"));
    }

    [Fact]
    public void Lcs_reply_shapes()
    {
        var h = new EngineHarness();
        h.Run("MSET", "a", "ohmytext", "b", "mynewtext");
        Assert.Equal("$6\r\nmytext\r\n", h.Run("LCS", "a", "b"));
        Assert.Equal(":6\r\n", h.Run("LCS", "a", "b", "LEN"));
        Assert.Equal("*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n",
            h.Run("LCS", "a", "b", "IDX", "WITHMATCHLEN"));
        Assert.Equal("-ERR If you want both the length and indexes, please just use IDX.\r\n", h.Run("LCS", "a", "b", "LEN", "IDX"));
    }

    [Fact]
    public void Wrong_type_errors_for_collections()
    {
        var h = new EngineHarness();
        lock (h.Engine.SyncRoot) h.Engine.Keyspace[0].Set("c"u8, new TestCollection());
        const string wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        Assert.Equal(wrongType, h.Run("GET", "c"));
        Assert.Equal(wrongType, h.Run("INCR", "c"));
        Assert.Equal(wrongType, h.Run("APPEND", "c", "x"));
        Assert.Equal(wrongType, h.Run("SET", "c", "v", "GET"));
        Assert.Equal("*1\r\n$-1\r\n", h.Run("MGET", "c"));
        Assert.Equal("-ERR The specified keys must contain string values\r\n", h.Run("LCS", "c", "c"));
        Assert.Equal("+OK\r\n", h.Run("SET", "c", "v"));
    }

    [Fact]
    public void Keyspace_hits_and_misses_count_read_lookups_only()
    {
        var h = new EngineHarness();
        h.Run("GET", "k");                // miss
        h.Run("SET", "k", "v");           // write lookups are not counted
        h.Run("GET", "k");                // hit
        h.Run("MGET", "k", "x", "k");     // 2 hits, 1 miss
        h.Run("INCR", "n");               // write: not counted
        h.Run("EXISTS", "k", "nope");     // 1 hit, 1 miss
        Assert.Equal(4, h.Engine.Stats.KeyspaceHits);
        Assert.Equal(3, h.Engine.Stats.KeyspaceMisses);
    }

    [Fact]
    public void Long_double_round_trips_through_its_human_format()
    {
        Assert.True(LongDouble.TryParse("0.1"u8, out var a));
        Assert.True(LongDouble.TryParse("0.2"u8, out var b));
        Assert.Equal("0.3"u8.ToArray(), LongDouble.Add(a, b).ToHumanString());
        Assert.True(LongDouble.TryParse("-0"u8, out var z));
        Assert.Equal("0"u8.ToArray(), z.ToHumanString());
        Assert.False(LongDouble.TryParse("inf "u8, out _));
    }
}

/// <summary>A minimal non-string value for WRONGTYPE, TYPE and COPY tests.</summary>
internal sealed class TestCollection : RedisCollection
{
    public List<string> Items { get; } = new();
    public override string TypeName => "list";
    public override string Encoding => "quicklist";
    public override long Count => Items.Count;
    public override RedisCollection DeepClone()
    {
        var c = new TestCollection();
        c.Items.AddRange(Items);
        return c;
    }
    public override long EstimateBytes() => 16 + Items.Sum(i => i.Length);
}
