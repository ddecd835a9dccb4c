using RedisPanel.Engine.Commands;

namespace RedisPanel.Engine.Tests;

public class TransactionTests
{
    [Fact]
    public void Exec_runs_the_queue_and_wraps_several_writes_in_multi_exec()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        Assert.Equal("+OK\r\n", h.Run("MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run("SET", "a", "1"));
        Assert.Equal("+QUEUED\r\n", h.Run("ZADD", "z", "1", "m"));
        Assert.Equal("+QUEUED\r\n", h.Run("GET", "a"));
        Assert.Equal("*3\r\n+OK\r\n:1\r\n$1\r\n1\r\n", h.Run("EXEC"));
        Assert.Equal(new[] { "*1\r\n$5\r\nMULTI\r\n", "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n",
            "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\nm\r\n", "*1\r\n$4\r\nEXEC\r\n" }, log.Commands.Select(c => c.Command));
        Assert.False(h.Client.Has(ClientFlags.Multi));
    }

    [Fact]
    public void A_single_write_in_exec_is_propagated_alone()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("MULTI");
        h.Run("SET", "a", "1");
        h.Run("GET", "a");
        h.Run("EXEC");
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n", Assert.Single(log.Commands).Command);
    }

    [Fact]
    public void Queueing_error_aborts_with_execabort()
    {
        var h = new EngineHarness();
        h.Run("MULTI");
        h.Run("SET", "a", "1");
        Assert.StartsWith("-ERR wrong number of arguments", h.Run("GET"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", h.Run("EXEC"));
        Assert.Equal("$-1\r\n", h.Run("GET", "a"));
    }

    [Fact]
    public void Another_clients_write_to_a_watched_key_aborts_exec()
    {
        var h = new EngineHarness();
        var other = h.NewClient();
        h.Run("WATCH", "k");
        h.Run(other, "ZADD", "k", "1", "m");
        h.Run("MULTI");
        h.Run("SET", "x", "1");
        Assert.Equal("*-1\r\n", h.Run("EXEC"));
        Assert.Equal("$-1\r\n", h.Run("GET", "x"));
        Assert.Equal(0, TransactionCommands.WatchedKeyCount(h.Client));
    }

    [Fact]
    public void A_watched_key_expiring_before_exec_aborts_it()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        lock (h.Engine.SyncRoot) h.Engine.Keyspace[0].SetExpire("k"u8, h.Engine.Keyspace.NowMs + 1000);
        h.Run("WATCH", "k");
        h.Run("MULTI");
        h.Run("SET", "x", "1");
        h.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("*-1\r\n", h.Run("EXEC"));
    }

    [Fact]
    public void Resp3_dirty_exec_replies_null()
    {
        var h = new EngineHarness();
        h.Client.Writer.Protocol = 3;
        h.Run("WATCH", "k");
        h.Run("SET", "k", "1");
        h.Run("MULTI");
        Assert.Equal("_\r\n", h.Run("EXEC"));
    }

    [Fact]
    public void Flush_hook_touches_watchers_of_existing_keys_only()
    {
        var h = new EngineHarness();
        var other = h.NewClient();
        h.Run("SET", "k", "v");
        h.Run("WATCH", "k");
        h.Run(other, "WATCH", "missing");
        lock (h.Engine.SyncRoot) TransactionCommands.TouchAllWatched(h.Engine, 0);
        h.Run("MULTI");
        Assert.Equal("*-1\r\n", h.Run("EXEC"));
        h.Run(other, "MULTI");
        Assert.Equal("*0\r\n", h.Run(other, "EXEC"));
    }

    [Fact]
    public void Disconnect_forgets_watches()
    {
        var h = new EngineHarness();
        var other = h.NewClient();
        h.Run(other, "WATCH", "k");
        lock (h.Engine.SyncRoot) h.Engine.OnClientClosed(other);
        Assert.Equal(0, TransactionCommands.WatchedKeyCount(other));
        h.Run("SET", "k", "1"); // must not touch the closed client
        Assert.False(other.Has(ClientFlags.DirtyCas));
    }
}
