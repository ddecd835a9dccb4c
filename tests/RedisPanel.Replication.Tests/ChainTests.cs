// Chained replication, deterministic: a scripted master feeds our replica over in-memory pipes, and sub-replicas
// (ClientSessions of the replica's engine) sync from it. Checks that the replica forwards exactly the bytes it
// applies (same replid, same offsets, MULTI held back until EXEC), serves PSYNC from its backlog, refuses SYNC
// while its link is down, disconnects its sub-replicas on a new replid or a full sync, and restores a dump's
// history (replica: cached master; master: replid2).
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using RedisPanel.Engine;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Replication.Tests;

public sealed class ChainTests
{
    private static readonly string MasterId = new('a', 40);

    /// <summary>Our replica plus the master's ends of every connection it opens.</summary>
    private sealed class Chain
    {
        private readonly Channel<DuplexStream> _links = Channel.CreateUnbounded<DuplexStream>();

        public Chain()
        {
            H = new MasterHarness(connector: (_, _, _) =>
            {
                var (ours, theirs) = DuplexStream.CreatePair();
                _links.Writer.TryWrite(theirs);
                return Task.FromResult<Stream>(ours);
            });
            H.Engine.TcpPort = 6390;
        }

        public MasterHarness H { get; }
        public DuplexStream Link { get; private set; } = null!;
        public MasterLinkReader Reader { get; private set; } = null!;

        /// <summary>Accepts the replica's next connection and answers its handshake up to PSYNC; returns the PSYNC.</summary>
        public async Task<string> AcceptAsync()
        {
            using var cts = new CancellationTokenSource(Poll.Timeout);
            Link = await _links.Reader.ReadAsync(cts.Token);
            Reader = new MasterLinkReader(Link);
            Assert.Equal("PING", await ReadCommandAsync());
            await SendAsync("+PONG\r\n");
            Assert.StartsWith("REPLCONF listening-port", await ReadCommandAsync());
            await SendAsync("+OK\r\n");
            Assert.Equal("REPLCONF capa eof capa psync2", await ReadCommandAsync());
            await SendAsync("+OK\r\n");
            return await ReadCommandAsync();
        }

        public async Task SendAsync(string s)
        {
            await Link.WriteAsync(Encoding.Latin1.GetBytes(s));
            await Link.FlushAsync();
        }

        public async Task SendAsync(byte[] b)
        {
            await Link.WriteAsync(b);
            await Link.FlushAsync();
        }

        public async Task<string> ReadCommandAsync()
        {
            using var cts = new CancellationTokenSource(Poll.Timeout);
            string header = await Reader.ReadLineAsync(cts.Token);
            Assert.StartsWith("*", header);
            int n = int.Parse(header[1..]);
            var parts = new List<string>();
            for (int i = 0; i < n; i++)
            {
                string len = await Reader.ReadLineAsync(cts.Token);
                parts.Add(Encoding.Latin1.GetString(await Reader.ReadExactAsync(int.Parse(len[1..]) + 2, cts.Token))[..^2]);
            }
            return string.Join(' ', parts);
        }

        /// <summary>Full sync of our replica from the scripted master at <paramref name="offset"/>.</summary>
        public async Task FullSyncAsync(string replId, long offset, params (string Key, string Value)[] data)
        {
            await SendAsync($"+FULLRESYNC {replId} {offset}\r\n");
            var rdb = Poll.Rdb(data);
            await SendAsync($"${rdb.Length}\r\n");
            await SendAsync(rdb);
            Poll.Until(() => { lock (H.Engine.SyncRoot) return H.Replica!.State == MasterLinkState.Connected; }, "link up");
        }

        public long Offset
        {
            get { lock (H.Engine.SyncRoot) return H.Engine.ReplOffset; }
        }
    }



