using System.Text;
using RedisPanel.Engine.Commands;

namespace RedisPanel.Engine.Tests.Collections;

/// <summary>
/// BZPOPMIN / BZPOPMAX / BZMPOP, SWAPDB waking blocked clients, INFO's blocked-client lines and the long-double
/// timeouts. Expected behaviour (who is served, replies, what is propagated) was recorded from redis-server 7.0.15
/// with three waiting redis-cli clients and an appendonly file as the propagation log.
/// </summary>
public class SortedSetBlockingTests
{
    private static string Resp(params string[] parts)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(parts.Length).Append("\r\n");
        foreach (var p in parts) sb.Append('$').Append(Encoding.UTF8.GetByteCount(p)).Append("\r\n").Append(p).Append("\r\n");
        return sb.ToString();
    }

    [Fact]
    public void Three_waiters_are_served_in_blocking_order_and_each_pop_is_propagated_after_the_zadd()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        var w1 = h.NewClient();
        var w2 = h.NewClient();
        var w3 = h.NewClient();
        Assert.Equal("", h.Run(w1, "BZPOPMIN", "z", "0"));
        Assert.Equal("", h.Run(w2, "BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"));
        Assert.Equal("", h.Run(w3, "BZPOPMAX", "z", "0"));
        Assert.Equal(3, h.Engine.Blocking.BlockedClients);

        Assert.Equal(":3\r\n", h.Run("ZADD", "z", "1", "a", "2", "b", "3", "c"));
        Assert.Equal(Resp("z", "a", "1"), h.TakeOutput(w1));
        Assert.Equal("*2\r\n$1\r\nz\r\n*2\r\n" + Resp("c", "3") + Resp("b", "2"), h.TakeOutput(w2));
        // The set was emptied and deleted by the second waiter: the third keeps waiting.
        Assert.Equal("", h.TakeOutput(w3));
        Assert.True(w3.Has(ClientFlags.Blocked));
        Assert.Equal(0, h.Engine.Keyspace[0].Count);
        Assert.Equal(
            [Resp("ZADD", "z", "1", "a", "2", "b", "3", "c"), Resp("ZPOPMIN", "z"), Resp("ZPOPMAX", "z", "2")],
            log.Commands.Select(c => c.Command));

        // Redis 7.0 serves by the key's type: a list under the key leaves a sorted-set waiter blocked.
        h.Run("RPUSH", "z", "x");
        Assert.Equal("", h.TakeOutput(w3));
        Assert.True(w3.Has(ClientFlags.Blocked));
        h.Run("DEL", "z");
        h.Run("ZADD", "z", "5", "q", "6", "r");
        Assert.Equal(Resp("z", "r", "6"), h.TakeOutput(w3));
        Assert.Equal(Resp("ZPOPMAX", "z"), log.Commands[^1].Command);
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\n5\r\n", h.Run("ZRANGE", "z", "0", "-1", "WITHSCORES"));
        Assert.Equal(0, h.Engine.Blocking.BlockedClients);
    }

    [Fact]
    public void With_data_they_pop_at_once_and_propagate_as_zpop_with_the_real_count()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("ZADD", "z", "1", "a", "2", "b", "3", "c");
        Assert.Equal(Resp("z", "c", "3"), h.Run("BZPOPMAX", "nokey", "z", "0"));
        Assert.Equal("*2\r\n$1\r\nz\r\n*2\r\n" + Resp("a", "1") + Resp("b", "2"), h.Run("BZMPOP", "0", "2", "nokey", "z", "MIN", "COUNT", "10"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "z"));
        Assert.Equal([Resp("ZPOPMAX", "z"), Resp("ZPOPMIN", "z", "2")], log.Commands.Skip(1).Select(c => c.Command));
        Assert.False(h.Client.Has(ClientFlags.Blocked));
    }

    [Fact]
    public void Served_waiter_replies_in_its_own_protocol_and_pops_in_its_own_db()
    {
        var h = new EngineHarness();
        var w = h.NewClient();
        h.Run(w, "HELLO", "3");
        h.Run(w, "SELECT", "2");
        h.Run(w, "BZPOPMIN", "z", "0");
        h.Run("ZADD", "z", "1", "wrong-db");
        Assert.Equal("", h.TakeOutput(w));
        h.Run("SELECT", "2");
        h.Run("ZADD", "z", "1.5", "m");
        Assert.Equal("*3\r\n$1\r\nz\r\n$1\r\nm\r\n,1.5\r\n", h.TakeOutput(w));
    }

    [Fact]
    public void Inside_multi_they_answer_a_null_array_and_do_not_block()
    {
        var h = new EngineHarness();
        h.Run("MULTI");
        h.Run("BZPOPMIN", "nokey", "0");
        h.Run("BZMPOP", "0", "1", "nokey", "MAX");
        Assert.Equal("*2\r\n*-1\r\n*-1\r\n", h.Run("EXEC"));
        Assert.False(h.Client.Has(ClientFlags.Blocked));
        Assert.Equal(0, h.Engine.Blocking.BlockedClients);
    }

    [Fact]
    public void A_timeout_answers_a_null_array_on_the_node_clock()
    {
        var h = new EngineHarness();
        var w = h.NewClient();
        var w3 = h.NewClient();
        h.Run(w3, "HELLO", "3");
        h.Run(w, "BZMPOP", "0.25", "1", "z", "MIN");
        h.Run(w3, "BZPOPMAX", "z", "0.25");
        h.Clock.Advance(TimeSpan.FromMilliseconds(249));
        h.Engine.Cron();
        Assert.True(w.Has(ClientFlags.Blocked));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        h.Engine.Cron();
        Assert.Equal("*-1\r\n", h.TakeOutput(w));
        Assert.Equal("_\r\n", h.TakeOutput(w3));
        h.Run("ZADD", "z", "1", "a");
        Assert.Equal("", h.TakeOutput(w));
        Assert.Equal(":1\r\n", h.Run("ZCARD", "z"));
    }

    [Fact]
    public void Client_unblock_ends_a_sorted_set_wait()
    {
        var h = new EngineHarness();
        var w = h.NewClient();
        h.Run(w, "BZPOPMIN", "z", "0");
        Assert.Equal(":1\r\n", h.Run("CLIENT", "UNBLOCK", w.Id.ToString()));
        Assert.Equal("*-1\r\n", h.TakeOutput(w));
        h.Run(w, "BZPOPMIN", "z", "0");
        Assert.Equal(":1\r\n", h.Run("CLIENT", "UNBLOCK", w.Id.ToString(), "ERROR"));
        Assert.StartsWith("-UNBLOCKED", h.TakeOutput(w));
    }

    [Fact]
    public void Swapdb_serves_waiters_whose_keys_now_exist_in_their_db()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("SELECT", "1");
        h.Run("ZADD", "k", "1", "m");
        h.Run("RPUSH", "l", "v");
        var zWaiter = h.NewClient();
        var lWaiter = h.NewClient();
        var other = h.NewClient();
        h.Run(zWaiter, "BZPOPMIN", "k", "0");
        h.Run(lWaiter, "BLPOP", "l", "0");
        h.Run(other, "SELECT", "1");
        h.Run(other, "BLPOP", "other", "0");

        Assert.Equal("+OK\r\n", h.Run("SWAPDB", "0", "1"));
        Assert.Equal(Resp("k", "m", "1"), h.TakeOutput(zWaiter));
        Assert.Equal(Resp("l", "v"), h.TakeOutput(lWaiter));
        Assert.Equal("", h.TakeOutput(other));
        Assert.Equal(1, h.Engine.Blocking.BlockedClients);
        // Served in db 0 (where they blocked), after the SWAPDB itself.
        Assert.Equal([(0, Resp("ZPOPMIN", "k")), (0, Resp("LPOP", "l"))], log.Commands.TakeLast(2));
        Assert.Equal(0, h.Engine.Keyspace[0].Count);
    }

    [Fact]
    public void Info_clients_counts_blocked_clients_and_those_with_a_deadline()
    {
        var h = new EngineHarness();
        var forever = h.NewClient();
        var timed = h.NewClient();
        h.Run(forever, "BLPOP", "l", "0");
        h.Run(timed, "BZPOPMIN", "z", "5");
        string info = h.Run("INFO", "clients");
        Assert.Contains("blocked_clients:2\r\n", info);
        Assert.Contains("tracking_clients:0\r\n", info);
        Assert.Contains("clients_in_timeout_table:1\r\n", info);
        h.Run("ZADD", "z", "1", "a");
        h.Run("RPUSH", "l", "a");
        info = h.Run("INFO", "clients");
        Assert.Contains("blocked_clients:0\r\n", info);
        Assert.Contains("clients_in_timeout_table:0\r\n", info);
    }

    [Fact]
    public void Info_blocked_clients_also_counts_clients_held_by_client_pause()
    {
        // redis-server 7.0.15: CLIENT PAUSE 1500 WRITE, then SET from another client -> blocked_clients:1,
        // clients_in_timeout_table:0 (blockClient counts BLOCKED_POSTPONE too).
        var h = new EngineHarness();
        var writer = h.NewClient();
        h.Run("CLIENT", "PAUSE", "100000", "WRITE");
        Assert.Equal("", h.Run(writer, "SET", "k", "v"));
        string info = h.Run("INFO", "clients");
        Assert.Contains("blocked_clients:1\r\n", info);
        Assert.Contains("clients_in_timeout_table:0\r\n", info);
        h.Run("CLIENT", "UNPAUSE");
        Assert.Contains("blocked_clients:0\r\n", h.Run("INFO", "clients"));
    }

    [Fact]
    public void A_served_command_is_counted_once_when_it_was_called_as_redis_does()
    {
        var h = new EngineHarness();
        var w = h.NewClient();
        h.Run("CONFIG", "RESETSTAT");
        h.Run(w, "BZPOPMIN", "z", "0");
        h.Run("ZADD", "z", "1", "a");
        Assert.NotEqual("", h.TakeOutput(w));
        string stats = h.Run("INFO", "commandstats");
        Assert.Contains("cmdstat_bzpopmin:calls=1,", stats);
        // CONFIG RESETSTAT, BZPOPMIN, ZADD, INFO commandstats: the serve does not add a call, nor a hit/miss.
        string info = h.Run("INFO", "stats");
        Assert.Contains("total_commands_processed:4\r\n", info);
        Assert.Contains("keyspace_hits:0\r\n", info);
        Assert.Contains("keyspace_misses:0\r\n", info);
    }

    [Fact]
    public void Waits_ended_by_an_error_or_client_unblock_count_one_error_and_a_failed_call()
    {
        // redis-server 7.0.15 after BLPOP + CLIENT UNBLOCK, BZPOPMIN + CLIENT UNBLOCK ERROR, BLPOP timing out:
        // blpop calls=2 failed_calls=1, bzpopmin failed_calls=1, client|unblock failed_calls=1 (the error reply
        // is written while CLIENT UNBLOCK runs), total_error_replies:1, errorstat_UNBLOCKED:count=1.
        var h = new EngineHarness();
        var w = h.NewClient();
        h.Run("CONFIG", "RESETSTAT");
        h.Run(w, "BLPOP", "k", "0");
        h.Run("CLIENT", "UNBLOCK", w.Id.ToString());
        Assert.Equal("*-1\r\n", h.TakeOutput(w));
        h.Run(w, "BZPOPMIN", "z", "0");
        h.Run("CLIENT", "UNBLOCK", w.Id.ToString(), "ERROR");
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", h.TakeOutput(w));
        h.Run(w, "BLPOP", "k", "0.05");
        h.Clock.Advance(TimeSpan.FromMilliseconds(50));
        h.Engine.Cron();
        Assert.Equal("*-1\r\n", h.TakeOutput(w));
        string stats = h.Run("INFO", "commandstats");
        Assert.Matches(@"cmdstat_blpop:calls=2,.*failed_calls=1\r\n", stats);
        Assert.Matches(@"cmdstat_bzpopmin:calls=1,.*failed_calls=1\r\n", stats);
        Assert.Matches(@"cmdstat_client\|unblock:calls=2,.*failed_calls=1\r\n", stats);
        Assert.Contains("total_error_replies:1\r\n", h.Run("INFO", "stats"));
        Assert.Contains("errorstat_UNBLOCKED:count=1\r\n", h.Run("INFO", "errorstats"));
    }

    [Fact]
    public void A_served_wrongtype_counts_one_error_and_fails_the_blocked_command()
    {
        // redis-server 7.0.15: BLMOVE src dst ...; SET dst x; RPUSH src v -> cmdstat_blmove failed_calls=1,
        // total_error_replies:1, errorstat_WRONGTYPE:count=1.
        var h = new EngineHarness();
        var w = h.NewClient();
        h.Run("CONFIG", "RESETSTAT");
        h.Run(w, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
        h.Run("SET", "dst", "x");
        h.Run("RPUSH", "src", "v");
        Assert.StartsWith("-WRONGTYPE", h.TakeOutput(w));
        string stats = h.Run("INFO", "commandstats");
        Assert.Matches(@"cmdstat_blmove:calls=1,.*failed_calls=1\r\n", stats);
        Assert.Matches(@"cmdstat_rpush:calls=1,.*failed_calls=0\r\n", stats);
        Assert.Contains("total_error_replies:1\r\n", h.Run("INFO", "stats"));
        Assert.Contains("errorstat_WRONGTYPE:count=1\r\n", h.Run("INFO", "errorstats"));
    }

    [Theory]
    // Outcomes recorded from redis-server 7.0.15 (BLPOP nokey <timeout>): Forever blocks with no deadline.
    [InlineData("-0.001", "forever")]
    [InlineData("-0.0001", "forever")]
    [InlineData("-0", "forever")]
    [InlineData("-1e-400", "forever")]
    // now + tval overflows in Redis: the client sits in the timeout table (INFO counts it) but never times out.
    [InlineData("9223372036854775.807", "overflow")]
    [InlineData("-0.002", "-ERR timeout is negative\r\n")]
    [InlineData("-0.01", "-ERR timeout is negative\r\n")]
    [InlineData("inf", "-ERR timeout is negative\r\n")]
    [InlineData("-inf", "-ERR timeout is negative\r\n")]
    [InlineData("1e400", "-ERR timeout is negative\r\n")]
    [InlineData("9223372036854775.808", "-ERR timeout is negative\r\n")]
    [InlineData("9223372036854775807", "-ERR timeout is negative\r\n")]
    [InlineData("9.3e15", "-ERR timeout is negative\r\n")]
    [InlineData("nan", "-ERR timeout is not a float or out of range\r\n")]
    [InlineData("1e-5000", "-ERR timeout is not a float or out of range\r\n")]
    [InlineData("1e4933", "-ERR timeout is not a float or out of range\r\n")]
    [InlineData(" 1", "-ERR timeout is not a float or out of range\r\n")]
    [InlineData("1 ", "-ERR timeout is not a float or out of range\r\n")]
    [InlineData("", "-ERR timeout is not a float or out of range\r\n")]
    [InlineData("1e", "-ERR timeout is not a float or out of range\r\n")]
    [InlineData("0x10", "16000")]
    [InlineData("0x0.01", "4")]
    [InlineData("0x1p-20", "1")]
    [InlineData("1e-400", "1")]
    [InlineData("0.0005", "1")]
    [InlineData("1.5", "1500")]
    public void Blocking_timeouts_follow_redis_long_double_rules(string timeout, string expected)
    {
        var h = new EngineHarness();
        var w = h.NewClient();
        string reply = h.Run(w, "BZPOPMIN", "nokey", timeout);
        if (expected.StartsWith('-'))
        {
            Assert.Equal(expected, reply);
            Assert.False(w.Has(ClientFlags.Blocked));
            return;
        }
        Assert.Equal("", reply);
        Assert.True(w.Has(ClientFlags.Blocked));
        if (expected is "forever" or "overflow")
        {
            Assert.Equal(expected == "forever" ? 0 : 1, h.Engine.Blocking.ClientsWithTimeout);
            h.Clock.Advance(TimeSpan.FromDays(365 * 1000));
            h.Engine.Cron();
            Assert.True(w.Has(ClientFlags.Blocked));
            return;
        }
        long ms = long.Parse(expected);
        h.Clock.Advance(TimeSpan.FromMilliseconds(ms - 1));
        h.Engine.Cron();
        Assert.True(w.Has(ClientFlags.Blocked));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        h.Engine.Cron();
        Assert.Equal("*-1\r\n", h.TakeOutput(w));
    }

    [Theory]
    [InlineData("-0.001", 0L)]
    [InlineData("-1e-400", 0L)]
    [InlineData("0x10", 16000L)]
    [InlineData("1e-400", 1L)]
    [InlineData("2.5", 2500L)]
    [InlineData("inf", long.MinValue)]
    [InlineData("1e400", long.MinValue)]
    [InlineData("9223372036854775.808", long.MinValue)]
    public void Long_double_multiply_and_ceil_matches_x87(string text, long expected)
    {
        Assert.True(LongDouble.TryParse(Encoding.ASCII.GetBytes(text), out var v));
        Assert.Equal(expected, v.MultiplyCeilToInt64(1000));
    }
}
