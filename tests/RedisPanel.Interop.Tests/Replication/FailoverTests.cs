// Coordinated FAILOVER across real and our servers: our master to our replica, our master to a real redis-server
// 7.0 replica, and a real master to our replica. A writer keeps writing (no WAIT) through the failover window:
// every write acknowledged with +OK must be on the new master, the held writes are answered -READONLY, ROLE swaps,
// master_failover_state returns to no-failover, and DEBUG DIGEST matches once the old master follows the new one.
// Also: the FAILOVER state errors and the waiting/abort/timeout/force sequence against a stalled fake replica,
// byte for byte equal to a real server's replies.
using System.Text;
using System.Text.RegularExpressions;
using RedisPanel.Interop.Tests.Infrastructure;
using static RedisPanel.Interop.Tests.Infrastructure.ReplicationProbe;

namespace RedisPanel.Interop.Tests.Replication;

public sealed class FailoverTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static string Text(byte[] reply) => Encoding.Latin1.GetString(reply);

    private static string Info(TestRespClient c)
    {
        var raw = Text(c.Call("INFO", "replication"));
        return raw[(raw.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
    }

    private static void Until(Func<bool> condition, Func<string> describe)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail("timed out: " + describe());
            Thread.Sleep(20); // polling interval, bounded by the deadline
        }
    }

    /// <summary>The replica's link is up, it applied all the master produced, and the master lists it online at that offset.</summary>
    private static void WaitSynced(TestRespClient master, TestRespClient replica, int replicaPort, Func<string> log)
    {
        Until(() =>
        {
            string m = Info(master), r = Info(replica);
            string offset = Field(m, "master_repl_offset");
            return Field(r, "master_link_status") == "up" && Field(r, "slave_repl_offset") == offset
                && Regex.IsMatch(m, $"slave\\d+:ip=127\\.0\\.0\\.1,port={replicaPort},state=online,offset={offset},");
        }, () => $"not synced.\nmaster:\n{Info(master)}\nreplica:\n{Info(replica)}\n{log()}");
    }

    private static void Populate(TestRespClient c)
    {
        for (int i = 0; i < 50; i++) Assert.Equal("+OK\r\n", Text(c.Call("SET", $"pre{i}", $"v{i}")));
        Assert.Equal(":3\r\n", Text(c.Call("RPUSH", "list", "a", "b", "c")));
        Assert.Equal(":2\r\n", Text(c.Call("HSET", "hash", "f1", "1", "f2", "2")));
    }

    /// <summary>
    /// Fails <paramref name="master"/> over to the replica on <paramref name="replicaPort"/> while a writer writes
    /// without WAIT; checks that no acknowledged write is lost and that the roles swapped cleanly.
    /// </summary>
    private static void FailOverUnderWrites(int masterPort, int replicaPort, Func<string> log)
    {
        using var master = TestRespClient.Connect(masterPort);
        using var replica = TestRespClient.Connect(replicaPort);
        Populate(master);
        WaitSynced(master, replica, replicaPort, log);
        // WAIT counts the acknowledging replica: at once when already acked, after GETACK with timeout 0 (forever),
        // and the count reached so far when the timeout ends first.
        Assert.Equal(":1\r\n", Text(master.Call("WAIT", "1", "0")));
        Assert.Equal("+OK\r\n", Text(master.Call("SET", "waited", "1")));
        Assert.Equal(":1\r\n", Text(master.Call("WAIT", "1", "0")));
        Assert.Equal(":1\r\n", Text(master.Call("WAIT", "2", "200")));
        WaitSynced(master, replica, replicaPort, log);

        // The writer: SET w:i until the old master refuses (READONLY after the switch). A write held by the
        // failover's pause is answered only when the failover ends.
        var acked = new List<int>();
        string? refusal = null;
        var writer = Task.Run(() =>
        {
            using var w = TestRespClient.Connect(masterPort, TimeSpan.FromSeconds(30));
            var until = DateTime.UtcNow + Deadline;
            for (int i = 0; DateTime.UtcNow < until; i++)
            {
                string reply = Text(w.Call("SET", $"w:{i}", $"value-{i}"));
                if (reply != "+OK\r\n")
                {
                    refusal = reply;
                    return;
                }
                lock (acked) acked.Add(i);
            }
        });
        Until(() => { lock (acked) return acked.Count >= 100; }, () => "writer did not start");

        Assert.Equal("+OK\r\n", Text(master.Call("FAILOVER", "TO", "127.0.0.1", replicaPort.ToString(), "TIMEOUT", "20000")));
        Until(() => Field(Info(master), "master_failover_state") == "no-failover" && Field(Info(master), "role") == "slave",
            () => $"failover did not complete.\nold master:\n{Info(master)}\ntarget:\n{Info(replica)}\n{log()}");
        Assert.True(writer.Wait(Deadline), "writer did not stop");
        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", refusal);

        // No acknowledged write lost: every +OK key is on the new master.
        Assert.StartsWith("*3\r\n$6\r\nmaster\r\n", Text(replica.Call("ROLE")));
        Assert.Equal("no-failover", Field(Info(replica), "master_failover_state"));
        foreach (int i in acked)
            Assert.Equal($"${$"value-{i}".Length}\r\nvalue-{i}\r\n", Text(replica.Call("GET", $"w:{i}")));
        Assert.StartsWith($"*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:{replicaPort}\r\n", Text(master.Call("ROLE")));

        // The old master follows the new one (partial resync with the new id) and converges.
        Assert.Equal("+OK\r\n", Text(replica.Call("SET", "after", "failover")));
        WaitSynced(replica, master, masterPort, log);
        Assert.Equal(Field(Info(replica), "master_replid"), Field(Info(master), "master_replid"));
        string digest = Text(replica.Call("DEBUG", "DIGEST"));
        Assert.DoesNotContain("0000000000000000000000000000000000000000", digest);
        Assert.Equal(digest, Text(master.Call("DEBUG", "DIGEST")));
    }

    [Fact]
    public async Task FailoverFromOurMasterToOurReplica()
    {
        await using var a = await NodeFixture.StartAsync(name: "fo-master");
        await using var b = await NodeFixture.StartAsync(name: "fo-replica");
        using (var rb = TestRespClient.Connect(b.Port))
            Assert.Equal("+OK\r\n", Text(rb.Call("REPLICAOF", "127.0.0.1", a.Port.ToString())));
        FailOverUnderWrites(a.Port, b.Port, () => "");
    }

    [Fact]
    public async Task FailoverFromOurMasterToARealReplica()
    {
        await using var a = await NodeFixture.StartAsync(name: "fo-master");
        var dir = Directory.CreateTempSubdirectory("rp-fo-real-replica-");
        using var server = RedisServerProcess.Start("--replicaof", "127.0.0.1", a.Port.ToString(),
            "--enable-debug-command", "yes", "--dir", dir.FullName);
        FailOverUnderWrites(a.Port, server.Port, () => server.Log);
        Assert.Contains("MASTER MODE enabled (failover request from", server.Log);
        server.Dispose();
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task FailoverFromARealMasterToOurReplica()
    {
        var dir = Directory.CreateTempSubdirectory("rp-fo-real-master-");
        using var server = RedisServerProcess.Start("--enable-debug-command", "yes", "--dir", dir.FullName,
            "--repl-diskless-sync-delay", "0");
        await using var b = await NodeFixture.StartAsync(name: "fo-replica");
        using (var rb = TestRespClient.Connect(b.Port))
            Assert.Equal("+OK\r\n", Text(rb.Call("REPLICAOF", "127.0.0.1", server.Port.ToString())));
        FailOverUnderWrites(server.Port, b.Port, () => server.Log);
        Assert.Contains("Successful partial resynchronization with master.", server.Log);
        server.Dispose();
        dir.Delete(recursive: true);
    }

    /// <summary>
    /// A replica that never catches up: it announces <paramref name="announcedPort"/> (nothing listens there),
    /// full-syncs, and ACKs offset 0 until the master lists it online.
    /// </summary>
    private static TestRespClient StalledReplica(TestRespClient master, int masterPort, int announcedPort)
    {
        var fake = TestRespClient.Connect(masterPort);
        Assert.Equal("+OK\r\n", Text(fake.Call("REPLCONF", "listening-port", announcedPort.ToString())));
        Assert.Equal("+OK\r\n", Text(fake.Call("REPLCONF", "capa", "eof", "capa", "psync2")));
        fake.Send("PSYNC", "?", "-1");
        // A diskless master puts the replica online at its first ACK after the transfer; ours right after it.
        Until(() =>
        {
            fake.Send("REPLCONF", "ACK", "0");
            return Field(Info(master), "slave0").Contains("state=online");
        }, () => Info(master));
        return fake;
    }

    /// <summary>The FAILOVER sequence whose replies are compared between a real server and ours.</summary>
    private static List<string> StalledFailoverTranscript(int masterPort)
    {
        using var master = TestRespClient.Connect(masterPort);
        int announced = FreePort.Next();
        using var fake = StalledReplica(master, masterPort, announced);
        var t = new List<string>();
        string p = announced.ToString();
        string Run(TestRespClient c, params string[] args)
        {
            string reply = Text(c.Call(args));
            t.Add($"{string.Join(' ', args.Select(a => a == p ? "<port>" : a))} -> {reply}");
            return reply;
        }
        string State() => Field(Info(master), "master_failover_state");

        Run(master, "SET", "k", "v"); // the fake replica's ACK (0) is now behind for good
        Run(master, "FAILOVER", "TO", "127.0.0.1", "1");
        Run(master, "FAILOVER", "TO", "127.0.0.1", p, "FORCE");
        Run(master, "FAILOVER", "TO", "localhost", p);
        Run(master, "FAILOVER", "FORCE", "TIMEOUT", "100");
        Run(master, "FAILOVER", "ABORT");

        // Waiting for sync: writes held, state errors, ABORT releases the held write.
        Run(master, "FAILOVER", "TIMEOUT", "60000");
        t.Add(State());
        Run(master, "FAILOVER");
        Run(master, "FAILOVER", "TO", "127.0.0.1", p);
        Run(master, "REPLICAOF", "NO", "ONE");
        Run(master, "REPLICAOF", "127.0.0.1", "1");
        Run(master, "CLIENT", "UNPAUSE");
        Run(master, "GET", "k");
        using (var sync = TestRespClient.Connect(masterPort)) Run(sync, "PSYNC", "?", "-1");
        using var writer = TestRespClient.Connect(masterPort);
        writer.Send("SET", "held", "1");
        Until(() => Field(Text(master.Call("INFO", "clients")), "blocked_clients") == "1", () => Text(master.Call("INFO", "clients")));
        Run(master, "FAILOVER", "ABORT");
        t.Add("held write -> " + Text(writer.ReadReply()!));
        t.Add(State());

        // A timeout without FORCE aborts by itself.
        Run(master, "FAILOVER", "TO", "127.0.0.1", p, "TIMEOUT", "200");
        Until(() => State() == "no-failover", () => Info(master));
        t.Add(State());

        // With FORCE the master switches anyway (and stays a replica of the unreachable target until ABORT).
        Run(master, "FAILOVER", "TO", "127.0.0.1", p, "TIMEOUT", "200", "FORCE");
        Until(() => State() == "failover-in-progress", () => Info(master));
        t.Add(Field(Info(master), "role"));
        Run(master, "GET", "k");
        Run(master, "FAILOVER", "ABORT");
        t.Add(State() + " " + Field(Info(master), "role"));
        Run(master, "SET", "x", "2");
        return t;
    }

    [Fact]
    public async Task FailoverStateErrorsAndSequenceMatchARealServer()
    {
        List<string> expected;
        var dir = Directory.CreateTempSubdirectory("rp-fo-errors-");
        using (var server = RedisServerProcess.Start("--repl-diskless-sync-delay", "0", "--dir", dir.FullName))
            expected = StalledFailoverTranscript(server.Port);
        dir.Delete(recursive: true);
        List<string> actual;
        await using (var node = await NodeFixture.StartAsync(name: "fo-errors"))
            actual = StalledFailoverTranscript(node.Port);
        Assert.True(expected.SequenceEqual(actual),
            $"redis-server:\n{string.Join("\n", expected)}\nour node:\n{string.Join("\n", actual)}");
    }
}
