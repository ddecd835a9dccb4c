// Redis 7.0 behaviours at the master/replica boundary: EXEC of a queued write on a read-only replica (processCommand's
// is_write_command -> execCommandAbort with READONLY) and WAIT's per-client target offset (c->woff).
namespace RedisPanel.Replication.Tests;

public sealed class ReplicaParityTests
{
    private const string ReadOnlyAbort = "-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n";

    private static MasterHarness ReplicaHarness(Action<Engine.Config.ServerConfig>? configure = null)
    {
        // The master never answers: the node is a replica (read-only) whatever its link does.
        var (ours, _) = DuplexStream.CreatePair();
        return new MasterHarness(configure, connector: (_, _, _) => Task.FromResult<Stream>(ours));
    }

    [Fact]
    public async Task ExecOfAWriteQueuedBeforeTurningReplicaIsAbortedWithReadonly()
    {
        var h = ReplicaHarness();
        var writer = h.NewClient();
        var reader = h.NewClient();
        Assert.Equal("+OK\r\n", h.Run(writer, "MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run(writer, "GET", "k"));
        Assert.Equal("+QUEUED\r\n", h.Run(writer, "SET", "k", "v"));
        Assert.Equal("+OK\r\n", h.Run(reader, "MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run(reader, "GET", "k"));
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "127.0.0.1", "7000"));

        Assert.Equal(ReadOnlyAbort, h.Run(writer, "EXEC"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", h.Run(writer, "EXEC")); // discarded
        Assert.Equal("$-1\r\n", h.Run(writer, "GET", "k"));
        Assert.Equal("*1\r\n$-1\r\n", h.Run(reader, "EXEC")); // reads only: runs
        // Queued after the change: refused at queue time, EXEC aborts for the previous error.
        Assert.Equal("+OK\r\n", h.Run(writer, "MULTI"));
        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", h.Run(writer, "SET", "k", "v"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", h.Run(writer, "EXEC"));
        await h.Replica!.StopAsync();
    }

    [Fact]
    public async Task ExecOfAQueuedWriteRunsOnAWritableReplica()
    {
        var h = ReplicaHarness(c => c.ReplicaReadOnly = false);
        Assert.Equal("+OK\r\n", h.Run("MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run("SET", "k", "v"));
        Assert.Equal("+OK\r\n", h.Run(h.NewClient(), "REPLICAOF", "127.0.0.1", "7000"));
        Assert.Equal("*1\r\n+OK\r\n", h.Run("EXEC"));
        await h.Replica!.StopAsync();
    }

    [Fact]
    public void WaitTargetsTheClientsOwnLastCommandOffsetNotTheLatest()
    {
        var h = new MasterHarness();
        var (replica, _, _, _) = MasterTests.FullSync(h);
        var fresh = h.NewClient();
        var early = h.NewClient();
        var late = h.NewClient();

        h.Run(early, "SET", "a", "1");
        long acked = h.Engine.ReplOffset;
        h.Run(replica, "REPLCONF", "ACK", acked.ToString());
        h.Run(late, "SET", "b", "2"); // not acknowledged

        // waitCommand: c->woff. A client that ran nothing waits for 0; one whose write is acked does not wait for others'.
        Assert.Equal(":1\r\n", h.Run(fresh, "WAIT", "1", "0"));
        Assert.Equal(":1\r\n", h.Run(early, "WAIT", "1", "0"));
        Assert.Equal("", h.Run(late, "WAIT", "1", "0"));
        Assert.True(late.Has(Engine.ClientFlags.Blocked));
        // woff is taken after every command, not only writes: a read now makes `early` wait for `late`'s write too.
        Assert.Equal("$1\r\n1\r\n", h.Run(early, "GET", "a"));
        Assert.Equal("", h.Run(early, "WAIT", "1", "0"));
        Assert.Contains(MasterHarness.Cmd("REPLCONF", "GETACK", "*"), h.Take(replica));
        // The GETACK went out after the WAITs' calls (beforeSleep), so an ACK of the writes releases both.
        h.Run(replica, "REPLCONF", "ACK", (h.Engine.ReplOffset - MasterHarness.Cmd("REPLCONF", "GETACK", "*").Length).ToString());
        Assert.Equal(":1\r\n", h.Take(late));
        Assert.Equal(":1\r\n", h.Take(early));
        Assert.Equal(":1\r\n", h.Run(late, "WAIT", "1", "0"));
    }
}