    /// <summary>A sub-replica of our replica: announces capa psync2 (not eof) and records close requests.</summary>
    private static ClientSession SubReplica(MasterHarness h, List<ClientSession> closed)
    {
        var c = h.NewClient();
        c.CloseRequested = x => { lock (closed) closed.Add(x); };
        Assert.Equal("+OK\r\n", h.Run(c, "REPLCONF", "listening-port", "7001"));
        // No `capa eof`: the disk path ($len framing), started at once (the diskless delay is in TransferTests).
        Assert.Equal("+OK\r\n", h.Run(c, "REPLCONF", "capa", "psync2"));
        return c;
    }

    private static (string Reply, string After) FullSyncOf(MasterHarness h, ClientSession c)
    {
        var sb = new StringBuilder(h.Run(c, "PSYNC", "?", "-1"));
        string all = h.ReadUntil(c, sb, s =>
        {
            var m = Regex.Match(s, @"\$(\d+)\r\n");
            return m.Success && s.Length >= m.Index + m.Length + int.Parse(m.Groups[1].Value);
        });
        var header = Regex.Match(all, @"^(\+FULLRESYNC [0-9a-f]{40} \d+)\r\n\n*\$(\d+)\r\n");
        Assert.True(header.Success, all);
        return (header.Groups[1].Value, all[(header.Length + int.Parse(header.Groups[2].Value))..]);
    }

