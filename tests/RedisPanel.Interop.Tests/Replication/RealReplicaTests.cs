// A real redis-server 7.0.15 replicating from our node (`--replicaof 127.0.0.1 <our port>`): full sync with
// every value type, the live stream, partial resync after CLIENT KILL TYPE replica, WAIT and ROLE. Equality is
// checked with DEBUG DIGEST on both sides once the replica's applied offset equals our master_repl_offset.
using System.Text;
using System.Text.RegularExpressions;
using RedisPanel.Interop.Tests.Infrastructure;
using static RedisPanel.Interop.Tests.Infrastructure.ReplicationProbe;

namespace RedisPanel.Interop.Tests.Replication;

public sealed class RealReplicaTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static string Digest(TestRespClient c) => Encoding.Latin1.GetString(c.Call("DEBUG", "DIGEST"));

    private static void Run(TestRespClient c, params string[] args)
    {
        var reply = Encoding.Latin1.GetString(c.Call(args));
        Assert.False(reply.StartsWith('-'), $"{string.Join(' ', args.Take(3))}: {reply}");
    }

    /// <summary>Polls until the real replica's link is up and it applied everything we produced.</summary>
    private static void WaitConverged(TestRespClient ours, TestRespClient replica, RedisServerProcess server)
    {
        var until = DateTime.UtcNow + Deadline;
        string last = "";
        while (DateTime.UtcNow < until)
        {
            string r = Info(replica, "replication");
            string offset = Field(Info(ours, "replication"), "master_repl_offset");
            if (Field(r, "master_link_status") == "up" && Field(r, "slave_repl_offset") == offset && offset != "0") return;
            last = r;
            Thread.Sleep(20); // polling interval, bounded by the deadline
        }
        Assert.Fail($"replica did not converge.\nreplica INFO:\n{last}\nours:\n{Info(ours, "replication")}\nlog:\n{server.Log}");
    }

    private static void Populate(TestRespClient c, int round)
    {
        for (int db = 0; db < 4; db++)
        {
            Run(c, "SELECT", db.ToString());
            Run(c, "SET", $"s{round}", $"value-{db}-{round}");
            Run(c, "SET", $"int{round}", (round * 1000 + db).ToString());
        }
        Run(c, "SELECT", "0");
        Run(c, "SET", $"big{round}", new string((char)('a' + round % 26), 100_000));
        Run(c, "SET", $"ttl{round}", "v", "EX", "100000");
        Run(c, "SETEX", $"setex{round}", "5000", "v");
        Run(c, "INCRBYFLOAT", $"float{round}", "1.5");
        Run(c, "APPEND", $"app{round}", "xyz");
        Run(c, "SETBIT", $"bits{round}", "777", "1");
        Run(c, ["RPUSH", $"list{round}", .. Enumerable.Range(0, 300).Select(i => "e" + i)]);
        Run(c, "LPUSH", $"small{round}", "a", "1", "-2");
        Run(c, ["SADD", $"intset{round}", .. Enumerable.Range(0, 50).Select(i => (i * 31).ToString())]);
        Run(c, ["SADD", $"set{round}", .. Enumerable.Range(0, 200).Select(i => "m" + i)]);
        Run(c, ["HSET", $"hash{round}", .. Enumerable.Range(0, 200).SelectMany(i => new[] { "f" + i, "v" + i })]);
        Run(c, "HINCRBY", $"hash{round}", "counter", "5");
        Run(c, ["ZADD", $"zset{round}", .. Enumerable.Range(0, 200).SelectMany(i => new[] { (i * 0.5 - 20).ToString(System.Globalization.CultureInfo.InvariantCulture), "z" + i })]);
        Run(c, "ZINCRBY", $"zset{round}", "2.25", "z1");
        Run(c, "EXPIRE", $"hash{round}", "90000");
        Run(c, "DEL", $"small{round}");
        Run(c, "LPOP", $"list{round}");
        Run(c, "SPOP", $"set{round}");
        Run(c, "MULTI");
        Run(c, "INCR", $"counter{round}");
        Run(c, "LPUSH", $"txlist{round}", "t");
        Run(c, "EXEC");
    }

    [Fact]
    public async Task RealReplicaFullSyncsStreamsAndContinuesAfterItsLinkIsKilled()
    {
        await using var node = await NodeFixture.StartAsync(name: "repl-master");
        using var ours = TestRespClient.Connect(node.Port);
        Populate(ours, 0);

        // Its own dir: a replica stores the received snapshot as dump.rdb there, and a dump left in the shared temp
        // dir would be loaded by every other redis-server the tests start (with our repl-id and offset).
        var dir = Directory.CreateTempSubdirectory("rp-real-replica-");
        using var server = RedisServerProcess.Start("--replicaof", "127.0.0.1", node.Port.ToString(),
            "--enable-debug-command", "yes", "--dir", dir.FullName);
        using var replica = TestRespClient.Connect(server.Port);

        // Full sync: same dataset digest.
        WaitConverged(ours, replica, server);
        string digest = Digest(ours);
        Assert.Equal(digest, Digest(replica));
        Assert.DoesNotContain("0000000000000000000000000000000000000000", digest);
        string info = Info(ours, "replication");
        Assert.Equal("1", Field(info, "connected_slaves"));
        Assert.Matches($"^ip=127\\.0\\.0\\.1,port={server.Port},state=online,offset=\\d+,lag=\\d+$", Field(info, "slave0"));
        Assert.Equal("1", Field(Info(ours, "stats"), "sync_full"));
        Assert.Equal(Field(info, "master_replid"), Field(Info(replica, "replication"), "master_replid"));

        // Live stream: keep writing, converge.
        for (int round = 1; round <= 5; round++) Populate(ours, round);
        WaitConverged(ours, replica, server);
        Assert.Equal(Digest(ours), Digest(replica));

        // WAIT counts the replica once it acknowledged the last write.
        Run(ours, "SET", "waited", "1");
        Assert.Equal(":1\r\n", Encoding.Latin1.GetString(ours.Call("WAIT", "1", "5000")));

        // ROLE: the master form lists the online replica.
        string role = Encoding.Latin1.GetString(ours.Call("ROLE"));
        Assert.StartsWith("*3\r\n$6\r\nmaster\r\n:", role);
        Assert.Contains($"$9\r\n127.0.0.1\r\n${server.Port.ToString().Length}\r\n{server.Port}\r\n", role);

        // Partial resync: kill the replica's link, write meanwhile; it reconnects with PSYNC and CONTINUEs.
        Assert.Equal(":1\r\n", Encoding.Latin1.GetString(ours.Call("CLIENT", "KILL", "TYPE", "replica")));
        Populate(ours, 6);
        var until = DateTime.UtcNow + Deadline;
        while (Field(Info(ours, "stats"), "sync_partial_ok") != "1" && DateTime.UtcNow < until) Thread.Sleep(20);
        Assert.Equal("1", Field(Info(ours, "stats"), "sync_partial_ok"));
        WaitConverged(ours, replica, server);
        Assert.Equal(Digest(ours), Digest(replica));
        var stats = Info(ours, "stats");
        Assert.Equal("1", Field(stats, "sync_full"));
        Assert.Equal("0", Field(stats, "sync_partial_err"));
        Assert.Contains("Master accepted a Partial Resynchronization", server.Log);
        server.Dispose();
        dir.Delete(recursive: true);
    }
}
