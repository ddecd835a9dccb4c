// Our node as a replica (REPLICAOF at runtime): of a real redis-server 7.0.15 master (diskless $EOF snapshot with
// compact encodings, live stream, partial resync after the master kills the link, READONLY, promotion with
// REPLICAOF NO ONE) and of another of our nodes (disk-style snapshot). Checked with DEBUG DIGEST and INFO/ROLE.
using System.Text;
using System.Text.RegularExpressions;
using RedisPanel.Interop.Tests.Infrastructure;
using static RedisPanel.Interop.Tests.Infrastructure.ReplicationProbe;

namespace RedisPanel.Interop.Tests.Replication;

public sealed class OurReplicaTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static string Text(byte[] reply) => Encoding.Latin1.GetString(reply);

    private static void Run(TestRespClient c, params string[] args)
    {
        var reply = Text(c.Call(args));
        Assert.False(reply.StartsWith('-'), $"{string.Join(' ', args.Take(3))}: {reply}");
    }

    private static void Write(TestRespClient c, int round)
    {
        Run(c, "SELECT", (round % 3).ToString());
        Run(c, "SET", $"s{round}", $"v{round}");
        Run(c, "SELECT", "0");
        Run(c, ["RPUSH", $"list{round}", .. Enumerable.Range(0, 50).Select(i => "e" + i)]);
        Run(c, ["SADD", $"intset{round}", .. Enumerable.Range(0, 20).Select(i => i.ToString())]);
        Run(c, ["SADD", $"set{round}", .. Enumerable.Range(0, 20).Select(i => "m" + i)]);
        Run(c, ["HSET", $"hash{round}", .. Enumerable.Range(0, 20).SelectMany(i => new[] { "f" + i, "v" + i })]);
        Run(c, ["ZADD", $"zset{round}", .. Enumerable.Range(0, 20).SelectMany(i => new[] { (i * 1.5).ToString(System.Globalization.CultureInfo.InvariantCulture), "z" + i })]);
        Run(c, "SET", $"big{round}", new string('q', 5000));
        Run(c, "SET", $"ttl{round}", "v", "EX", "100000");
        Run(c, "INCR", $"n{round}");
        Run(c, "INCRBYFLOAT", $"f{round}", "0.25");
        Run(c, "MULTI");
        Run(c, "LPUSH", $"tx{round}", "a");
        Run(c, "DEL", $"list{round}");
        Run(c, "EXEC");
    }

    /// <summary>Polls until our replica's link is up and its applied offset equals the master's.</summary>
    private static void WaitConverged(TestRespClient master, TestRespClient replica, Func<string> log)
    {
        var until = DateTime.UtcNow + Deadline;
        string last = "";
        while (DateTime.UtcNow < until)
        {
            string r = Info(replica, "replication");
            string offset = Field(Info(master, "replication"), "master_repl_offset");
            if (Field(r, "master_link_status") == "up" && Field(r, "slave_repl_offset") == offset) return;
            last = r;
            Thread.Sleep(20); // polling interval, bounded by the deadline
        }
        Assert.Fail($"replica did not converge.\nreplica INFO:\n{last}\nmaster:\n{Info(master, "replication")}\n{log()}");
    }

    private static void AssertSameDigest(TestRespClient a, TestRespClient b)
    {
        string digest = Text(a.Call("DEBUG", "DIGEST"));
        Assert.DoesNotContain("0000000000000000000000000000000000000000", digest);
        Assert.Equal(digest, Text(b.Call("DEBUG", "DIGEST")));
    }

    [Fact]
    public async Task OurNodeReplicatesARealMasterAndIsPromoted()
    {
        var dir = Directory.CreateTempSubdirectory("rp-real-master-");
        using var server = RedisServerProcess.Start("--enable-debug-command", "yes", "--dir", dir.FullName,
            "--repl-diskless-sync-delay", "0");
        using var master = TestRespClient.Connect(server.Port);
        for (int i = 0; i < 3; i++) Write(master, i);

        await using var node = await NodeFixture.StartAsync(name: "repl-replica");
        using var ours = TestRespClient.Connect(node.Port);
        Assert.Equal("+OK\r\n", Text(ours.Call("REPLICAOF", "127.0.0.1", server.Port.ToString())));
        Assert.Equal("+OK Already connected to specified master\r\n", Text(ours.Call("REPLICAOF", "127.0.0.1", server.Port.ToString())));
        Assert.Equal("-ERR Invalid master port\r\n", Text(ours.Call("REPLICAOF", "127.0.0.1", "70000")));
        WaitConverged(master, ours, () => server.Log);
        AssertSameDigest(master, ours);
        string info = Info(ours, "replication");
        Assert.Equal("slave", Field(info, "role"));
        Assert.Equal(Field(Info(master, "replication"), "master_replid"), Field(info, "master_replid"));
        // The master puts a diskless replica online when its first ACK after the transfer arrives.
        var online = DateTime.UtcNow + Deadline;
        while (!Field(Info(master, "replication"), "slave0").Contains("state=online") && DateTime.UtcNow < online) Thread.Sleep(20);
        Assert.Matches($"^ip=127\\.0\\.0\\.1,port={node.Port},state=online,", Field(Info(master, "replication"), "slave0"));
        Assert.StartsWith($"*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:{server.Port}\r\n$9\r\nconnected\r\n:", Text(ours.Call("ROLE")));

        // A read-only replica refuses writes from clients.
        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", Text(ours.Call("SET", "x", "1")));

        // Live stream.
        for (int i = 3; i < 8; i++) Write(master, i);
        WaitConverged(master, ours, () => server.Log);
        AssertSameDigest(master, ours);

        // The master drops the link; we reconnect and continue from our offset.
        Assert.Equal(":1\r\n", Text(master.Call("CLIENT", "KILL", "TYPE", "replica")));
        Write(master, 8);
        var until = DateTime.UtcNow + Deadline;
        while (Field(Info(master, "stats"), "sync_partial_ok") != "1" && DateTime.UtcNow < until) Thread.Sleep(20);
        Assert.Equal("1", Field(Info(master, "stats"), "sync_partial_ok"));
        WaitConverged(master, ours, () => server.Log);
        AssertSameDigest(master, ours);
        Assert.Equal("1", Field(Info(master, "stats"), "sync_full"));

        // Promotion keeps the data and the old history as replid2 up to offset + 1.
        string oldId = Field(Info(ours, "replication"), "master_replid");
        long offset = long.Parse(Field(Info(ours, "replication"), "master_repl_offset"));
        Assert.Equal("+OK\r\n", Text(ours.Call("REPLICAOF", "NO", "ONE")));
        info = Info(ours, "replication");
        Assert.Equal("master", Field(info, "role"));
        Assert.Equal(oldId, Field(info, "master_replid2"));
        Assert.NotEqual(oldId, Field(info, "master_replid"));
        Assert.Equal((offset + 1).ToString(), Field(info, "second_repl_offset"));
        Assert.Equal("+OK\r\n", Text(ours.Call("SET", "after", "promotion")));
        server.Dispose();
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task OurNodeReplicatesOurNode()
    {
        await using var a = await NodeFixture.StartAsync(name: "repl-a");
        await using var b = await NodeFixture.StartAsync(name: "repl-b");
        using var master = TestRespClient.Connect(a.Port);
        using var replica = TestRespClient.Connect(b.Port);
        for (int i = 0; i < 3; i++) Write(master, i);
        Assert.Equal("+OK\r\n", Text(replica.Call("SLAVEOF", "127.0.0.1", a.Port.ToString())));
        WaitConverged(master, replica, () => "");
        for (int i = 3; i < 6; i++) Write(master, i);
        WaitConverged(master, replica, () => "");
        AssertSameDigest(master, replica);
        // WAIT sees our replica's ACKs (answered to GETACK with the offset before it).
        Run(master, "SET", "w", "1");
        Assert.Equal(":1\r\n", Text(master.Call("WAIT", "1", "5000")));
    }
}
