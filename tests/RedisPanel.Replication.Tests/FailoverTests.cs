// Coordinated FAILOVER and write safety on one in-memory engine: argument and state errors with Redis 7.0's texts,
// the state machine (no-failover → waiting-for-sync → failover-in-progress → no-failover) driven by a fake replica's
// ACKs and the cron under a manual clock, the write pause (postponed writes, CLIENT UNPAUSE does not lift it), the
// PSYNC ... FAILOVER wire to a scripted target, timeout/force/abort, min-replicas-to-write, MASTERDOWN, and the
// target side of PSYNC FAILOVER.
using System.Text;
using System.Text.RegularExpressions;
using RedisPanel.Engine;

namespace RedisPanel.Replication.Tests;

public sealed class FailoverTests
{

    private static readonly MasterConnector Refused = (_, _, _) => Task.FromException<Stream>(new IOException("connection refused"));

    /// <summary>Attaches a replica announcing <paramref name="port"/>, online (full sync done), ACKed at 0.</summary>
    private static ClientSession AttachReplica(MasterHarness h, int port = 7777)
    {
        var r = h.NewClient();
        Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "listening-port", port.ToString()));
        // No `capa eof`: the disk path starts at once (a diskless one would wait repl-diskless-sync-delay).
        Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "capa", "psync2"));
        var sb = new StringBuilder(h.Run(r, "PSYNC", "?", "-1"));
        // Online once its output drained (the whole RDB read), as MasterTests.FullSync.
        h.ReadUntil(r, sb, s => MasterTests.RdbComplete(s) && MasterTests.IsOnline(h, r));
        return r;
    }


    /// <summary>Polls a client's output until something arrived (a held command's late reply).</summary>
    private static string NextReply(MasterHarness h, ClientSession c)
    {
        string got = "";
        Poll.Until(() => (got = h.Take(c)).Length > 0, "a reply");
        return got;
    }

    private static string Field(string info, string name) =>
        Regex.Match(info, "^" + Regex.Escape(name) + ":(.*?)\r$", RegexOptions.Multiline).Groups[1].Value;

    private static string State(MasterHarness h) => Field(h.Run("INFO", "replication"), "master_failover_state");

    private static void Ack(MasterHarness h, ClientSession replica)
    {
        h.Take(replica); // the stream it was sent
        Assert.Equal("", h.Run(replica, "REPLCONF", "ACK", h.Engine.ReplOffset.ToString()));
    }

    [Fact]
    public void ArgumentAndStateErrorsUseRedisTexts()
    {
        var h = new MasterHarness(connector: Refused);
        Assert.Equal("-ERR FAILOVER requires connected replicas.\r\n", h.Run("FAILOVER"));
        Assert.Equal("-ERR No failover in progress.\r\n", h.Run("FAILOVER", "ABORT"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("FAILOVER", "ABORT", "x"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("FAILOVER", "TO", "h"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("FAILOVER", "TO", "h", "x"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("FAILOVER", "TO", "h", "1", "TO", "h", "2"));
        Assert.Equal("-ERR FAILOVER timeout must be greater than 0\r\n", h.Run("FAILOVER", "TIMEOUT", "0"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("FAILOVER", "TIMEOUT", "x"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("FAILOVER", "TIMEOUT", "1", "TIMEOUT", "2"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("FAILOVER", "FORCE", "FORCE"));
        Assert.Equal("-ERR FAILOVER requires connected replicas.\r\n", h.Run("FAILOVER", "FORCE"));
        AttachReplica(h);
        Assert.Equal("-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n", h.Run("FAILOVER", "FORCE", "TIMEOUT", "5"));
        Assert.Equal("-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n", h.Run("FAILOVER", "TO", "127.0.0.1", "7777", "FORCE"));
        Assert.Equal("-ERR FAILOVER target HOST and PORT is not a replica.\r\n", h.Run("FAILOVER", "TO", "127.0.0.1", "7778"));
        Assert.Equal("-ERR PSYNC FAILOVER can't be sent to a master.\r\n", h.Run("PSYNC", "x", "y", "FAILOVER"));
        Assert.Equal("no-failover", State(h));
    }

    [Fact]
    public void ATargetStillWaitingForItsSnapshotIsNotOnline()
    {
        var h = new MasterHarness(connector: Refused);
        // Holding the node's lock keeps the sync job from completing (it takes the lock to put replicas online).
        lock (h.Engine.SyncRoot)
        {
            var r = h.NewClient();
            Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "listening-port", "7777"));
            Assert.StartsWith("+FULLRESYNC ", h.Run(r, "PSYNC", "?", "-1"));
            Assert.Equal("-ERR FAILOVER target replica is not online.\r\n", h.Run("FAILOVER", "TO", "127.0.0.1", "7777"));
            Assert.Equal("-ERR FAILOVER target HOST and PORT is not a replica.\r\n", h.Run("FAILOVER", "TO", "127.0.0.1", "7778"));
            Assert.Equal("no-failover", State(h));
        }
    }

    [Fact]
    public async Task WaitsForTheExactAckWithWritesPausedThenSendsPsyncFailoverAndCompletesOnContinue()
    {
        var (ours, theirs) = DuplexStream.CreatePair();
        string? dialed = null;
        var h = new MasterHarness(connector: (host, port, _) =>
        {
            dialed = $"{host}:{port}";
            return Task.FromResult<Stream>(ours);
        });
        var replica = AttachReplica(h);
        h.Run("SET", "k", "v");
        h.Engine.Cron(); // the first periodic ping goes out now, not during the check below
        h.Take(replica);
        string oldId = h.Engine.ReplId;
        long offset = h.Engine.ReplOffset;

        Assert.Equal("+OK\r\n", h.Run("FAILOVER", "TO", "127.0.0.1", "7777"));
        Assert.Equal("waiting-for-sync", State(h));
        // Writes wait (no reply yet); reads go on; CLIENT UNPAUSE lifts only its own pause.
        var writer = h.NewClient();
        Assert.Equal("", h.Run(writer, "SET", "late", "1"));
        Assert.Equal("$1\r\nv\r\n", h.Run("GET", "k"));
        Assert.Equal("+OK\r\n", h.Run("CLIENT", "UNPAUSE"));
        Assert.Equal("", h.Take(writer));
        Assert.Equal("-ERR FAILOVER already in progress.\r\n", h.Run("FAILOVER"));
        Assert.Equal("-ERR REPLICAOF not allowed while failing over.\r\n", h.Run("REPLICAOF", "NO", "ONE"));
        Assert.Equal("-NOMASTERLINK Can't SYNC while failing over\r\n", h.Run(h.NewClient(), "PSYNC", "?", "-1"));
        // The cron waits while the ACK is behind.
        h.Engine.Cron();
        Assert.Equal("waiting-for-sync", State(h));
        Assert.Equal(offset, h.Engine.ReplOffset); // nothing was fed to the stream while paused

        Ack(h, replica);
        h.Engine.Cron();
        Assert.Equal("failover-in-progress", State(h));
        Assert.StartsWith("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:7777\r\n", h.Run("ROLE"));

        var m = new MasterLinkReader(theirs);
        async Task Send(string s) { await theirs.WriteAsync(Encoding.Latin1.GetBytes(s)); await theirs.FlushAsync(); }
        Assert.Equal("PING", await ReadCommandAsync(m));
        await Send("+PONG\r\n");
        Assert.StartsWith("REPLCONF listening-port", await ReadCommandAsync(m));
        await Send("+OK\r\n");
        Assert.Equal("REPLCONF capa eof capa psync2", await ReadCommandAsync(m));
        await Send("+OK\r\n");
        // The exact wire: our own history and the first byte we lack, plus FAILOVER.
        Assert.Equal($"PSYNC {oldId} {offset + 1} FAILOVER", await ReadCommandAsync(m));
        Assert.Equal("127.0.0.1:7777", dialed);
        string newId = new('7', 40);
        await Send($"+CONTINUE {newId}\r\n");
        Poll.Until(() => State(h) == "no-failover", "failover completed");
        // The held write ran after the pause and met a replica: refused, never acknowledged.
        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", NextReply(h, writer));
        Assert.Equal(newId, h.Engine.ReplId);
        Assert.Equal(oldId, h.Engine.ReplId2);
        Assert.Equal("-ERR FAILOVER is not valid when server is a replica.\r\n", h.Run("FAILOVER"));
        await h.Replica!.StopAsync();
    }

    private static async Task<string> ReadCommandAsync(MasterLinkReader r)
    {
        using var cts = new CancellationTokenSource(Poll.Timeout);
        string header = await r.ReadLineAsync(cts.Token);
        Assert.StartsWith("*", header);
        int n = int.Parse(header[1..]);
        var parts = new List<string>();
        for (int i = 0; i < n; i++)
        {
            await r.ReadLineAsync(cts.Token); // $len
            parts.Add(await r.ReadLineAsync(cts.Token));
        }
        return string.Join(' ', parts);
    }

    [Fact]
    public async Task ARejectedPsyncAbortsAndTheNodeIsAMasterAgainWithANewHistory()
    {
        var (ours, theirs) = DuplexStream.CreatePair();
        var h = new MasterHarness(connector: (_, _, _) => Task.FromResult<Stream>(ours));
        var replica = AttachReplica(h);
        string oldId = h.Engine.ReplId;
        Assert.Equal("+OK\r\n", h.Run("FAILOVER"));
        var writer = h.NewClient();
        Assert.Equal("", h.Run(writer, "SET", "late", "1"));
        Ack(h, replica);
        h.Engine.Cron();
        Assert.Equal("failover-in-progress", State(h));
        var m = new MasterLinkReader(theirs);
        async Task Send(string s) { await theirs.WriteAsync(Encoding.Latin1.GetBytes(s)); await theirs.FlushAsync(); }
        for (int i = 0; i < 3; i++)
        {
            await ReadCommandAsync(m);
            await Send("+OK\r\n");
        }
        Assert.EndsWith(" FAILOVER", await ReadCommandAsync(m));
        await Send("-ERR PSYNC FAILOVER replid must match my replid.\r\n");
        Poll.Until(() => State(h) == "no-failover", "failover aborted");
        Assert.StartsWith("*3\r\n$6\r\nmaster\r\n", h.Run("ROLE"));
        Assert.Equal(oldId, h.Engine.ReplId2);
        Assert.NotEqual(oldId, h.Engine.ReplId);
        Assert.Equal("+OK\r\n", NextReply(h, writer));
    }

    [Fact]
    public void TimeoutAbortsWithoutForceAndSwitchesWithForceUntilAborted()
    {
        var h = new MasterHarness(connector: Refused);
        AttachReplica(h);
        h.Run("SET", "k", "v");
        Assert.Equal("+OK\r\n", h.Run("FAILOVER", "TIMEOUT", "500"));
        var writer = h.NewClient();
        Assert.Equal("", h.Run(writer, "INCR", "n"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(400));
        h.Engine.Cron();
        Assert.Equal("waiting-for-sync", State(h));
        h.Clock.Advance(TimeSpan.FromMilliseconds(100));
        h.Engine.Cron();
        Assert.Equal("no-failover", State(h));
        Assert.Equal(":1\r\n", h.Take(writer));
        Assert.StartsWith("*3\r\n$6\r\nmaster\r\n", h.Run("ROLE"));

        Assert.Equal("+OK\r\n", h.Run("FAILOVER", "TO", "127.0.0.1", "7777", "TIMEOUT", "100", "FORCE"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(100));
        h.Engine.Cron();
        Assert.Equal("failover-in-progress", State(h));
        Assert.StartsWith("*5\r\n$5\r\nslave\r\n", h.Run("ROLE"));
        Assert.Equal("+OK\r\n", h.Run("FAILOVER", "ABORT"));
        Assert.Equal("no-failover", State(h));
        Assert.StartsWith("*3\r\n$6\r\nmaster\r\n", h.Run("ROLE"));
        Assert.Equal(":2\r\n", h.Run("INCR", "n"));
    }

    [Fact]
    public void AnyReplicaThatCatchesUpBecomesTheTarget()
    {
        var h = new MasterHarness(connector: Refused);
        var a = AttachReplica(h, 7001);
        var b = AttachReplica(h, 7002);
        h.Run("SET", "k", "v");
        Assert.Equal("+OK\r\n", h.Run("FAILOVER"));
        h.Engine.Cron();
        Assert.Equal("waiting-for-sync", State(h));
        Ack(h, b);
        h.Engine.Cron();
        Assert.Equal("failover-in-progress", State(h));
        Assert.Equal("127.0.0.1:7002", h.Master.FailoverTarget);
        Assert.Equal("+OK\r\n", h.Run("FAILOVER", "ABORT"));
        GC.KeepAlive(a);
    }

    [Fact]
    public void MinReplicasToWriteRefusesWritesUntilEnoughGoodReplicas()
    {
        var h = new MasterHarness(connector: Refused);
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "min-replicas-to-write", "1"));
        h.Engine.Cron();
        Assert.Equal("-NOREPLICAS Not enough good replicas to write.\r\n", h.Run("SET", "a", "1"));
        Assert.Equal("$-1\r\n", h.Run("GET", "a"));
        Assert.Equal("+OK\r\n+QUEUED\r\n-NOREPLICAS Not enough good replicas to write.\r\n-EXECABORT Transaction discarded because of previous errors.\r\n",
            h.Run("MULTI") + h.Run("GET", "a") + h.Run("SET", "a", "1") + h.Run("EXEC"));
        string info = h.Run("INFO", "replication");
        Assert.Contains("connected_slaves:0\r\nmin_slaves_good_slaves:0\r\n", info);

        var replica = AttachReplica(h);
        h.Engine.Cron(); // a replica came online: counted right away
        Assert.Equal("1", Field(h.Run("INFO", "replication"), "min_slaves_good_slaves"));
        Assert.Equal("+OK\r\n", h.Run("SET", "a", "1"));
        // Silent past min-replicas-max-lag (10 s): no longer good at the next once-a-second refresh.
        h.Clock.Advance(TimeSpan.FromSeconds(11));
        h.Engine.Cron();
        Assert.Equal("-NOREPLICAS Not enough good replicas to write.\r\n", h.Run("SET", "a", "2"));
        Ack(h, replica);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        h.Engine.Cron();
        Assert.Equal("+OK\r\n", h.Run("SET", "a", "3"));
        // Off when either setting is 0: no INFO line, writes pass.
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "min-replicas-max-lag", "0"));
        Assert.DoesNotContain("min_slaves_good_slaves", h.Run("INFO", "replication"));
    }

    [Fact]
    public async Task StaleReplicaAnswersMasterdownExceptForStaleCommands()
    {
        var h = new MasterHarness(connector: Refused);
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "127.0.0.1", "1"));
        Assert.Equal("$-1\r\n", h.Run("GET", "a")); // serve-stale-data yes (default)
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "replica-serve-stale-data", "no"));
        const string down = "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n";
        Assert.Equal(down, h.Run("GET", "a"));
        Assert.Equal(down, h.Run("PING"));
        Assert.Equal(down, h.Run("DBSIZE"));
        Assert.Equal(down, h.Run("WAIT", "0", "0"));
        Assert.Equal(down, h.Run(h.NewClient(), "PSYNC", "?", "-1"));
        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", h.Run("FLUSHALL"));
        Assert.Equal("$1\r\nx\r\n", h.Run("ECHO", "x"));
        Assert.Equal("+OK\r\n", h.Run("SELECT", "1"));
        Assert.Equal("-ERR FAILOVER is not valid when server is a replica.\r\n", h.Run("FAILOVER"));
        Assert.StartsWith("$", h.Run("INFO", "replication"));
        Assert.Equal("+OK\r\n+QUEUED\r\n" + down + "-EXECABORT Transaction discarded because of previous errors.\r\n",
            h.Run("MULTI") + h.Run("ECHO", "b") + h.Run("GET", "a") + h.Run("EXEC"));
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "NO", "ONE"));
        Assert.Equal("+PONG\r\n", h.Run("PING"));
        await h.Replica!.StopAsync();
    }

    [Fact]
    public async Task PsyncFailoverPromotesAReplicaWhoseIdMatchesAndContinues()
    {
        var (ours, theirs) = DuplexStream.CreatePair();
        var h = new MasterHarness(connector: (_, _, _) => Task.FromResult<Stream>(ours));
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "127.0.0.1", "7000"));
        var m = new MasterLinkReader(theirs);
        async Task Send(string s) { await theirs.WriteAsync(Encoding.Latin1.GetBytes(s)); await theirs.FlushAsync(); }
        for (int i = 0; i < 3; i++)
        {
            await ReadCommandAsync(m);
            await Send("+OK\r\n");
        }
        Assert.StartsWith("PSYNC ", await ReadCommandAsync(m));
        string masterId = new('9', 40);
        await Send($"+CONTINUE {masterId}\r\n");
        Poll.Until(() => Field(h.Run("INFO", "replication"), "master_link_status") == "up", "link up");
        long offset = h.Engine.ReplOffset;

        var old = h.NewClient();
        Assert.Equal("-ERR PSYNC FAILOVER replid must match my replid.\r\n", h.Run(old, "PSYNC", new string('1', 40), (offset + 1).ToString(), "FAILOVER"));
        Assert.Equal("+OK\r\n", h.Run(old, "REPLCONF", "capa", "psync2"));
        string reply = h.Run(old, "PSYNC", masterId, (offset + 1).ToString(), "FAILOVER");
        Assert.Equal($"+CONTINUE {h.Engine.ReplId}\r\n", reply);
        Assert.NotEqual(masterId, h.Engine.ReplId);
        Assert.Equal(masterId, h.Engine.ReplId2);
        Assert.Equal(offset + 1, h.Engine.SecondReplOffset);
        Assert.StartsWith("*3\r\n$6\r\nmaster\r\n", h.Run("ROLE"));
        Assert.Equal("+OK\r\n", h.Run("SET", "k", "v"));
        await h.Replica!.StopAsync();
    }
}
