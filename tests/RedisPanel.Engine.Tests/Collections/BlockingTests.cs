using System.Diagnostics;

namespace RedisPanel.Engine.Tests.Collections;

public class BlockingTests
{
    private static string Pair(string key, string value) => $"*2\r\n${key.Length}\r\n{key}\r\n${value.Length}\r\n{value}\r\n";

    [Fact]
    public void Blpop_blocks_then_is_served_by_a_push_and_propagates_lpop_after_the_push()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        var waiter = h.NewClient();
        Assert.Equal("", h.Run(waiter, "BLPOP", "k", "0"));
        Assert.True(waiter.Has(ClientFlags.Blocked));
        Assert.False(waiter.Unblocked!.Task.IsCompleted);
        Assert.Empty(log.Commands);

        Assert.Equal(":2\r\n", h.Run("RPUSH", "k", "a", "b"));
        Assert.Equal(Pair("k", "a"), h.TakeOutput(waiter));
        Assert.False(waiter.Has(ClientFlags.Blocked));
        Assert.True(waiter.Unblocked!.Task.IsCompleted);
        Assert.Equal(["*4\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$4\r\nLPOP\r\n$1\r\nk\r\n"],
            log.Commands.Select(c => c.Command));
        Assert.Equal("*1\r\n$1\r\nb\r\n", h.Run("LRANGE", "k", "0", "-1"));
    }

    [Fact]
    public void Several_waiters_on_one_key_are_served_in_blocking_order()
    {
        var h = new EngineHarness();
        var first = h.NewClient();
        var second = h.NewClient();
        var third = h.NewClient();
        h.Run(first, "BRPOP", "q", "0");
        h.Run(second, "BLPOP", "other", "q", "0");
        h.Run(third, "BLPOP", "q", "0");
        Assert.Equal(":2\r\n", h.Run("RPUSH", "q", "x", "y"));
        Assert.Equal(Pair("q", "y"), h.TakeOutput(first));
        Assert.Equal(Pair("q", "x"), h.TakeOutput(second));
        Assert.Equal("", h.TakeOutput(third));
        Assert.True(third.Has(ClientFlags.Blocked));
        Assert.Equal(0, h.Engine.Keyspace[0].Count);
        // The second waiter no longer waits on "other" either.
        h.Run("RPUSH", "other", "z");
        Assert.Equal("", h.TakeOutput(second));
        Assert.Equal(1, h.Engine.Blocking.BlockedClients);
    }

    [Fact]
    public void Blmove_chain_serves_the_waiter_on_the_destination_and_propagates_lmove()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        var mover = h.NewClient();
        var popper = h.NewClient();
        h.Run(mover, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
        h.Run(popper, "BLPOP", "dst", "0");
        h.Run("LPUSH", "src", "v");
        Assert.Equal("$1\r\nv\r\n", h.TakeOutput(mover));
        Assert.Equal(Pair("dst", "v"), h.TakeOutput(popper));
        Assert.Equal(0, h.Engine.Keyspace[0].Count);
        Assert.Equal(3, log.Commands.Count);
        Assert.Equal("*5\r\n$5\r\nLMOVE\r\n$3\r\nsrc\r\n$3\r\ndst\r\n$5\r\nRIGHT\r\n$4\r\nLEFT\r\n", log.Commands[1].Command);
        Assert.Equal("*2\r\n$4\r\nLPOP\r\n$3\r\ndst\r\n", log.Commands[2].Command);
    }

    [Fact]
    public void Blmove_to_a_key_of_the_wrong_type_unblocks_with_wrongtype()
    {
        var h = new EngineHarness();
        var mover = h.NewClient();
        h.Run(mover, "BRPOPLPUSH", "src", "dst", "0");
        h.Run("SET", "dst", "string");
        h.Run("RPUSH", "src", "v");
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.TakeOutput(mover));
        Assert.Equal("*1\r\n$1\r\nv\r\n", h.Run("LRANGE", "src", "0", "-1"));
    }

    [Fact]
    public void Blmpop_served_with_count_propagates_pop_with_the_real_count()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        var waiter = h.NewClient();
        h.Run(waiter, "BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "5");
        h.Run("RPUSH", "b", "1", "2", "3");
        Assert.Equal("*2\r\n$1\r\nb\r\n*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n", h.TakeOutput(waiter));
        Assert.Equal("*3\r\n$4\r\nRPOP\r\n$1\r\nb\r\n$1\r\n3\r\n", log.Commands[^1].Command);
    }

    [Fact]
    public void A_key_of_another_type_keeps_the_waiter_blocked()
    {
        var h = new EngineHarness();
        var waiter = h.NewClient();
        h.Run(waiter, "BLPOP", "k", "0");
        h.Run("SADD", "k", "m");
        Assert.Equal("", h.TakeOutput(waiter));
        Assert.True(waiter.Has(ClientFlags.Blocked));
        h.Run("DEL", "k");
        h.Run("LPUSH", "k", "v");
        Assert.Equal(Pair("k", "v"), h.TakeOutput(waiter));
    }

    [Fact]
    public void Timeout_fires_on_the_node_clock_with_a_null_array()
    {
        var h = new EngineHarness();
        var waiter = h.NewClient();
        h.Run(waiter, "BLPOP", "k", "0.5");
        h.Clock.Advance(TimeSpan.FromMilliseconds(499));
        h.Engine.Cron();
        Assert.True(waiter.Has(ClientFlags.Blocked));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        h.Engine.Cron();
        Assert.Equal("*-1\r\n", h.TakeOutput(waiter));
        Assert.False(waiter.Has(ClientFlags.Blocked));
        h.Run("RPUSH", "k", "v");
        Assert.Equal("", h.TakeOutput(waiter));
    }

    [Fact]
    public async Task A_real_100ms_timeout_fires_promptly_from_the_timer()
    {
        var engine = new RedisEngine(new Config.ServerConfig(), TimeProvider.System, randomSeed: 1);
        ClientSession waiter;
        lock (engine.SyncRoot)
        {
            waiter = engine.CreateClient("127.0.0.1:1", "127.0.0.1:2");
            engine.Clients.Add(waiter.Id, waiter);
            engine.Execute(waiter, ["BLPOP"u8.ToArray(), "k"u8.ToArray(), "0.1"u8.ToArray()]);
            Assert.True(waiter.Has(ClientFlags.Blocked));
        }
        var sw = Stopwatch.StartNew();
        await waiter.Unblocked!.Task.WaitAsync(TimeSpan.FromSeconds(5));
        sw.Stop();
        // No cron runs here: only the registry's timer can fire it. Generous upper bound for loaded CI machines.
        Assert.InRange(sw.ElapsedMilliseconds, 95, 2000);
        lock (engine.SyncRoot)
        {
            var buf = waiter.TakeOutput();
            Assert.Equal("*-1\r\n", System.Text.Encoding.ASCII.GetString(buf!.WrittenSpan));
        }
    }

    [Fact]
    public void Client_unblock_replies_timeout_or_error()
    {
        var h = new EngineHarness();
        var a = h.NewClient();
        var b = h.NewClient();
        h.Run(a, "BLPOP", "k", "0");
        h.Run(b, "BLMOVE", "k", "d", "LEFT", "LEFT", "0");
        Assert.Equal(":1\r\n", h.Run("CLIENT", "UNBLOCK", a.Id.ToString()));
        Assert.Equal("*-1\r\n", h.TakeOutput(a));
        Assert.Equal(":1\r\n", h.Run("CLIENT", "UNBLOCK", b.Id.ToString(), "ERROR"));
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", h.TakeOutput(b));
        Assert.Equal(":0\r\n", h.Run("CLIENT", "UNBLOCK", a.Id.ToString()));
        Assert.Equal("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", h.Run("CLIENT", "UNBLOCK", "1", "x"));
    }

    [Fact]
    public void A_disconnected_waiter_is_forgotten()
    {
        var h = new EngineHarness();
        var a = h.NewClient();
        var b = h.NewClient();
        h.Run(a, "BLPOP", "k", "0");
        h.Run(b, "BLPOP", "k", "0");
        lock (h.Engine.SyncRoot) a.CancelBlock!(a);
        h.Run("RPUSH", "k", "v");
        Assert.Equal("", h.TakeOutput(a));
        Assert.Equal(Pair("k", "v"), h.TakeOutput(b));
    }

    [Fact]
    public void In_a_transaction_blocking_commands_answer_like_their_non_blocking_form()
    {
        var h = new EngineHarness();
        h.Client.Flags |= ClientFlags.Multi;
        Assert.Equal("*-1\r\n", h.Run("BLPOP", "k", "0"));
        Assert.Equal("*-1\r\n", h.Run("BLMPOP", "0", "1", "k", "LEFT"));
        Assert.Equal("$-1\r\n", h.Run("BLMOVE", "k", "d", "LEFT", "LEFT", "0"));
        Assert.Equal("$-1\r\n", h.Run("BRPOPLPUSH", "k", "d", "0"));
        Assert.False(h.Client.Has(ClientFlags.Blocked));
    }

    [Fact]
    public void Timeout_errors_match_redis()
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", h.Run("BLPOP", "k", "abc"));
        Assert.Equal("-ERR timeout is negative\r\n", h.Run("BLPOP", "k", "-1"));
        Assert.Equal("-ERR timeout is negative\r\n", h.Run("BLPOP", "k", "inf"));
        Assert.Equal("-ERR timeout is negative\r\n", h.Run("BLPOP", "k", "1e20"));
        Assert.Equal("", h.Run("BLPOP", "k", "-0.0001")); // ceil(-0.1) = -0: blocks forever, like Redis
    }
}
