using System.Text;
using System.Text.RegularExpressions;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Replication.Tests;

public sealed class MasterTests
{
    private static readonly string Select0 = MasterHarness.Cmd("SELECT", "0");

    /// <summary>Runs a full sync for a new replica; returns (replica, replid, stream after the RDB, the RDB).</summary>
    internal static (Engine.ClientSession Replica, string ReplId, string After, byte[] Rdb) FullSync(MasterHarness h, int port = 7777)
    {
        var r = h.NewClient();
        Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "listening-port", port.ToString()));
        // No `capa eof`: the disk path ($len framing), started at once (diskless transfers are in DisklessSyncTests).
        Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "capa", "psync2"));
        var sb = new StringBuilder(h.Run(r, "PSYNC", "?", "-1"));
        // Online once its output drained (as Redis after the last byte of the file): the stream follows from then on.
        string all = h.ReadUntil(r, sb, s => Regex.IsMatch(s, @"\$(\d+)\r\n") && RdbComplete(s) && IsOnline(h, r));
        var m = Regex.Match(all, @"^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n\n*\$(\d+)\r\n", RegexOptions.Singleline);
        Assert.True(m.Success, all[..Math.Min(200, all.Length)]);
        int len = int.Parse(m.Groups[3].Value);
        var rdb = Encoding.Latin1.GetBytes(all.Substring(m.Length, len));
        return (r, m.Groups[1].Value, all[(m.Length + len)..], rdb);
    }

    internal static bool IsOnline(MasterHarness h, Engine.ClientSession r)
    {
        lock (h.Engine.SyncRoot) return h.Master.Replicas.Any(x => x.Client == r && x.State == ReplicaState.Online);
    }

    internal static bool RdbComplete(string s)
    {
        var m = Regex.Match(s, @"\$(\d+)\r\n");
        return m.Success && s.Length >= m.Index + m.Length + int.Parse(m.Groups[1].Value);
    }

    [Fact]
    public void FullSyncSendsFullresyncThenTheRdbThenTheStreamWithSelect()
    {
        var h = new MasterHarness();
        h.Run("SET", "before", "1");
        h.Run("RPUSH", "list", "a", "b");
        string idBefore = h.Engine.ReplId;
        var (replica, replId, after, rdb) = FullSync(h);
        // The first replica starts a new history (Redis 7.0 changes master_replid when the backlog is created).
        Assert.NotEqual(idBefore, replId);
        Assert.Equal(h.Engine.ReplId, replId);
        Assert.StartsWith("REDIS0010", Encoding.ASCII.GetString(rdb, 0, 9));
        var loaded = new Keyspace(16, TimeProvider.System);
        RdbReader.Load(rdb, "sync", loaded, new RdbLoadOptions());
        Assert.NotNull(loaded[0].Peek("before"u8));
        Assert.NotNull(loaded[0].Peek("list"u8));
        Assert.Equal("", after);

        h.Run("SET", "k", "v");
        h.Run("SELECT", "3");
        h.Run("SET", "k3", "v3");
        string stream = h.Take(replica);
        string expected = Select0 + MasterHarness.Cmd("SET", "k", "v") + MasterHarness.Cmd("SELECT", "3") + MasterHarness.Cmd("SET", "k3", "v3");
        Assert.Equal(expected, stream);
        Assert.Equal(expected.Length, h.Engine.ReplOffset);
        Assert.Equal(1, h.Engine.Stats.SyncFull);
        Assert.Equal(0, h.Engine.Stats.SyncPartialErr);
    }

    [Fact]
    public void WritesDuringTheSnapshotAreBufferedAndFollowTheRdb()
    {
        var h = new MasterHarness();
        var r = h.NewClient();
        string head;
        lock (h.Engine.SyncRoot)
        {
            // The job serialises only after the lock is released, so this write lands in its buffer.
            head = h.Run(r, "PSYNC", "?", "-1");
            h.Run("SET", "during", "x");
            Assert.Null(h.Engine.Keyspace[0].Peek("nothing"u8));
        }
        Assert.StartsWith("+FULLRESYNC ", head);
        Assert.EndsWith(" 0\r\n", head);
        var sb = new StringBuilder(head);
        string expectedTail = Select0 + MasterHarness.Cmd("SET", "during", "x");
        string all = h.ReadUntil(r, sb, s => s.EndsWith(expectedTail) && RdbComplete(s));
        var m = Regex.Match(all, @"\$(\d+)\r\n");
        var rdb = Encoding.Latin1.GetBytes(all.Substring(m.Index + m.Length, int.Parse(m.Groups[1].Value)));
        var loaded = new Keyspace(16, TimeProvider.System);
        RdbReader.Load(rdb, "sync", loaded, new RdbLoadOptions());
        Assert.Null(loaded[0].Peek("during"u8)); // the snapshot is the dataset at the FULLRESYNC offset
    }

    [Fact]
    public void OneSnapshotServesReplicasThatAskWhileItIsPrepared()
    {
        var h = new MasterHarness();
        h.Run("SET", "k", "v");
        var a = h.NewClient();
        var b = h.NewClient();
        string ha, hb;
        lock (h.Engine.SyncRoot)
        {
            ha = h.Run(a, "PSYNC", "?", "-1");
            hb = h.Run(b, "SYNC");
        }
        Assert.StartsWith("+FULLRESYNC", ha);
        Assert.Equal("", hb); // legacy SYNC: no +FULLRESYNC line
        h.ReadUntil(a, new StringBuilder(ha), RdbComplete);
        h.ReadUntil(b, new StringBuilder(hb), RdbComplete);
        Assert.Equal(1, h.Master.SnapshotsTaken);
        Assert.Equal(2, h.Engine.Stats.SyncFull);
    }

    [Fact]
    public void AWriteFedToTheBacklogAllocatesNothing()
    {
        // A steady write load must not feed the GC: each collection would stall the node (and so the replicas'
        // lag) for milliseconds once the dataset is large. A SET that overwrites a value of the same length is
        // stored in place; its propagation into the backlog must not allocate either.
        var h = new MasterHarness();
        var (replica, _, _, _) = FullSync(h);
        h.Disconnect(replica); // the backlog stays and takes the stream
        var c = h.NewClient();
        var args = new Protocol.ArgList();
        args.Reset(["SET"u8.ToArray(), "key"u8.ToArray(), new byte[100]]);
        void Burst(int n)
        {
            lock (h.Engine.SyncRoot)
            {
                for (int i = 0; i < n; i++)
                {
                    h.Engine.Execute(c, args);
                    var output = c.TakeOutput();
                    if (output is not null) c.ReturnOutput(output);
                }
            }
        }
        Burst(1000); // first use of every buffer
        long offset = h.Engine.ReplOffset;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Burst(10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(offset + 10_000L * MasterHarness.Cmd("SET", "key", new string('\0', 100)).Length, h.Engine.ReplOffset);
        Assert.True(allocated < 1024, $"{allocated} bytes allocated by 10,000 propagated SETs");
    }

    [Fact]
    public void PartialResyncAfterTheLinkDropsContinuesFromTheBacklog()
    {
        var h = new MasterHarness();
        var (replica, replId, _, _) = FullSync(h);
        h.Run("SET", "a", "1");
        string applied = h.Take(replica);
        long ackOffset = applied.Length;
        h.Run(replica, "REPLCONF", "ACK", ackOffset.ToString());
        h.Disconnect(replica);
        Assert.Empty(h.Master.Replicas);

        h.Run("SET", "b", "2");
        var again = h.NewClient();
        h.Run(again, "REPLCONF", "capa", "psync2");
        string reply = h.Run(again, "PSYNC", replId, (ackOffset + 1).ToString());
        Assert.Equal($"+CONTINUE {replId}\r\n" + MasterHarness.Cmd("SET", "b", "2"), reply);
        Assert.Equal(1, h.Engine.Stats.SyncPartialOk);
        // Online at once: later writes stream directly.
        h.Run("SET", "c", "3");
        Assert.Equal(MasterHarness.Cmd("SET", "c", "3"), h.Take(again));
    }

    [Fact]
    public void ContinueWithoutPsync2CapaHasNoId()
    {
        var h = new MasterHarness();
        var (replica, replId, _, _) = FullSync(h);
        h.Disconnect(replica);
        var again = h.NewClient();
        Assert.Equal("+CONTINUE\r\n", h.Run(again, "PSYNC", replId, (h.Engine.ReplOffset + 1).ToString()));
    }

    [Fact]
    public void RefusedPartialResyncFallsBackToFullAndCountsAnError()
    {
        var h = new MasterHarness();
        var (replica, replId, _, _) = FullSync(h);
        h.Disconnect(replica);
        var again = h.NewClient();
        string reply = h.Run(again, "PSYNC", new string('e', 40), "1");
        Assert.StartsWith($"+FULLRESYNC {replId} ", reply);
        Assert.Equal(1, h.Engine.Stats.SyncPartialErr);
        Assert.Equal(2, h.Engine.Stats.SyncFull);
        h.ReadUntil(again, new StringBuilder(reply), RdbComplete);
    }

    [Fact]
    public void PromotedNodeAcceptsTheOldIdUpToOffsetPlusOne()
    {
        var h = new MasterHarness();
        var (replica, oldId, _, _) = FullSync(h);
        h.Run("SET", "x", "1");
        h.Disconnect(replica);
        long offset = h.Engine.ReplOffset;
        lock (h.Engine.SyncRoot) h.Master.Promote();
        Assert.Equal(oldId, h.Engine.ReplId2);
        Assert.Equal(offset + 1, h.Engine.SecondReplOffset);
        var sibling = h.NewClient();
        h.Run(sibling, "REPLCONF", "capa", "psync2");
        Assert.Equal($"+CONTINUE {h.Engine.ReplId}\r\n", h.Run(sibling, "PSYNC", oldId, (offset + 1).ToString()));
        // After a promotion the first write carries a fresh SELECT.
        h.Run("SET", "y", "2");
        Assert.Equal(Select0 + MasterHarness.Cmd("SET", "y", "2"), h.Take(sibling));
    }

    [Fact]
    public void InfoReplicationAndRoleShowTheReplica()
    {
        var h = new MasterHarness();
        Assert.Contains("repl_backlog_active:0\r\n", h.Run("INFO", "replication"));
        var (replica, replId, _, _) = FullSync(h, port: 27011);
        h.Run("SET", "a", "1");
        long offset = h.Engine.ReplOffset;
        h.Run(replica, "REPLCONF", "ACK", offset.ToString());
        string info = h.Run("INFO", "replication");
        string body = info[(info.IndexOf("# Replication\r\n") + 15)..];
        int end = body.IndexOf("\r\n\r\n");
        if (end >= 0) body = body[..(end + 2)];
        Assert.Equal(
            "role:master\r\n" +
            "connected_slaves:1\r\n" +
            $"slave0:ip=127.0.0.1,port=27011,state=online,offset={offset},lag=0\r\n" +
            "master_failover_state:no-failover\r\n" +
            $"master_replid:{replId}\r\n" +
            "master_replid2:0000000000000000000000000000000000000000\r\n" +
            $"master_repl_offset:{offset}\r\n" +
            "second_repl_offset:-1\r\n" +
            "repl_backlog_active:1\r\n" +
            "repl_backlog_size:1048576\r\n" +
            "repl_backlog_first_byte_offset:1\r\n" +
            $"repl_backlog_histlen:{offset}\r\n", body);
        h.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Contains(",lag=3\r\n", h.Run("INFO", "replication"));
        string role = h.Run("ROLE");
        Assert.Equal($"*3\r\n$6\r\nmaster\r\n:{offset}\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$5\r\n27011\r\n${offset.ToString().Length}\r\n{offset}\r\n", role);
        Assert.Contains("sync_full:1\r\n", h.Run("INFO", "stats"));
    }

    [Fact]
    public void ReplconfRepliesAsRedis()
    {
        var h = new MasterHarness();
        Assert.Equal("+OK\r\n", h.Run("REPLCONF", "capa", "eof", "capa", "somethingnew"));
        Assert.Equal("+OK\r\n", h.Run("REPLCONF", "ip-address", "127.0.0.2"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("REPLCONF", "capa"));
        Assert.Equal("-ERR Unrecognized REPLCONF option: nope\r\n", h.Run("REPLCONF", "nope", "1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("REPLCONF", "listening-port", "x"));
        Assert.Equal("", h.Run("REPLCONF", "ACK", "10")); // never answered
        Assert.Equal("+OK\r\n", h.Run("REPLCONF"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("PSYNC", "?", "x"));
    }

    [Fact]
    public void PingGoesToReplicasEveryPeriodAndCounts()
    {
        var h = new MasterHarness(c => c.ReplPingReplicaPeriod = 10);
        var (replica, _, _, _) = FullSync(h);
        h.Engine.Cron();
        string first = h.Take(replica);
        Assert.Equal("*1\r\n$4\r\nping\r\n", first); // first cron tick after attach
        h.Clock.Advance(TimeSpan.FromSeconds(9));
        h.Engine.Cron();
        Assert.Equal("", h.Take(replica));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        h.Engine.Cron();
        Assert.Equal("*1\r\n$4\r\nping\r\n", h.Take(replica));
        Assert.Equal(28, h.Engine.ReplOffset);
    }

    [Fact]
    public void WaitRepliesAtOnceWhenEnoughReplicasAckedElseBlocksUntilAckOrTimeout()
    {
        var h = new MasterHarness();
        Assert.Equal(":0\r\n", h.Run("WAIT", "0", "0"));
        Assert.Equal("-ERR timeout is negative\r\n", h.Run("WAIT", "1", "-1"));
        Assert.Equal("-ERR timeout is not an integer or out of range\r\n", h.Run("WAIT", "1", "x"));
        var (replica, _, _, _) = FullSync(h);
        h.Run("SET", "a", "1");
        long target = h.Engine.ReplOffset;

        // Blocks, asks for ACKs with REPLCONF GETACK *, released by an ACK that reaches the target.
        Assert.Equal("", h.Run("WAIT", "1", "0"));
        Assert.True(h.Client.Has(Engine.ClientFlags.Blocked));
        Assert.EndsWith(MasterHarness.Cmd("REPLCONF", "GETACK", "*"), h.Take(replica));
        h.Run(replica, "REPLCONF", "ACK", (target - 1).ToString());
        Assert.True(h.Client.Has(Engine.ClientFlags.Blocked));
        h.Run(replica, "REPLCONF", "ACK", target.ToString());
        Assert.Equal(":1\r\n", h.Take(h.Client));
        Assert.False(h.Client.Has(Engine.ClientFlags.Blocked));

        // Already acknowledged: immediate.
        Assert.Equal(":1\r\n", h.Run("WAIT", "1", "100"));

        // Timeout: replies the count reached so far.
        h.Run("SET", "b", "2");
        Assert.Equal("", h.Run("WAIT", "1", "500"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(499));
        h.Engine.Cron();
        Assert.Equal("", h.Take(h.Client));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        h.Engine.Cron();
        Assert.Equal(":0\r\n", h.Take(h.Client));
    }
}

public sealed class MasterTimeoutTests
{
    [Fact]
    public void AnOnlineReplicaSilentForReplTimeoutIsDisconnected()
    {
        var h = new MasterHarness(c => c.ReplTimeout = 60);
        var r = h.NewClient();
        bool closed = false;
        r.CloseRequested = _ => closed = true;
        var sb = new System.Text.StringBuilder(h.Run(r, "PSYNC", "?", "-1"));
        h.ReadUntil(r, sb, s => System.Text.RegularExpressions.Regex.IsMatch(s, @"\$\d+\r\n") && h.Master.Replicas[0].State == ReplicaState.Online);
        h.Clock.Advance(TimeSpan.FromSeconds(59));
        h.Run(r, "REPLCONF", "ACK", "0"); // an ACK refreshes the clock
        h.Clock.Advance(TimeSpan.FromSeconds(60));
        h.Engine.Cron();
        Assert.False(closed);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        h.Engine.Cron();
        Assert.True(closed);
    }
}
