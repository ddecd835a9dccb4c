// Our master's full-sync transfers against real Redis 7.0.15 tools: a real replica synced diskless ($EOF) and from
// "disk" ($len), five replicas (real redis-server and our nodes) served by one snapshot, a real replica resuming
// with PSYNC after its restart (its RDB carries repl-id/offset), `redis-cli --rdb` producing a file
// `redis-check-rdb` accepts, and SYNC typed into a raw socket (like nc) showing the RDB bulk then the commands.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using RedisPanel.Interop.Tests.Infrastructure;
using RedisPanel.Replication;
using static RedisPanel.Interop.Tests.Infrastructure.ReplicationProbe;

namespace RedisPanel.Interop.Tests.Replication;

public sealed class MasterTransferTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static string Digest(TestRespClient c) => Encoding.Latin1.GetString(c.Call("DEBUG", "DIGEST"));

    private static void Fill(TestRespClient c, string prefix, int n)
    {
        // Pipelined in batches: one round trip per 500 commands.
        for (int i = 0; i < n; i += 500)
        {
            var sb = new StringBuilder();
            int count = Math.Min(500, n - i);
            for (int j = i; j < i + count; j++)
            {
                string k = $"{prefix}:{j}", v = $"value-{j}-{new string('x', j % 200)}";
                sb.Append($"*3\r\n$3\r\nSET\r\n${k.Length}\r\n{k}\r\n${v.Length}\r\n{v}\r\n");
            }
            c.SendRaw(sb.ToString());
            for (int j = 0; j < count; j++) Assert.Equal("+OK\r\n", Encoding.Latin1.GetString(c.ReadReply()!));
        }
        Assert.Equal(":3\r\n", Encoding.Latin1.GetString(c.Call("RPUSH", prefix + ":list", "a", "b", "c")));
        Assert.Equal(":2\r\n", Encoding.Latin1.GetString(c.Call("HSET", prefix + ":hash", "f", "1", "g", "2")));
    }

    /// <summary>Polls until the replica's link is up and it applied everything our master produced.</summary>
    private static void WaitConverged(TestRespClient master, TestRespClient replica, Func<string> log)
    {
        var until = DateTime.UtcNow + Deadline;
        string last = "";
        while (DateTime.UtcNow < until)
        {
            string r = Info(replica, "replication");
            string offset = Field(Info(master, "replication"), "master_repl_offset");
            if (Field(r, "master_link_status") == "up" && Field(r, "slave_repl_offset") == offset && offset != "0") return;
            last = r;
            Thread.Sleep(20); // polling interval, bounded by the deadline
        }
        Assert.Fail($"replica did not converge.\nreplica INFO:\n{last}\nmaster:\n{Info(master, "replication")}\nlog:\n{log()}");
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail("timed out waiting for " + what);
            Thread.Sleep(20); // polling interval, bounded by the deadline
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RealReplicaFullSyncsDisklessOrFromDiskAndThenFollowsTheStream(bool diskless)
    {
        await using var node = await NodeFixture.StartAsync(c => { c.ReplDisklessSync = diskless; c.ReplDisklessSyncDelay = 1; }, "xfer-master");
        var jobs = new List<SyncJobReport>();
        node.Node.Replication.SyncJobCompleted += r => { lock (jobs) jobs.Add(r); };
        using var ours = TestRespClient.Connect(node.Port);
        Fill(ours, "pre", 5000);

        var dir = Directory.CreateTempSubdirectory("rp-xfer-replica-");
        using var server = RedisServerProcess.Start("--replicaof", "127.0.0.1", node.Port.ToString(),
            "--enable-debug-command", "yes", "--dir", dir.FullName);
        using var replica = TestRespClient.Connect(server.Port);
        WaitConverged(ours, replica, () => server.Log);
        Assert.Equal(Digest(ours), Digest(replica));
        Assert.Contains(diskless
            ? "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk"
            : "MASTER <-> REPLICA sync: receiving ", server.Log);
        if (!diskless) Assert.Matches(@"receiving \d+ bytes from master to disk", server.Log);

        // The live stream after the snapshot (diskless: released by the replica's first ACK).
        Fill(ours, "post", 3000);
        Assert.Equal(":1\r\n", Encoding.Latin1.GetString(ours.Call("DEL", "pre:7")));
        WaitConverged(ours, replica, () => server.Log);
        Assert.Equal(Digest(ours), Digest(replica));

        lock (jobs)
        {
            var job = Assert.Single(jobs);
            Assert.Equal(diskless ? "socket" : "disk", job.Target);
            Assert.Equal(1, job.Replicas);
        }
        var persistence = Info(ours, "persistence");
        Assert.Equal("1", Field(persistence, "rdb_saves"));
        Assert.Equal("0", Field(persistence, "rdb_bgsave_in_progress"));
        server.Dispose();
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task FiveReplicasAskingWithinTheSameSecondAreServedByOneSnapshot()
    {
        // The diskless delay gathers them (long enough for a loaded machine to start five servers); max-replicas 5
        // starts the transfer at the cron tick after the fifth one is waiting.
        await using var node = await NodeFixture.StartAsync(c => { c.ReplDisklessSyncDelay = 30; c.ReplDisklessSyncMaxReplicas = 5; }, "five-master");
        var jobs = new List<SyncJobReport>();
        node.Node.Replication.SyncJobCompleted += r => { lock (jobs) jobs.Add(r); };
        using var ours = TestRespClient.Connect(node.Port);
        Fill(ours, "k", 3000);

        var dirs = new List<DirectoryInfo>();
        var servers = new List<RedisServerProcess>();
        var nodes = new List<NodeFixture>();
        var clients = new List<TestRespClient>();
        try
        {
            var started = Stopwatch.StartNew();
            for (int i = 0; i < 3; i++)
            {
                var dir = Directory.CreateTempSubdirectory("rp-five-");
                dirs.Add(dir);
                servers.Add(RedisServerProcess.Start("--replicaof", "127.0.0.1", node.Port.ToString(),
                    "--enable-debug-command", "yes", "--dir", dir.FullName));
            }
            for (int i = 0; i < 2; i++)
            {
                var n = await NodeFixture.StartAsync(name: "five-replica-" + i);
                nodes.Add(n);
                using var c = TestRespClient.Connect(n.Port);
                Assert.Equal("+OK\r\n", c.CallText("REPLICAOF", "127.0.0.1", node.Port.ToString()));
            }
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(25), "the five replicas must ask while the delay runs");
            foreach (var s in servers) clients.Add(TestRespClient.Connect(s.Port));
            foreach (var n in nodes) clients.Add(TestRespClient.Connect(n.Port));
            string Logs() => string.Join("\n----\n", servers.Select(s => s.Log));
            foreach (var c in clients) WaitConverged(ours, c, Logs);

            string digest = Digest(ours);
            foreach (var c in clients) Assert.Equal(digest, Digest(c));
            lock (jobs)
            {
                var job = Assert.Single(jobs);
                Assert.Equal(5, job.Replicas);
                Assert.Equal("socket", job.Target);
            }
            Assert.Equal(1, node.Node.Replication.SnapshotsTaken);
            Assert.Equal("5", Field(Info(ours, "stats"), "sync_full"));
            Assert.Equal("1", Field(Info(ours, "persistence"), "rdb_saves"));
            string repl = Info(ours, "replication");
            Assert.Equal("5", Field(repl, "connected_slaves"));
            for (int i = 0; i < 5; i++) Assert.Contains("state=online", Field(repl, "slave" + i));

            // And the stream reaches all of them.
            Fill(ours, "after", 500);
            foreach (var c in clients) WaitConverged(ours, c, Logs);
            digest = Digest(ours);
            foreach (var c in clients) Assert.Equal(digest, Digest(c));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
            foreach (var s in servers) s.Dispose();
            foreach (var n in nodes) await n.DisposeAsync();
            foreach (var d in dirs) d.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RealReplicaResumesWithPartialResyncAfterItsRestart()
    {
        await using var node = await NodeFixture.StartAsync(c => c.ReplDisklessSyncDelay = 0, "restart-master");
        using var ours = TestRespClient.Connect(node.Port);
        Fill(ours, "a", 2000);
        var dir = Directory.CreateTempSubdirectory("rp-restart-replica-");
        try
        {
            string[] args = ["--replicaof", "127.0.0.1", node.Port.ToString(), "--enable-debug-command", "yes", "--dir", dir.FullName];
            using (var first = RedisServerProcess.Start(args))
            {
                using var replica = TestRespClient.Connect(first.Port);
                WaitConverged(ours, replica, () => first.Log);
                // SHUTDOWN SAVE: the replica writes its dump with repl-id and repl-offset, as on a normal restart.
                replica.SendRaw("*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n");
                Assert.True(replica.IsClosedByServer(TimeSpan.FromSeconds(30)));
                WaitFor(() => first.HasExited, "the replica to exit");
            }
            // Writes while it is away come from the backlog.
            Fill(ours, "b", 500);
            using var second = RedisServerProcess.Start(args);
            using var again = TestRespClient.Connect(second.Port);
            WaitConverged(ours, again, () => second.Log);
            Assert.Equal(Digest(ours), Digest(again));
            var stats = Info(ours, "stats");
            Assert.Equal("1", Field(stats, "sync_full"));
            Assert.Equal("1", Field(stats, "sync_partial_ok"));
            Assert.Contains("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.", second.Log);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RedisCliRdbSavesAFileThatRedisCheckRdbAccepts()
    {
        await using var node = await NodeFixture.StartAsync(c => c.ReplDisklessSyncDelay = 0, "cli-rdb-master");
        using var ours = TestRespClient.Connect(node.Port);
        Fill(ours, "r", 2000);
        var dir = Directory.CreateTempSubdirectory("rp-cli-rdb-");
        try
        {
            string file = Path.Combine(dir.FullName, "copy.rdb");
            var (code, output) = Run("/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", node.Port.ToString(), "--rdb", file);
            Assert.True(code == 0, output);
            Assert.Contains("Transfer finished with success", output);
            var (checkCode, check) = Run("/usr/bin/redis-check-rdb", file);
            Assert.True(checkCode == 0, check);
            Assert.Contains("\\o/ RDB looks OK! \\o/", check);
            Assert.Contains("[info] 2002 keys read", check);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (int Code, string Output) Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill();
            p.WaitForExit(10_000);
            Assert.Fail($"{exe} did not finish within 60 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public async Task SyncTypedIntoARawSocketShowsTheRdbBulkThenTheCommands()
    {
        await using var node = await NodeFixture.StartAsync(name: "nc-master");
        using var ours = TestRespClient.Connect(node.Port);
        Assert.Equal("+OK\r\n", ours.CallText("SET", "before", "1"));

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect("127.0.0.1", node.Port);
        socket.ReceiveTimeout = 30_000;
        socket.Send("SYNC\r\n"u8); // inline, as typed into nc: no capa eof, so the disk framing at once
        var got = new List<byte>();
        var buf = new byte[65536];
        string Text() => Encoding.Latin1.GetString(got.ToArray());
        void ReadUntil(Func<string, bool> done)
        {
            var until = DateTime.UtcNow + Deadline;
            while (!done(Text()))
            {
                if (DateTime.UtcNow > until) Assert.Fail("raw SYNC output so far: " + Text());
                int n = socket.Receive(buf);
                if (n == 0) Assert.Fail("closed; output so far: " + Text());
                got.AddRange(buf.AsSpan(0, n).ToArray());
            }
        }
        ReadUntil(s => Regex.Match(s, @"^\n*\$(\d+)\r\n") is { Success: true } m && s.Length >= m.Length + int.Parse(m.Groups[1].Value));
        var head = Regex.Match(Text(), @"^\n*\$(\d+)\r\n");
        Assert.Equal("REDIS0010", Text().Substring(head.Length, 9));
        int rdbEnd = head.Length + int.Parse(head.Groups[1].Value);
        Assert.Equal("+OK\r\n", ours.CallText("SET", "typed", "hello"));
        string expected = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\ntyped\r\n$5\r\nhello\r\n";
        // The master also pings its replicas every repl-ping-replica-period (10 s), without a SELECT, from a cron
        // that is not aligned with this replica's arrival: on a slow machine a PING may come first. Redis does the
        // same, so PINGs are not part of what is compared.
        const string ping = "*1\r\n$4\r\nPING\r\n";
        string Stream() => Text()[rdbEnd..].Replace(ping, "");
        ReadUntil(_ => Stream().Length >= expected.Length);
        Assert.Equal(expected, Stream());
    }
}
