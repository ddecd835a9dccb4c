// RDB and DUMP interop with Debian's redis-server 7.0.15: each side loads what the other writes and both report
// the same DEBUG DIGEST; redis-check-rdb accepts our files; DUMP payloads RESTORE both ways; a node gets its
// data back after a restart.
using System.Diagnostics;
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;
using RedisPanel.Node;

namespace RedisPanel.Interop.Tests.Persistence;

public sealed class RdbInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-rdb-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Every type in small (compact) and large forms, expiries, all 16 dbs, empty and large values.</summary>
    private static int Populate(TestRespClient c)
    {
        int keys = 0;
        void Run(params string[] args)
        {
            var reply = Encoding.Latin1.GetString(c.Call(args));
            Assert.False(reply.StartsWith('-'), $"{string.Join(' ', args.Take(3))}: {reply}");
        }
        for (int db = 0; db < 16; db++)
        {
            Run("SELECT", db.ToString());
            Run("SET", $"s{db}", $"value-{db}");
            keys++;
        }
        Run("SELECT", "0");
        Run("SET", "int", "12345"); Run("SET", "negint", "-7"); Run("SET", "bigint", "1234567890123456"); Run("SET", "empty", "");
        Run("SET", "big", new string('x', 1_000_000)); Run("SET", "random", RandomText(5000, 1));
        Run("APPEND", "appended", "abc"); Run("SETBIT", "bits", "1000", "1");
        Run("SET", "ttl", "v", "PX", "500000000"); Run("SET", "ttl2", "v", "EX", "100000");
        keys += 10;
        Run(["RPUSH", "list:small", "a", "1", "-2", "bb"]);
        Run(["RPUSH", "list:big", .. Enumerable.Range(0, 20_000).Select(i => i % 5 == 0 ? i.ToString() : "element-" + i)]);
        Run(["SADD", "set:intset", .. Enumerable.Range(0, 100).Select(i => (i * 7919 - 300000).ToString())]);
        Run(["SADD", "set:str", "a", "b", "c"]);
        Run(["SADD", "set:bigint", .. Enumerable.Range(0, 2000).Select(i => i.ToString())]);
        Run(["SADD", "set:big", .. Enumerable.Range(0, 3000).Select(i => "m" + i)]);
        Run(["HSET", "hash:small", "f1", "v1", "f2", "22", "f3", new string('z', 60)]);
        Run(["HSET", "hash:big", .. Enumerable.Range(0, 1000).SelectMany(i => new[] { "field" + i, "value" + i })]);
        Run(["HSET", "hash:long", "f", new string('y', 200)]);
        Run(["ZADD", "zset:small", "1", "a", "2.5", "b", "-3", "c", "inf", "d", "-inf", "e", "0.1", "f", "1e100", "g"]);
        Run(["ZADD", "zset:big", .. Enumerable.Range(0, 1000).SelectMany(i => new[] { (i * 0.37 - 50).ToString("R", System.Globalization.CultureInfo.InvariantCulture), "member" + i })]);
        Run(["ZADD", "zset:long", "1", new string('q', 100)]);
        Run("EXPIRE", "hash:small", "100000");
        keys += 12;
        return keys;
    }

    private static string RandomText(int n, int seed)
    {
        var r = new Random(seed);
        return new string(Enumerable.Range(0, n).Select(_ => (char)('a' + r.Next(26))).ToArray());
    }

    private static string Digest(TestRespClient c) => c.CallText("DEBUG", "DIGEST");

    private Task<NodeFixture> StartNode() => NodeFixture.StartAsync(cfg =>
    {
        cfg.Dir = _dir;
        cfg.SavePoints = [];
    });

    [Fact]
    public async Task Real_redis_loads_our_rdb_with_the_same_digest_and_check_rdb_accepts_it()
    {
        string digest;
        int keys;
        await using (var node = await StartNode())
        {
            using var c = TestRespClient.Connect(node.Port);
            keys = Populate(c);
            digest = Digest(c);
            Assert.Equal("+OK\r\n", c.CallText("SAVE"));
        }
        string file = Path.Combine(_dir, "dump.rdb");
        var check = RunTool("redis-check-rdb", file);
        Assert.True(check.Exit == 0, check.Output);
        Assert.Contains("RDB looks OK", check.Output);
        using var real = RedisServerProcess.Start("--dir", _dir, "--dbfilename", "dump.rdb", "--enable-debug-command", "yes");
        using var rc = TestRespClient.Connect(real.Port);
        Assert.Equal(digest, Digest(rc));
        Assert.Equal($":{keys - 15}\r\n", rc.CallText("DBSIZE"));
        Assert.Equal("$8\r\nlistpack\r\n", rc.CallText("OBJECT", "ENCODING", "hash:small"));
    }

    [Fact]
    public async Task We_load_the_rdb_real_redis_writes_with_its_compact_encodings()
    {
        string digest;
        using (var real = RedisServerProcess.Start("--dir", _dir, "--dbfilename", "dump.rdb", "--enable-debug-command", "yes"))
        {
            using var rc = TestRespClient.Connect(real.Port);
            Populate(rc);
            Assert.Equal("$9\r\nquicklist\r\n", rc.CallText("OBJECT", "ENCODING", "list:big"));
            Assert.Equal("$6\r\nintset\r\n", rc.CallText("OBJECT", "ENCODING", "set:intset"));
            digest = Digest(rc);
            Assert.Equal("+OK\r\n", rc.CallText("SAVE"));
        }
        await using var node = await StartNode();
        await node.Node.DatasetLoaded.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(NodeState.Running, node.Node.State);
        using var c = TestRespClient.Connect(node.Port);
        Assert.Equal(digest, Digest(c));
        Assert.Contains("loading:0", c.CallText("INFO", "persistence"));
    }

    [Fact]
    public async Task Dump_payloads_restore_in_both_directions()
    {
        await using var node = await StartNode();
        using var real = RedisServerProcess.Start("--enable-debug-command", "yes");
        using var ours = TestRespClient.Connect(node.Port);
        using var theirs = TestRespClient.Connect(real.Port);
        Populate(ours);
        Populate(theirs);
        var keys = new[] { "int", "negint", "bigint", "empty", "big", "random", "appended", "bits", "list:small", "list:big", "set:intset",
            "set:str", "set:bigint", "set:big", "hash:small", "hash:big", "hash:long", "zset:small", "zset:big", "zset:long" };
        // DIGEST-VALUE mixes in "!!expire!!" for a key with a TTL; the copies are restored without one.
        ours.Call("PERSIST", "hash:small");
        theirs.Call("PERSIST", "hash:small");
        int checkedPairs = 0;
        foreach (var key in keys)
        {
            foreach (var (from, to) in new[] { (ours, theirs), (theirs, ours) })
            {
                var payload = BulkBytes(from.Call("DUMP", key));
                var reply = Encoding.Latin1.GetString(to.Call([Encoding.UTF8.GetBytes("RESTORE"), Encoding.UTF8.GetBytes(key + ":restored"), "0"u8.ToArray(), payload]));
                Assert.True(reply == "+OK\r\n", $"RESTORE {key}: {reply}");
                string expected = from.CallText("DEBUG", "DIGEST-VALUE", key), actual = to.CallText("DEBUG", "DIGEST-VALUE", key + ":restored");
                Assert.True(expected == actual, $"{key} {(from == ours ? "ours->real" : "real->ours")}: {expected} vs {actual}");
                checkedPairs++;
            }
        }
        Assert.Equal(2 * keys.Length, checkedPairs);
        Assert.True(Digest(theirs) == Digest(ours), "datasets differ in: " + string.Join(", ", DifferingKeys(ours, theirs)));
    }

    /// <summary>The keys of db 0 whose DEBUG DIGEST-VALUE differs between the two servers (for a readable failure).</summary>
    private static IEnumerable<string> DifferingKeys(TestRespClient ours, TestRespClient theirs)
    {
        var names = System.Text.RegularExpressions.Regex.Matches(theirs.CallText("KEYS", "*"), @"\$\d+\r\n([^\r]*)\r\n").Select(m => m.Groups[1].Value);
        foreach (var key in names)
            if (ours.CallText("DEBUG", "DIGEST-VALUE", key) != theirs.CallText("DEBUG", "DIGEST-VALUE", key)) yield return key;
    }

    [Fact]
    public async Task A_restarted_node_gets_its_data_back()
    {
        string digest;
        await using (var node = await StartNode())
        {
            using var c = TestRespClient.Connect(node.Port);
            Populate(c);
            digest = Digest(c);
            Assert.Equal("+Background saving started\r\n", c.CallText("BGSAVE"));
            await node.Node.Engine.BackgroundSaveTask.WaitAsync(TimeSpan.FromSeconds(60));
        }
        await using var again = await StartNode();
        await again.Node.DatasetLoaded.WaitAsync(TimeSpan.FromSeconds(60));
        using var c2 = TestRespClient.Connect(again.Port);
        Assert.Equal(digest, Digest(c2));
    }

    [Fact]
    public async Task A_corrupt_dump_fails_the_node_with_a_clear_reason()
    {
        File.WriteAllBytes(Path.Combine(_dir, "dump.rdb"), "REDIS0010\xfe\x00\x00\x03foo"u8.ToArray());
        await using var node = await StartNode();
        await node.Node.DatasetLoaded.WaitAsync(TimeSpan.FromSeconds(60));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (node.Node.State != NodeState.Failed && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(NodeState.Failed, node.Node.State);
        Assert.Contains("dump.rdb", node.Node.FailureReason);
        Assert.Contains("offset", node.Node.FailureReason);
    }

    private static byte[] BulkBytes(byte[] reply)
    {
        int crlf = reply.AsSpan().IndexOf("\r\n"u8);
        int len = int.Parse(Encoding.ASCII.GetString(reply, 1, crlf - 1));
        return reply.AsSpan(crlf + 2, len).ToArray();
    }

    private static (int Exit, string Output) RunTool(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) p.Kill();
        return (p.ExitCode, output.Result + error.Result);
    }
}
