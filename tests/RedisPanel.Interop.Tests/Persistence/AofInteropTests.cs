// AOF interop with Debian's redis-server 7.0.15: every acknowledged write survives an abrupt stop with
// appendfsync always; a real server starts from our AOF directory and we start from its, both reporting the same
// DEBUG DIGEST; torn tails are truncated and corrupt files refused; BGREWRITEAOF and CONFIG SET appendonly
// produce the 7.0 layout (manifest, base, incr).
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;
using RedisPanel.Node;

namespace RedisPanel.Interop.Tests.Persistence;

public sealed class AofInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-aof-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Run(TestRespClient c, params string[] args)
    {
        var reply = Encoding.Latin1.GetString(c.Call(args));
        Assert.False(reply.StartsWith('-'), $"{string.Join(' ', args.Take(3))}: {reply}");
    }

    /// <summary>Writes of every type, several dbs, expiries, a transaction, deletes and in-place updates.</summary>
    private static void Write(TestRespClient c, string tag)
    {
        for (int db = 0; db < 4; db++)
        {
            Run(c, "SELECT", db.ToString());
            Run(c, "SET", $"{tag}:s{db}", $"value-{db}");
        }
        Run(c, "SELECT", "0");
        Run(c, "INCRBY", $"{tag}:counter", "41");
        Run(c, "INCR", $"{tag}:counter");
        Run(c, "APPEND", $"{tag}:appended", "abc");
        Run(c, "SET", $"{tag}:ttl", "v", "EX", "100000");
        Run(c, "SET", $"{tag}:big", new string('x', 100_000));
        Run(c, ["RPUSH", $"{tag}:list", .. Enumerable.Range(0, 300).Select(i => "e" + i)]);
        Run(c, "LPOP", $"{tag}:list");
        Run(c, ["SADD", $"{tag}:set", .. Enumerable.Range(0, 50).Select(i => i.ToString())]);
        Run(c, ["HSET", $"{tag}:hash", "f1", "v1", "f2", "2"]);
        Run(c, "HINCRBY", $"{tag}:hash", "f2", "5");
        Run(c, ["ZADD", $"{tag}:zset", "1", "a", "2.5", "b", "-3", "c"]);
        Run(c, "SET", $"{tag}:gone", "x");
        Run(c, "DEL", $"{tag}:gone");
        Run(c, "MULTI");
        Run(c, "SET", $"{tag}:tx1", "1");
        Run(c, "SELECT", "2");
        Run(c, "SET", $"{tag}:tx2", "2");
        Run(c, "EXEC");
        Run(c, "SELECT", "0");
        Run(c, "EXPIRE", $"{tag}:hash", "100000");
    }

    private static string Digest(TestRespClient c) => c.CallText("DEBUG", "DIGEST");

    private Task<NodeFixture> StartNode(string dir, string fsync = "always") => NodeFixture.StartAsync(cfg =>
    {
        cfg.Dir = dir;
        cfg.SavePoints = [];
        cfg.AppendOnly = true;
        cfg.AppendFsync = fsync;
    });

    private static async Task<NodeFixture> Loaded(Task<NodeFixture> start)
    {
        var node = await start;
        await node.Node.DatasetLoaded.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(node.Node.State == NodeState.Running, node.Node.FailureReason);
        return node;
    }

    private static string CopyDir(string from)
    {
        string to = Directory.CreateTempSubdirectory("rp-aof-copy-").FullName;
        Directory.CreateDirectory(Path.Combine(to, "appendonlydir"));
        foreach (var f in Directory.GetFiles(Path.Combine(from, "appendonlydir")))
            File.Copy(f, Path.Combine(to, "appendonlydir", Path.GetFileName(f)));
        return to;
    }

    private static string Manifest(string dir) => File.ReadAllText(Path.Combine(dir, "appendonlydir", "appendonly.aof.manifest"));

    private static async Task WaitRewrite(TestRespClient c)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (c.CallText("INFO", "persistence").Contains("aof_rewrite_in_progress:1") && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Contains("aof_rewrite_in_progress:0", c.CallText("INFO", "persistence"));
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_an_abrupt_stop_with_appendfsync_always()
    {
        string digest, copy;
        await using (var node = await Loaded(StartNode(_dir)))
        {
            using var c = TestRespClient.Connect(node.Port);
            Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", Manifest(_dir));
            Write(c, "a");
            digest = Digest(c);
            // The files as they are right after the last reply, before any shutdown flush: what a kill leaves.
            copy = CopyDir(_dir);
        }
        try
        {
            await using var again = await Loaded(StartNode(copy));
            using var c2 = TestRespClient.Connect(again.Port);
            Assert.Equal(digest, Digest(c2));
            Assert.Contains("aof_enabled:1", c2.CallText("INFO", "persistence"));
        }
        finally
        {
            Directory.Delete(copy, true);
        }
    }

    [Fact]
    public async Task Real_redis_starts_from_our_aof_directory_with_the_same_digest()
    {
        string digest;
        await using (var node = await Loaded(StartNode(_dir)))
        {
            using var c = TestRespClient.Connect(node.Port);
            Write(c, "before");
            Assert.Equal("+Background append only file rewriting started\r\n", c.CallText("BGREWRITEAOF"));
            Write(c, "during");
            await WaitRewrite(c);
            Assert.Equal("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", Manifest(_dir));
            Assert.False(File.Exists(Path.Combine(_dir, "appendonlydir", "appendonly.aof.1.incr.aof")));
            Assert.False(File.Exists(Path.Combine(_dir, "appendonlydir", "appendonly.aof.1.base.rdb")));
            Write(c, "after");
            Assert.Contains("aof_rewrites:1", c.CallText("INFO", "persistence"));
            digest = Digest(c);
        }
        string copy = CopyDir(_dir);
        try
        {
            var check = CheckAof(Path.Combine(copy, "appendonlydir", "appendonly.aof.manifest"));
            Assert.True(check.Exit == 0, check.Output);
            Assert.Contains("All AOF files and manifest are valid", check.Output);
            using var real = RedisServerProcess.Start("--dir", copy, "--appendonly", "yes", "--enable-debug-command", "yes");
            using var rc = TestRespClient.Connect(real.Port);
            Assert.Equal(digest, Digest(rc));
        }
        finally
        {
            Directory.Delete(copy, true);
        }
    }

    private static (int Exit, string Output) CheckAof(string manifest)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("redis-check-aof") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(manifest);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) p.Kill();
        return (p.ExitCode, output.Result + error.Result);
    }

    [Fact]
    public async Task We_start_from_real_redis_aof_directory_with_its_digest()
    {
        string digest;
        using (var real = RedisServerProcess.Start("--dir", _dir, "--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes"))
        {
            using var rc = TestRespClient.Connect(real.Port);
            Write(rc, "before");
            Assert.Equal("+Background append only file rewriting started\r\n", rc.CallText("BGREWRITEAOF"));
            await WaitRewrite(rc);
            Write(rc, "after"); // in its incr file, after a base holding "before"
            digest = Digest(rc);
        }
        string d2;
        await using (var node = await Loaded(StartNode(_dir)))
        {
            using var c = TestRespClient.Connect(node.Port);
            Assert.Equal(digest, Digest(c));
            Write(c, "ours"); // and we keep appending to its incr file
            d2 = Digest(c);
        }
        using var real2 = RedisServerProcess.Start("--dir", _dir, "--appendonly", "yes", "--enable-debug-command", "yes");
        using var rc2 = TestRespClient.Connect(real2.Port);
        Assert.Equal(d2, Digest(rc2));
    }

    [Fact]
    public async Task A_torn_last_command_is_truncated_and_the_rest_loads()
    {
        string digest, incr;
        await using (var node = await Loaded(StartNode(_dir)))
        {
            using var c = TestRespClient.Connect(node.Port);
            Write(c, "a");
            digest = Digest(c);
        }
        incr = Path.Combine(_dir, "appendonlydir", "appendonly.aof.1.incr.aof");
        long goodLength = new FileInfo(incr).Length;
        File.AppendAllText(incr, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc"); // a write cut short by a crash
        await using (var node = await Loaded(StartNode(_dir)))
        {
            using var c = TestRespClient.Connect(node.Port);
            Assert.Equal(digest, Digest(c));
            Assert.Equal(goodLength, new FileInfo(incr).Length);
            Run(c, "SET", "next", "1"); // appended after the cut
            digest = Digest(c);
        }
        await using var third = await Loaded(StartNode(_dir));
        using var c3 = TestRespClient.Connect(third.Port);
        Assert.Equal(digest, Digest(c3));
    }

    [Fact]
    public async Task A_corrupt_command_in_the_middle_fails_the_node_naming_file_and_offset()
    {
        await using (var node = await Loaded(StartNode(_dir)))
        {
            using var c = TestRespClient.Connect(node.Port);
            Run(c, "SET", "a", "1");
            Run(c, "SET", "b", "2");
        }
        string incr = Path.Combine(_dir, "appendonlydir", "appendonly.aof.1.incr.aof");
        var bytes = File.ReadAllBytes(incr);
        int second = Encoding.ASCII.GetString(bytes).IndexOf("*3", 5, StringComparison.Ordinal);
        bytes[second] = (byte)'!';
        File.WriteAllBytes(incr, bytes);
        await using var broken = await StartNode(_dir);
        await broken.Node.DatasetLoaded.WaitAsync(TimeSpan.FromSeconds(60));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (broken.Node.State != NodeState.Failed && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(NodeState.Failed, broken.Node.State);
        Assert.Contains("appendonly.aof.1.incr.aof", broken.Node.FailureReason);
        Assert.Contains($"offset {second}", broken.Node.FailureReason);
    }

    [Fact]
    public async Task Config_set_appendonly_creates_the_aof_at_runtime_and_no_stops_it()
    {
        await using var node = await NodeFixture.StartAsync(cfg =>
        {
            cfg.Dir = _dir;
            cfg.SavePoints = [];
        });
        using var c = TestRespClient.Connect(node.Port);
        Write(c, "off");
        Assert.Contains("aof_enabled:0", c.CallText("INFO", "persistence"));
        Assert.Equal("+OK\r\n", c.CallText("CONFIG", "SET", "appendonly", "yes"));
        Write(c, "on");
        await WaitRewrite(c);
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", Manifest(_dir));
        var info = c.CallText("INFO", "persistence");
        Assert.Contains("aof_enabled:1", info);
        Assert.Contains("aof_last_bgrewrite_status:ok", info);
        Assert.Contains("aof_last_write_status:ok", info);
        string digest = Digest(c);
        Assert.Equal("+OK\r\n", c.CallText("CONFIG", "SET", "appendonly", "no"));
        Run(c, "SET", "not-logged", "1");
        string copy = CopyDir(_dir);
        try
        {
            using var real = RedisServerProcess.Start("--dir", copy, "--appendonly", "yes", "--enable-debug-command", "yes");
            using var rc = TestRespClient.Connect(real.Port);
            Assert.Equal(digest, Digest(rc));
        }
        finally
        {
            Directory.Delete(copy, true);
        }
    }
}