    [Fact]
    public async Task ReplicaForwardsExactlyTheAppliedBytesAndServesPsyncFromItsBacklog()
    {
        var chain = new Chain();
        var h = chain.H;
        var closed = new List<ClientSession>();
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "127.0.0.1", "7000"));
        Assert.StartsWith("PSYNC ", await chain.AcceptAsync());

        // Not connected to its master yet: Redis 7.0's syncCommand refuses.
        var early = SubReplica(h, closed);
        Assert.Equal("-NOMASTERLINK Can't SYNC while not connected with my master\r\n", h.Run(early, "PSYNC", "?", "-1"));
        Assert.Equal("-NOMASTERLINK Can't SYNC while not connected with my master\r\n", h.Run(early, "SYNC"));

        await chain.FullSyncAsync(MasterId, 1000, ("k0", "v0"));
        Assert.Equal("REPLCONF ACK 1000", await chain.ReadCommandAsync());

        // A sub-replica full-syncs from the replica's own dataset, at the replica's offset, in the master's history.
        var sub = SubReplica(h, closed);
        var (fullresync, after) = FullSyncOf(h, sub);
        Assert.Equal($"+FULLRESYNC {MasterId} 1000", fullresync);
        Assert.Equal("", after);
        Assert.Equal(1, h.Engine.Stats.SyncFull);

        // The stream: written by the master in odd pieces, with a MULTI split across writes.
        string select = MasterHarness.Cmd("SELECT", "2");
        string set = MasterHarness.Cmd("set", "k1", "v1");
        string multi = MasterHarness.Cmd("MULTI") + MasterHarness.Cmd("SET", "a", "1");
        string exec = MasterHarness.Cmd("SET", "b", "2") + MasterHarness.Cmd("EXEC");
        string ping = MasterHarness.Cmd("ping");
        await chain.SendAsync(select + set[..7]);
        await chain.SendAsync(set[7..] + multi);
        Poll.Until(() => chain.Offset == 1000 + select.Length + set.Length, "offset after SET");
        // Inside MULTI nothing is applied: the offset and the sub-replica wait for EXEC.
        // The offset moves as the replica applies; its forwarding to the sub-replica follows in the same step, so
        // read until the bytes are there rather than taking what happens to be queued at this instant.
        var applied = new StringBuilder();
        h.ReadUntil(sub, applied, s => s.Length >= select.Length + set.Length);
        Assert.Equal(select + set, applied.ToString());
        Assert.Equal(1000 + select.Length + set.Length, chain.Offset);
        // INFO: slave_repl_offset is the applied offset, slave_read_repl_offset counts the open MULTI's bytes too.
        Poll.Until(() => h.Run("INFO", "replication").Contains($"slave_read_repl_offset:{1000 + select.Length + set.Length + multi.Length}\r\n"),
            "the MULTI read but not applied");
        Assert.Contains($"slave_repl_offset:{1000 + select.Length + set.Length}\r\n", h.Run("INFO", "replication"));
        await chain.SendAsync(exec + ping);
        long end = 1000 + select.Length + set.Length + multi.Length + exec.Length + ping.Length;
        Poll.Until(() => chain.Offset == end, "offset after EXEC and ping");
        var forwarded = new StringBuilder();
        h.ReadUntil(sub, forwarded, s => s.Length >= multi.Length + exec.Length + ping.Length);
        Assert.Equal(multi + exec + ping, forwarded.ToString());
        Assert.Equal("+OK\r\n", h.Run("SELECT", "2"));
        Assert.Equal("$2\r\nv1\r\n", h.Run("GET", "k1"));
        Assert.Equal("$1\r\n2\r\n", h.Run("GET", "b"));

        // Same history and offsets as the top master; the backlog holds exactly the forwarded bytes.
        Assert.Equal(MasterId, h.Engine.ReplId);
        Assert.Equal(1001, h.Master.Backlog!.FirstByteOffset);
        Assert.Equal(end - 1000, h.Master.Backlog.HistLen);
        string info = h.Run("INFO", "replication");
        Assert.Contains($"master_repl_offset:{end}\r\n", info);
        Assert.Contains($"slave_repl_offset:{end}\r\n", info);
        Assert.Contains("connected_slaves:1\r\n", info);
        Assert.Equal(1, h.Engine.Stats.SyncFull);

        // A sub-replica that full-syncs now gets a snapshot in the master's history at the replica's offset, whose
        // repl-stream-db is the db the master's stream last selected (the forwarded stream will not SELECT again).
        var third = SubReplica(h, closed);
        var sb3 = new StringBuilder(h.Run(third, "PSYNC", "?", "-1"));
        string all3 = h.ReadUntil(third, sb3, s =>
        {
            var m = Regex.Match(s, @"\$(\d+)\r\n");
            return m.Success && s.Length >= m.Index + m.Length + int.Parse(m.Groups[1].Value);
        });
        var head3 = Regex.Match(all3, @"^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n\n*\$(\d+)\r\n");
        Assert.Equal(MasterId, head3.Groups[1].Value);
        Assert.Equal(end.ToString(), head3.Groups[2].Value);
        var loaded = RdbReader.Load(Encoding.Latin1.GetBytes(all3.Substring(head3.Length, int.Parse(head3.Groups[3].Value))),
            "sub", new Keyspace(16, TimeProvider.System), new RdbLoadOptions());
        Assert.Equal(2, loaded.ReplStreamDb);
        Assert.Equal(MasterId, loaded.ReplId);
        Assert.Equal(end, loaded.ReplOffset);

        // A second sub-replica continues from the replica's backlog with the master's replid.
        var second = SubReplica(h, closed);
        long from = 1000 + select.Length + 1;
        Assert.Equal($"+CONTINUE {MasterId}\r\n" + (select + set + multi + exec + ping)[(select.Length)..],
            h.Run(second, "PSYNC", MasterId, from.ToString()));
        Assert.Equal($"+CONTINUE {MasterId}\r\n", h.Run(SubReplica(h, closed), "PSYNC", MasterId, (end + 1).ToString()));
        Assert.Equal(2, h.Engine.Stats.SyncPartialOk);
        // The replica never injects bytes of its own (no ping of its own, no re-propagation of applied writes).
        h.Clock.Advance(TimeSpan.FromSeconds(11));
        h.Engine.Cron();
        Assert.Equal("", h.Take(sub));
        Assert.Equal(end, chain.Offset);
        Assert.Empty(closed);
        await h.Replica!.StopAsync();
    }

    [Fact]
    public async Task NewReplidOnContinueAndFullSyncDisconnectSubReplicasAndPromotionKeepsTheirHistory()
    {
        var chain = new Chain();
        var h = chain.H;
        var closed = new List<ClientSession>();
        h.Run("REPLICAOF", "127.0.0.1", "7000");
        await chain.AcceptAsync();
        await chain.FullSyncAsync(MasterId, 500, ("k", "v"));
        var sub = SubReplica(h, closed);
        FullSyncOf(h, sub);
        string set = MasterHarness.Cmd("SELECT", "0") + MasterHarness.Cmd("SET", "x", "1");
        await chain.SendAsync(set);
        Poll.Until(() => chain.Offset == 500 + set.Length, "applied");

        // The master goes away: the replica keeps its sub-replica and refuses new syncs until it is back.
        chain.Link.Dispose();
        Poll.Until(() => { lock (h.Engine.SyncRoot) return h.Replica!.State != MasterLinkState.Connected; }, "link down");
        Assert.Equal("-NOMASTERLINK Can't SYNC while not connected with my master\r\n", h.Run(SubReplica(h, closed), "PSYNC", MasterId, "501"));
        Assert.Empty(closed);

        // It comes back with a new replid (restarted from its dump): +CONTINUE <new id>. The replica keeps its data,
        // takes the id, keeps the old one as replid2 and disconnects its sub-replica so it learns the new id.
        Assert.Equal($"PSYNC {MasterId} {501 + set.Length}", await chain.AcceptAsync());
        string newId = new('b', 40);
        await chain.SendAsync($"+CONTINUE {newId}\r\n");
        Poll.Until(() => { lock (closed) return closed.Contains(sub); }, "sub-replica disconnected on the new replid");
        Assert.Equal(newId, h.Engine.ReplId);
        Assert.Equal(MasterId, h.Engine.ReplId2);
        Assert.Equal(501 + set.Length, h.Engine.SecondReplOffset);
        h.Disconnect(sub);
        // The sub-replica reconnects with the old id and continues through replid2.
        var back = SubReplica(h, closed);
        Assert.Equal($"+CONTINUE {newId}\r\n", h.Run(back, "PSYNC", MasterId, (501 + set.Length).ToString()));

        // Promotion: the sub-replicas are disconnected and continue with the promoted node through replid2.
        long offset = chain.Offset;
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "NO", "ONE"));
        Assert.Contains(back, closed);
        h.Disconnect(back);
        var again = SubReplica(h, closed);
        Assert.Equal($"+CONTINUE {h.Engine.ReplId}\r\n", h.Run(again, "PSYNC", newId, (offset + 1).ToString()));
        Assert.Equal("+OK\r\n", h.Run("SET", "after", "promotion"));
        Assert.StartsWith(MasterHarness.Cmd("SELECT", "0") + MasterHarness.Cmd("SET", "after", "promotion"), h.Take(again));

        // REPLICAOF another master keeps the sub-replicas and the backlog (replicationSetMaster); a full sync from the
        // new master then disconnects them and restarts the backlog at the new offset.
        closed.Clear();
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "127.0.0.1", "7001"));
        Assert.NotNull(h.Master.Backlog);
        Assert.Empty(closed);
        Assert.Equal($"PSYNC {h.Engine.ReplId} {chain.Offset + 1}", await chain.AcceptAsync());
        string otherId = new('c', 40);
        await chain.FullSyncAsync(otherId, 42, ("fresh", "1"));
        Assert.Contains(again, closed);
        Assert.Equal(43, h.Master.Backlog!.FirstByteOffset);
        Assert.Equal(0, h.Master.Backlog.HistLen);
        Assert.Equal(ReplicationIds.NoId, h.Engine.ReplId2);
        await h.Replica!.StopAsync();
    }

    [Fact]
    public async Task DumpHistoryRestoresACachedMasterOnAReplicaAndReplid2OnAMaster()
    {
        // Replica (replicaof from the config): PSYNC id offset+1 and continue in the dump's stream db.
        var chain = new Chain();
        var h = chain.H;
        lock (h.Engine.SyncRoot)
        {
            h.Replica!.ReplicaOf("127.0.0.1", 7000, fromConfig: true);
            h.Master.RestoreHistory(MasterId, 777, 3);
        }
        Assert.Equal($"PSYNC {MasterId} 778", await chain.AcceptAsync());
        await chain.SendAsync($"+CONTINUE {MasterId}\r\n");
        string set = MasterHarness.Cmd("SET", "in3", "yes");
        await chain.SendAsync(set);
        Poll.Until(() => chain.Offset == 777 + set.Length, "applied");
        Assert.Equal("+OK\r\n", h.Run("SELECT", "3"));
        Assert.Equal("$3\r\nyes\r\n", h.Run("GET", "in3"));
        Assert.Equal(778, h.Master.Backlog!.FirstByteOffset);
        // A dump written now records the master client's db and the chain's history.
        var info = h.Engine.CreateSaveInfo();
        Assert.Equal(3, info.ReplStreamDb);
        Assert.Equal(MasterId, info.ReplId);
        Assert.Equal(777 + set.Length, info.ReplOffset);
        await h.Replica.StopAsync();

        // Replica from the config without a history in its dump: a plain `PSYNC ? -1`.
        var fresh = new Chain();
        lock (fresh.H.Engine.SyncRoot) fresh.H.Replica!.ReplicaOf("127.0.0.1", 7000, fromConfig: true);
        Assert.Equal("PSYNC ? -1", await fresh.AcceptAsync());
        await fresh.H.Replica!.StopAsync();

        // Master: keeps its fresh replid, honours the dump's as replid2 up to offset+1, offset rebased, empty backlog.
        var m = new MasterHarness();
        Assert.Null(m.Engine.CreateSaveInfo().ReplStreamDb); // no backlog: the dump carries no history
        string own = m.Engine.ReplId;
        m.Master.RestoreHistory(MasterId, 900, 0);
        Assert.Equal(own, m.Engine.ReplId);
        Assert.Equal(MasterId, m.Engine.ReplId2);
        Assert.Equal(901, m.Engine.SecondReplOffset);
        Assert.Equal(900, m.Engine.ReplOffset);
        var r = m.NewClient();
        m.Run(r, "REPLCONF", "capa", "psync2");
        Assert.Equal($"+CONTINUE {own}\r\n", m.Run(r, "PSYNC", MasterId, "901"));
        Assert.Equal(0, m.Engine.Stats.SyncFull);
        var late = m.NewClient();
        Assert.StartsWith("+FULLRESYNC", m.Run(late, "PSYNC", MasterId, "902"));
    }

    [Fact]
    public void AMasterRestoringItsHistoryFeedsDelsForKeysThatExpiredWhileItWasDown()
    {
        // Observed on Redis 7.0.15: saved at offset 110, key k expired while down; after the restart
        // master_repl_offset 153, second_repl_offset 111, backlog first byte 111 with histlen 43 (SELECT 0 + DEL k).
        var m = new MasterHarness();
        m.Master.RestoreHistory(MasterId, 110, 0, [(0, "k"u8.ToArray())]);
        Assert.Equal(153, m.Engine.ReplOffset);
        Assert.Equal(111, m.Engine.SecondReplOffset);
        Assert.Equal(111, m.Master.Backlog!.FirstByteOffset);
        Assert.Equal(43, m.Master.Backlog.HistLen);
        var r = m.NewClient();
        m.Run(r, "REPLCONF", "capa", "psync2");
        Assert.Equal($"+CONTINUE {m.Engine.ReplId}\r\n" + MasterHarness.Cmd("SELECT", "0") + MasterHarness.Cmd("DEL", "k"),
            m.Run(r, "PSYNC", MasterId, "111"));

        // Without a history in the dump the DELs still count in the offset, but no backlog is kept.
        var plain = new MasterHarness();
        plain.Master.RestoreHistory(null, null, null, [(0, "k"u8.ToArray())]);
        Assert.Equal(43, plain.Engine.ReplOffset);
        Assert.Null(plain.Master.Backlog);
        Assert.Equal(-1, plain.Engine.SecondReplOffset);
    }
}
