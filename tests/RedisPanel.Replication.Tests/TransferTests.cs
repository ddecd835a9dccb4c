// Full-sync transfers as Redis 7.0 runs them: the diskless delay with newline keepalives, max-replicas starting
// early, $EOF framing with the stream held until the first ACK, a socket transfer that cannot be joined, replica
// output buffer limits (hard and soft) and repl-backlog-ttl. Time is the harness's manual clock.
using System.Text;
using System.Text.RegularExpressions;
using RedisPanel.Engine;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Replication.Tests;

public sealed class TransferTests
{
    private static readonly string Select0 = MasterHarness.Cmd("SELECT", "0");

    private static ClientSession EofReplica(MasterHarness h, int port)
    {
        var r = h.NewClient();
        Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "listening-port", port.ToString()));
        Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "capa", "eof", "capa", "psync2"));
        return r;
    }

    private static void Tick(MasterHarness h, int seconds = 1)
    {
        h.Clock.Advance(TimeSpan.FromSeconds(seconds));
        h.Engine.Cron();
    }

    /// <summary>Matches "+FULLRESYNC id off\r\n$EOF:mark\r\n" + RDB + mark; returns the RDB.</summary>
    private static byte[] EofPayload(string s, out string mark)
    {
        var m = Regex.Match(s, @"\+FULLRESYNC [0-9a-f]{40} \d+\r\n\$EOF:([0-9a-f]{40})\r\n", RegexOptions.Singleline);
        Assert.True(m.Success, s[..Math.Min(300, s.Length)]);
        mark = m.Groups[1].Value;
        int end = s.IndexOf(mark, m.Index + m.Length, StringComparison.Ordinal);
        Assert.True(end > 0);
        return Encoding.Latin1.GetBytes(s[(m.Index + m.Length)..end]);
    }

    private static bool EndsWithMark(string s)
    {
        var m = Regex.Match(s, @"\$EOF:([0-9a-f]{40})\r\n");
        return m.Success && s.EndsWith(m.Groups[1].Value, StringComparison.Ordinal) && s.Length >= m.Index + m.Length + 40 + 9;
    }

    [Fact]
    public void DisklessSyncWaitsTheDelayWithKeepalivesThenStreamsOneSnapshotToAllWaiters()
    {
        var h = new MasterHarness(c => c.ReplDisklessSyncDelay = 5);
        h.Run("SET", "k", "v");
        var a = EofReplica(h, 7001);
        var b = EofReplica(h, 7002);
        Assert.Equal("", h.Run(a, "PSYNC", "?", "-1")); // delayed: nothing yet, not even +FULLRESYNC
        Tick(h);
        Assert.Equal("\n", h.Take(a)); // keepalive while it waits for the snapshot to start
        Assert.Equal("", h.Run(b, "PSYNC", "?", "-1"));
        Assert.Contains("state=wait_bgsave", h.Master.InfoSection());
        for (int i = 0; i < 3; i++)
        {
            Tick(h);
            Assert.Equal("\n", h.Take(a)); // one keepalive per second, not counted in the offset
            Assert.Equal("\n", h.Take(b));
        }
        Assert.Equal(0, h.Master.SnapshotsTaken);
        Tick(h); // a has waited 5 s now
        var sa = new StringBuilder();
        var sb = new StringBuilder();
        string ta = h.ReadUntil(a, sa, EndsWithMark);
        string tb = h.ReadUntil(b, sb, EndsWithMark);
        Assert.Equal(1, h.Master.SnapshotsTaken);
        var rdbA = EofPayload(ta, out string markA);
        var rdbB = EofPayload(tb, out string markB);
        Assert.Equal(markA, markB);
        Assert.Equal(rdbA, rdbB);
        var loaded = new Keyspace(16, TimeProvider.System);
        RdbReader.Load(rdbA, "sync", loaded, new RdbLoadOptions());
        Assert.NotNull(loaded[0].Peek("k"u8));

        // Online, but the stream waits for the replica's first ACK (nothing may follow the mark).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!MasterTests.IsOnline(h, a) || !MasterTests.IsOnline(h, b))
        {
            Assert.True(DateTime.UtcNow < deadline);
            Thread.Yield();
        }
        h.Run("SET", "after", "1");
        Assert.Equal("", h.Take(a));
        // REPLCONF ACK has no reply: what follows it is the released stream.
        Assert.Equal(Select0 + MasterHarness.Cmd("SET", "after", "1"), h.Run(a, "REPLCONF", "ACK", "0"));
        h.Run("SET", "more", "2");
        Assert.Equal(MasterHarness.Cmd("SET", "more", "2"), h.Take(a));
        Assert.Equal("", h.Take(b));
        Assert.Equal(Select0 + MasterHarness.Cmd("SET", "after", "1") + MasterHarness.Cmd("SET", "more", "2"), h.Run(b, "REPLCONF", "ACK", "0"));
        Assert.Equal(1, h.Engine.RdbSaves);
    }

    [Fact]
    public void MaxReplicasStartsTheDisklessTransferBeforeTheDelay()
    {
        var h = new MasterHarness(c => { c.ReplDisklessSyncDelay = 100; c.ReplDisklessSyncMaxReplicas = 2; });
        var a = EofReplica(h, 7001);
        var b = EofReplica(h, 7002);
        h.Run(a, "PSYNC", "?", "-1");
        Tick(h);
        Assert.Equal(0, h.Master.SnapshotsTaken);
        h.Run(b, "PSYNC", "?", "-1");
        Tick(h);
        Assert.Equal(1, h.Master.SnapshotsTaken);
        h.ReadUntil(a, new StringBuilder(), EndsWithMark);
        h.ReadUntil(b, new StringBuilder(), EndsWithMark);
    }

    [Fact]
    public void AReplicaArrivingDuringASocketTransferWaitsForTheNextOne()
    {
        var h = new MasterHarness(c => c.ReplDisklessSyncDelay = 0);
        var a = EofReplica(h, 7001);
        var b = EofReplica(h, 7002);
        string ha, hb;
        lock (h.Engine.SyncRoot)
        {
            // The first job cannot finish while the lock is held: b arrives while it runs.
            ha = h.Run(a, "PSYNC", "?", "-1");
            hb = h.Run(b, "PSYNC", "?", "-1");
        }
        Assert.StartsWith("+FULLRESYNC", ha);
        Assert.Equal("", hb);
        h.ReadUntil(a, new StringBuilder(ha), EndsWithMark);
        // When the first transfer ends the pending one starts at once (delay 0): a second snapshot.
        string tb = h.ReadUntil(b, new StringBuilder(hb), EndsWithMark);
        Assert.StartsWith("+FULLRESYNC", tb);
        Assert.Equal(2, h.Master.SnapshotsTaken);
    }

    [Fact]
    public void AReplicaWithoutCapaEofGetsTheDiskFramingAtOnce()
    {
        var h = new MasterHarness(c => c.ReplDisklessSyncDelay = 5);
        var r = h.NewClient();
        h.Run(r, "REPLCONF", "capa", "psync2");
        var s = h.ReadUntil(r, new StringBuilder(h.Run(r, "PSYNC", "?", "-1")), x => MasterTests.RdbComplete(x) && MasterTests.IsOnline(h, r));
        Assert.Matches(@"^\+FULLRESYNC [0-9a-f]{40} \d+\r\n\$\d+\r\nREDIS0010", s);
        h.Run("SET", "x", "1");
        Assert.Equal(Select0 + MasterHarness.Cmd("SET", "x", "1"), h.Take(r)); // no ACK needed after a $len payload
    }

    [Fact]
    public void ReplDisklessSyncNoUsesTheDiskFramingEvenWithCapaEof()
    {
        var h = new MasterHarness(c => c.ReplDisklessSync = false);
        var r = EofReplica(h, 7001);
        var s = h.ReadUntil(r, new StringBuilder(h.Run(r, "PSYNC", "?", "-1")), x => MasterTests.RdbComplete(x) && MasterTests.IsOnline(h, r));
        Assert.Matches(@"^\+FULLRESYNC [0-9a-f]{40} \d+\r\n\$\d+\r\nREDIS0010", s);
    }

    [Fact]
    public void AFilteredSyncGetsAnEmptySnapshot()
    {
        var h = new MasterHarness(c => c.ReplDisklessSyncDelay = 0);
        h.Run("SET", "k", "v");
        var r = h.NewClient();
        Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "capa", "eof"));
        Assert.Equal("+OK\r\n", h.Run(r, "REPLCONF", "rdb-filter-only", ""));
        Assert.Equal("-ERR Unsupported rdb-filter-only option: keys\r\n", h.Run(r, "REPLCONF", "rdb-filter-only", "keys"));
        string s = h.ReadUntil(r, new StringBuilder(h.Run(r, "SYNC")), EndsWithMark);
        var m = Regex.Match(s, @"^\$EOF:([0-9a-f]{40})\r\n");
        Assert.True(m.Success, s);
        var rdb = Encoding.Latin1.GetBytes(s[m.Length..^40]);
        var loaded = new Keyspace(16, TimeProvider.System);
        RdbReader.Load(rdb, "sync", loaded, new RdbLoadOptions());
        Assert.Null(loaded[0].Peek("k"u8));
    }

    [Fact]
    public void HardOutputLimitClosesAReplicaThatDoesNotRead()
    {
        var h = new MasterHarness(c =>
        {
            c.ReplBacklogSize = 16 * 1024;
            c.ClientOutputBufferLimits = [c.ClientOutputBufferLimits[0], new(32 * 1024, 0, 0), c.ClientOutputBufferLimits[2]];
        });
        var r = h.NewClient();
        h.Run(r, "REPLCONF", "capa", "psync2");
        bool closed = false;
        r.CloseRequested = _ => closed = true;
        var warnings = new List<string>();
        h.Master.Log += (warning, text) => { if (warning) warnings.Add(text); };
        h.ReadUntil(r, new StringBuilder(h.Run(r, "PSYNC", "?", "-1")), x => MasterTests.RdbComplete(x) && MasterTests.IsOnline(h, r));
        string value = new('v', 1000);
        for (int i = 0; i < 30 && !closed; i++) h.Run("SET", "k" + i, value);
        Assert.False(closed); // ~31 KB queued
        for (int i = 30; i < 40 && !closed; i++) h.Run("SET", "k" + i, value);
        Assert.True(closed);
        Assert.Matches(@"^Client id=\d+ addr=127\.0\.0\.1:\d+ laddr=\S+ name= flags=S db=0 omem=\d+ cmd=\S+ scheduled to be closed ASAP for overcoming of output buffer limits\.$",
            Assert.Single(warnings));

    }

    [Fact]
    public void TheHardLimitIsNeverBelowTheBacklogSize()
    {
        var h = new MasterHarness(c =>
        {
            c.ReplBacklogSize = 64 * 1024;
            c.ClientOutputBufferLimits = [c.ClientOutputBufferLimits[0], new(16 * 1024, 0, 0), c.ClientOutputBufferLimits[2]];
        });
        var r = h.NewClient();
        bool closed = false;
        r.CloseRequested = _ => closed = true;
        h.ReadUntil(r, new StringBuilder(h.Run(r, "PSYNC", "?", "-1")), x => MasterTests.RdbComplete(x) && MasterTests.IsOnline(h, r));
        for (int i = 0; i < 40; i++) h.Run("SET", "k" + i, new string('v', 1000));
        Assert.False(closed); // 40 KB < 64 KB backlog
        for (int i = 40; i < 70; i++) h.Run("SET", "k" + i, new string('v', 1000));
        Assert.True(closed);
    }

    [Fact]
    public void SoftOutputLimitClosesAfterItsSecondsAndCountsTheStreamPendingDuringTheSnapshotWait()
    {
        var h = new MasterHarness(c =>
        {
            c.ReplBacklogSize = 16 * 1024;
            c.ReplDisklessSyncDelay = 0;
            c.ClientOutputBufferLimits = [c.ClientOutputBufferLimits[0], new(0, 8 * 1024, 2), c.ClientOutputBufferLimits[2]];
        });
        var r = EofReplica(h, 7001);
        bool closed = false;
        r.CloseRequested = _ => closed = true;
        lock (h.Engine.SyncRoot)
        {
            // The transfer cannot progress while the lock is held: the writes pile up for the waiting replica.
            h.Run(r, "PSYNC", "?", "-1");
            for (int i = 0; i < 10; i++) h.Run("SET", "k" + i, new string('v', 1000));
            Assert.True(h.Master.OutputBufferBytes(h.Master.Replicas[0]) > 8 * 1024);
            Assert.False(closed); // soft limit first seen now
            Tick(h, 2);
            Assert.False(closed); // 2 s: not more than the 2 seconds yet
            Tick(h, 1);
            Assert.True(closed);
        }
    }

    [Fact]
    public void BacklogIsFreedAfterReplBacklogTtlWithoutReplicas()
    {
        var h = new MasterHarness(c => { c.ReplBacklogTtl = 10; c.ReplDisklessSync = false; });
        var r = h.NewClient();
        h.ReadUntil(r, new StringBuilder(h.Run(r, "PSYNC", "?", "-1")), x => MasterTests.RdbComplete(x) && MasterTests.IsOnline(h, r));
        string id = h.Engine.ReplId;
        Tick(h, 30); // with a replica nothing is freed
        Assert.NotNull(h.Master.Backlog);
        h.Disconnect(r);
        Tick(h, 5);
        Assert.NotNull(h.Master.Backlog);
        Assert.Contains("repl_backlog_active:1", h.Master.InfoSection());
        Tick(h, 6);
        Assert.Null(h.Master.Backlog);
        Assert.NotEqual(id, h.Engine.ReplId);
        Assert.Equal(new string('0', 40), h.Engine.ReplId2);
        string info = h.Master.InfoSection();
        Assert.Contains("repl_backlog_active:0\r\n", info);
        Assert.Contains("repl_backlog_first_byte_offset:0\r\n", info);
    }
}
