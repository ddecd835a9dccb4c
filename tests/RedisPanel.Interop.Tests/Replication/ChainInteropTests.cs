// Chained replication and restarts against real redis-server 7.0.15: mixed chains (ours → real → ours and
// real → ours → real) carry live writes to the end with one master_replid and one offset along the chain; a
// replica of a chain node restarted from its dump continues partially; a master that goes away leaves its
// replicas down and retrying, and when it comes back with its history (restarted from its dump) they continue
// partially, with a new history (no dump) they resync fully. Equality is DEBUG DIGEST once every offset matches.
using System.Text;
using System.Text.RegularExpressions;
using RedisPanel.Interop.Tests.Infrastructure;
using static RedisPanel.Interop.Tests.Infrastructure.ReplicationProbe;

namespace RedisPanel.Interop.Tests.Replication;

public sealed class ChainInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    private static string Text(byte[] reply) => Encoding.Latin1.GetString(reply);

    private static string Repl(TestRespClient c, string name) => Field(Info(c, "replication"), name);

    private static long Stat(TestRespClient c, string name) => long.Parse(Field(Info(c, "stats"), name));

    private static void Run(TestRespClient c, params string[] args)
    {
        var reply = Text(c.Call(args));
        Assert.False(reply.StartsWith('-'), $"{string.Join(' ', args.Take(3))}: {reply}");
    }

    private static void Write(TestRespClient c, int round)
    {
        Run(c, "SELECT", (round % 4).ToString());
        Run(c, "SET", $"s{round}", $"v{round}");
        Run(c, "SET", $"ttl{round}", "v", "EX", "100000");
        Run(c, "SELECT", "0");
        Run(c, ["RPUSH", $"list{round}", .. Enumerable.Range(0, 30).Select(i => "e" + i)]);
        Run(c, ["HSET", $"hash{round}", .. Enumerable.Range(0, 10).SelectMany(i => new[] { "f" + i, "v" + i })]);
        Run(c, ["ZADD", $"zset{round}", .. Enumerable.Range(0, 10).SelectMany(i => new[] { i.ToString(), "z" + i })]);
        Run(c, "SET", $"big{round}", new string('q', 3000));
        Run(c, "INCRBYFLOAT", $"f{round}", "0.5");
        Run(c, "MULTI");
        Run(c, "LPUSH", $"tx{round}", "a");
        Run(c, "SADD", $"set{round}", "x", "y");
        Run(c, "EXEC");
    }

    private static void WaitFor(Func<bool> condition, string what, Func<string> diagnostics)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"timed out waiting for {what}\n{diagnostics()}");
            Thread.Sleep(20); // polling interval, bounded by the deadline
        }
    }

    private static string Describe(TestRespClient[] chain, Func<string>? logs = null) =>
        string.Join("\n----\n", chain.Select(c => Info(c, "replication"))) + (logs is null ? "" : "\n" + logs());

    /// <summary>
    /// Polls until every node below the top has its link up and the top's offset, then checks one replid and one
    /// offset along the chain and equal DEBUG DIGESTs.
    /// </summary>
    private static void AssertChainConverged(TestRespClient[] chain, Func<string>? logs = null)
    {
        WaitFor(() =>
        {
            string top = Repl(chain[0], "master_repl_offset");
            return chain.Skip(1).All(c =>
            {
                string info = Info(c, "replication");
                return Field(info, "master_link_status") == "up" && Field(info, "slave_repl_offset") == top
                    && Field(info, "master_repl_offset") == top;
            });
        }, "the chain to converge", () => Describe(chain, logs));
        string replId = Repl(chain[0], "master_replid");
        string digest = Text(chain[0].Call("DEBUG", "DIGEST"));
        Assert.DoesNotContain("0000000000000000000000000000000000000000", digest);
        foreach (var c in chain.Skip(1))
        {
            Assert.Equal(replId, Repl(c, "master_replid"));
            Assert.Equal(digest, Text(c.Call("DEBUG", "DIGEST")));
        }
    }

    private static string[] RealArgs(string dir, params string[] more) =>
        ["--enable-debug-command", "yes", "--dir", dir, "--repl-diskless-sync-delay", "0", .. more];

    [Fact]
    public async Task OursRealOursChainCarriesLiveWritesAndARestartedEndContinues()
    {
        var realDir = Directory.CreateTempSubdirectory("rp-chain-real-");
        await using var top = await NodeFixture.StartAsync(name: "chain-top");
        using var topClient = TestRespClient.Connect(top.Port);
        for (int i = 0; i < 3; i++) Write(topClient, i);
        using var real = RedisServerProcess.Start(RealArgs(realDir.FullName, "--replicaof", "127.0.0.1", top.Port.ToString()));
        using var realClient = TestRespClient.Connect(real.Port);
        var end = await NodeFixture.StartAsync(name: "chain-end");
        string endDir = end.Node.Options.Config.Dir;
        var endClient = TestRespClient.Connect(end.Port);
        try
        {
            Assert.Equal("+OK\r\n", Text(endClient.Call("REPLICAOF", "127.0.0.1", real.Port.ToString())));
            AssertChainConverged([topClient, realClient, endClient], () => real.Log);
            // Live writes reach the end of the chain; one replid, one offset space.
            for (int i = 3; i < 8; i++) Write(topClient, i);
            AssertChainConverged([topClient, realClient, endClient], () => real.Log);
            long fullBefore = Stat(realClient, "sync_full");
            long partialBefore = Stat(realClient, "sync_partial_ok");
            Assert.Equal(1, fullBefore);

            // Restart the end from its dump: it PSYNCs the real node with the chain's replid and offset + 1.
            Run(endClient, "SAVE");
            endClient.Dispose();
            await end.DisposeAsync();
            Write(topClient, 8);
            end = await NodeFixture.StartAsync(c =>
            {
                c.Dir = endDir;
                c.ReplicaOf = $"127.0.0.1 {real.Port}";
            }, "chain-end-restarted");
            endClient = TestRespClient.Connect(end.Port);
            WaitFor(() => Stat(realClient, "sync_partial_ok") == partialBefore + 1, "a partial resync of the restarted end",
                () => Describe([topClient, realClient, endClient], () => real.Log));
            Assert.Equal(fullBefore, Stat(realClient, "sync_full"));
            Write(topClient, 9);
            AssertChainConverged([topClient, realClient, endClient], () => real.Log);
        }
        finally
        {
            endClient.Dispose();
            await end.DisposeAsync();
            real.Dispose();
            realDir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RealOursRealChainCarriesLiveWritesAndARestartedEndContinues()
    {
        var topDir = Directory.CreateTempSubdirectory("rp-chain-top-");
        var endDir = Directory.CreateTempSubdirectory("rp-chain-end-");
        using var top = RedisServerProcess.Start(RealArgs(topDir.FullName));
        using var topClient = TestRespClient.Connect(top.Port);
        for (int i = 0; i < 3; i++) Write(topClient, i);
        await using var mid = await NodeFixture.StartAsync(name: "chain-mid");
        using var midClient = TestRespClient.Connect(mid.Port);
        // Not connected to its master yet: a sub-replica is refused with Redis's error.
        using (var early = TestRespClient.Connect(mid.Port))
        {
            Assert.Equal("+OK\r\n", Text(midClient.Call("REPLICAOF", "127.0.0.1", "1")));
            Assert.Equal("-NOMASTERLINK Can't SYNC while not connected with my master\r\n", Text(early.Call("PSYNC", "?", "-1")));
        }
        Assert.Equal("+OK\r\n", Text(midClient.Call("REPLICAOF", "127.0.0.1", top.Port.ToString())));
        var end = RedisServerProcess.Start(RealArgs(endDir.FullName, "--replicaof", "127.0.0.1", mid.Port.ToString()));
        var endClient = TestRespClient.Connect(end.Port);
        try
        {
            AssertChainConverged([topClient, midClient, endClient], () => end.Log);
            for (int i = 3; i < 8; i++) Write(topClient, i);
            AssertChainConverged([topClient, midClient, endClient], () => end.Log);
            Assert.Equal(1, Stat(midClient, "sync_full"));
            Assert.Equal(0, Stat(midClient, "sync_partial_ok"));

            // The real end restarts from its dump and continues from our backlog.
            Run(endClient, "SAVE");
            endClient.Dispose();
            int port = end.Port;
            end.Dispose();
            Write(topClient, 8);
            end = RedisServerProcess.StartOnPort(port, RealArgs(endDir.FullName, "--replicaof", "127.0.0.1", mid.Port.ToString()));
            endClient = TestRespClient.Connect(end.Port);
            WaitFor(() => Stat(midClient, "sync_partial_ok") == 1, "a partial resync of the restarted real end",
                () => Describe([topClient, midClient, endClient], () => end.Log));
            Assert.Equal(1, Stat(midClient, "sync_full"));
            // The real end's own log says so too (its output is read asynchronously: poll).
            WaitFor(() => end.Log.Contains("Successful partial resynchronization with master"), "the end's log line", () => end.Log);
            Write(topClient, 9);
            AssertChainConverged([topClient, midClient, endClient], () => end.Log);
        }
        finally
        {
            endClient.Dispose();
            end.Dispose();
            topDir.Delete(recursive: true);
            endDir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RealMasterComingBackWithItsHistoryContinuesAndWithANewHistoryResyncsFully()
    {
        var topDir = Directory.CreateTempSubdirectory("rp-chain-restart-");
        var endDir = Directory.CreateTempSubdirectory("rp-chain-restart-end-");
        var top = RedisServerProcess.Start(RealArgs(topDir.FullName));
        int topPort = top.Port;
        var topClient = TestRespClient.Connect(topPort);
        await using var mid = await NodeFixture.StartAsync(name: "restart-mid");
        using var midClient = TestRespClient.Connect(mid.Port);
        var end = RedisServerProcess.Start(RealArgs(endDir.FullName));
        using var endClient = TestRespClient.Connect(end.Port);
        try
        {
            for (int i = 0; i < 3; i++) Write(topClient, i);
            Run(midClient, "REPLICAOF", "127.0.0.1", topPort.ToString());
            Run(endClient, "REPLICAOF", "127.0.0.1", mid.Port.ToString());
            AssertChainConverged([topClient, midClient, endClient], () => end.Log);
            string oldId = Repl(topClient, "master_replid");
            long offset = long.Parse(Repl(topClient, "master_repl_offset"));

            // The master goes away (after saving its history): our replica is down and keeps retrying; its own
            // replica stays attached to it.
            Run(topClient, "SAVE");
            topClient.Dispose();
            top.Dispose();
            WaitFor(() => Repl(midClient, "master_link_status") == "down", "link down", () => Describe([midClient]));
            WaitFor(() => long.Parse(Repl(midClient, "master_link_down_since_seconds")) >= 1, "down for a second", () => Describe([midClient]));
            Assert.Matches("^(connect|connecting)$", Regex.Match(Text(midClient.Call("ROLE")), @"\$\d+\r\n(connect\w*)\r\n").Groups[1].Value);
            Assert.Equal("up", Repl(endClient, "master_link_status"));
            Assert.Equal("1", Repl(midClient, "connected_slaves"));

            // Same history: Redis 7.0 restores the dump's replid as replid2 and the offset, so we continue partially,
            // take its new replid, and our own replica (disconnected to learn it) continues partially from us.
            top = RedisServerProcess.StartOnPort(topPort, RealArgs(topDir.FullName));
            topClient = TestRespClient.Connect(topPort);
            Assert.Equal(oldId, Repl(topClient, "master_replid2"));
            Assert.Equal(offset.ToString(), Repl(topClient, "master_repl_offset"));
            WaitFor(() => Stat(topClient, "sync_partial_ok") == 1, "our partial resync with the restarted master",
                () => Describe([topClient, midClient, endClient], () => top.Log));
            Assert.Equal(0, Stat(topClient, "sync_full"));
            Write(topClient, 3);
            AssertChainConverged([topClient, midClient, endClient], () => end.Log);
            Assert.Equal(oldId, Repl(midClient, "master_replid2"));
            Assert.Equal((offset + 1).ToString(), Repl(midClient, "second_repl_offset"));
            Assert.Equal(1, Stat(midClient, "sync_full"));
            Assert.Equal(1, Stat(midClient, "sync_partial_ok"));

            // A new history: restarted without its dump, empty, with a new replid. We resync fully (and so does
            // our replica), and the whole chain ends up with the master's (new) dataset.
            topClient.Dispose();
            top.Dispose();
            File.Delete(Path.Combine(topDir.FullName, "dump.rdb"));
            WaitFor(() => Repl(midClient, "master_link_status") == "down", "link down again", () => Describe([midClient]));
            top = RedisServerProcess.StartOnPort(topPort, RealArgs(topDir.FullName));
            topClient = TestRespClient.Connect(topPort);
            Write(topClient, 10);
            WaitFor(() => Stat(topClient, "sync_full") == 1, "our full resync with the new history",
                () => Describe([topClient, midClient, endClient], () => top.Log));
            Write(topClient, 11);
            AssertChainConverged([topClient, midClient, endClient], () => end.Log);
            Assert.Equal(2, Stat(midClient, "sync_full"));
            Assert.Equal("0", Text(midClient.Call("EXISTS", "s0"))[1..^2]);
        }
        finally
        {
            topClient.Dispose();
            top.Dispose();
            end.Dispose();
            topDir.Delete(recursive: true);
            endDir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task OurMasterRestartedFromItsDumpLetsARealReplicaContinue()
    {
        var realDir = Directory.CreateTempSubdirectory("rp-our-master-restart-");
        var master = await NodeFixture.StartAsync(name: "restart-master");
        int port = master.Port;
        string dir = master.Node.Options.Config.Dir;
        var masterClient = TestRespClient.Connect(port);
        using var real = RedisServerProcess.Start(RealArgs(realDir.FullName, "--replicaof", "127.0.0.1", port.ToString()));
        using var realClient = TestRespClient.Connect(real.Port);
        try
        {
            for (int i = 0; i < 3; i++) Write(masterClient, i);
            AssertChainConverged([masterClient, realClient], () => real.Log);
            // A key that expires while the master is down: the restarted master drops it at load and feeds a DEL
            // into its backlog after the restored offset (Redis 7.0 does), so the continuing replica drops it too.
            Run(masterClient, "SET", "gone", "soon", "PX", "300");
            AssertChainConverged([masterClient, realClient], () => real.Log);
            string oldId = Repl(masterClient, "master_replid");
            long offset = long.Parse(Repl(masterClient, "master_repl_offset"));
            Run(masterClient, "SAVE");
            masterClient.Dispose();
            await master.DisposeAsync();
            WaitFor(() => Repl(realClient, "master_link_status") == "down", "the real replica's link down", () => real.Log);
            WaitFor(() => Text(realClient.Call("PTTL", "gone")) == ":-2\r\n", "the key to expire", () => real.Log);
            string delGone = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$3\r\nDEL\r\n$4\r\ngone\r\n";

            master = await NodeFixture.StartAsync(c =>
            {
                c.Dir = dir;
                c.Port = port;
            }, "restart-master-again");
            masterClient = TestRespClient.Connect(port);
            long restored = offset + delGone.Length;
            WaitFor(() => Repl(masterClient, "master_repl_offset") == restored.ToString(), "the dump loaded",
                () => Describe([masterClient]));
            Assert.Equal(oldId, Repl(masterClient, "master_replid2"));
            Assert.Equal((offset + 1).ToString(), Repl(masterClient, "second_repl_offset"));
            Assert.NotEqual(oldId, Repl(masterClient, "master_replid"));
            Assert.Equal("1", Repl(masterClient, "repl_backlog_active"));
            Assert.Equal((offset + 1).ToString(), Repl(masterClient, "repl_backlog_first_byte_offset"));
            Assert.Equal(delGone.Length.ToString(), Repl(masterClient, "repl_backlog_histlen"));
            WaitFor(() => Stat(masterClient, "sync_partial_ok") == 1, "the real replica's partial resync",
                () => Describe([masterClient, realClient], () => real.Log));
            Assert.Equal(0, Stat(masterClient, "sync_full"));
            Write(masterClient, 3);
            AssertChainConverged([masterClient, realClient], () => real.Log);
            Assert.Equal(oldId, Repl(realClient, "master_replid2"));
        }
        finally
        {
            masterClient.Dispose();
            await master.DisposeAsync();
            realDir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AChainNodeRepointedToAPromotedSiblingContinuesAndSoDoesItsReplica()
    {
        // PSYNC2 in a chain: top → (real sibling, our mid → real end). The sibling is promoted and our mid is pointed
        // at it at runtime: the mid keeps its replica and its backlog, continues with the sibling through replid2,
        // takes the new replid, disconnects its replica, which continues from the mid's backlog.
        var siblingDir = Directory.CreateTempSubdirectory("rp-chain-sibling-");
        var endDir = Directory.CreateTempSubdirectory("rp-chain-sibling-end-");
        await using var top = await NodeFixture.StartAsync(name: "psync2-top");
        using var topClient = TestRespClient.Connect(top.Port);
        for (int i = 0; i < 3; i++) Write(topClient, i);
        using var sibling = RedisServerProcess.Start(RealArgs(siblingDir.FullName, "--replicaof", "127.0.0.1", top.Port.ToString()));
        using var siblingClient = TestRespClient.Connect(sibling.Port);
        await using var mid = await NodeFixture.StartAsync(name: "psync2-mid");
        using var midClient = TestRespClient.Connect(mid.Port);
        Run(midClient, "REPLICAOF", "127.0.0.1", top.Port.ToString());
        using var end = RedisServerProcess.Start(RealArgs(endDir.FullName, "--replicaof", "127.0.0.1", mid.Port.ToString()));
        using var endClient = TestRespClient.Connect(end.Port);
        try
        {
            AssertChainConverged([topClient, siblingClient, midClient], () => sibling.Log);
            AssertChainConverged([topClient, midClient, endClient], () => end.Log);
            string oldId = Repl(topClient, "master_replid");
            long offset = long.Parse(Repl(topClient, "master_repl_offset"));

            Run(siblingClient, "REPLICAOF", "NO", "ONE");
            Run(midClient, "REPLICAOF", "127.0.0.1", sibling.Port.ToString());
            WaitFor(() => Stat(siblingClient, "sync_partial_ok") == 1, "the mid's partial resync with the promoted sibling",
                () => Describe([siblingClient, midClient, endClient], () => sibling.Log));
            Assert.Equal(0, Stat(siblingClient, "sync_full"));
            WaitFor(() => Stat(midClient, "sync_partial_ok") == 1, "the end's partial resync with the mid",
                () => Describe([siblingClient, midClient, endClient], () => end.Log));
            Assert.Equal(1, Stat(midClient, "sync_full"));
            Write(siblingClient, 3);
            AssertChainConverged([siblingClient, midClient, endClient], () => end.Log);
            Assert.Equal(oldId, Repl(midClient, "master_replid2"));
            Assert.Equal((offset + 1).ToString(), Repl(midClient, "second_repl_offset"));
            Assert.Equal(oldId, Repl(endClient, "master_replid2"));
        }
        finally
        {
            end.Dispose();
            sibling.Dispose();
            siblingDir.Delete(recursive: true);
            endDir.Delete(recursive: true);
        }
    }
}
