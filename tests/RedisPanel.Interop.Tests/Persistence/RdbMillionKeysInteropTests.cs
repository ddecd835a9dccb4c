// RDB interop at scale: 1,000,000 keys of mixed small types (strings, integers, lists, hashes, intsets, sets,
// sorted sets, TTLs) loaded into a real redis-server 7.0 through `redis-cli --pipe`; we load the dump it writes
// (its compact encodings) and a second redis-server loads the dump we write over it, and all three report the same
// DEBUG DIGEST. Each step takes a few seconds, so the test stays in CI.
using System.Diagnostics;
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;
using RedisPanel.Node;
using Xunit.Abstractions;

namespace RedisPanel.Interop.Tests.Persistence;

public sealed class RdbMillionKeysInteropTests : IDisposable
{
    private const int Keys = 1_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-rdb-1m-").FullName;
    private readonly ITestOutputHelper _output;

    public RdbMillionKeysInteropTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Append(MemoryStream ms, params string[] args)
    {
        ms.Write(Encoding.ASCII.GetBytes($"*{args.Length}\r\n"));
        foreach (var a in args) ms.Write(Encoding.ASCII.GetBytes($"${a.Length}\r\n{a}\r\n"));
    }

    /// <summary>RESP for <see cref="Keys"/> commands, one key each, cycling through ten small shapes.</summary>
    private static byte[] MixedCommands()
    {
        var ms = new MemoryStream(64 << 20);
        for (int i = 0; i < Keys; i++)
        {
            string n = i.ToString();
            switch (i % 10)
            {
                case 0: Append(ms, "SET", "s:" + n, "value:" + n); break;
                case 1: Append(ms, "SET", "i:" + n, n); break;
                case 2: Append(ms, "RPUSH", "l:" + n, "a", n, "ccc"); break;
                case 3: Append(ms, "HSET", "h:" + n, "f1", "v1", "f2", n); break;
                case 4: Append(ms, "SADD", "is:" + n, "1", n, "-5"); break;
                case 5: Append(ms, "SADD", "ss:" + n, "a", "b", "m" + n); break;
                case 6: Append(ms, "ZADD", "z:" + n, "1", "a", "2.5", "b", n, "c"); break;
                case 7: Append(ms, "SET", "t:" + n, "v", "PXAT", (4_000_000_000_000L + i).ToString()); break;
                case 8: Append(ms, "SET", "long:" + n, new string('x', 30) + n); break; // LZF-compressible
                default: Append(ms, "HSET", "hi:" + n, "n", n); break;
            }
        }
        return ms.ToArray();
    }

    private static void Pipe(int port, byte[] commands)
    {
        var psi = new ProcessStartInfo("redis-cli") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-p", port.ToString(), "--pipe" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.StandardInput.BaseStream.Write(commands);
        p.StandardInput.Close();
        if (!p.WaitForExit(120_000)) p.Kill();
        Assert.True(p.ExitCode == 0 && output.Result.Contains("errors: 0"), output.Result + error.Result);
    }

    private static string Digest(TestRespClient c) => c.CallText("DEBUG", "DIGEST");

    [Fact]
    public async Task A_million_mixed_keys_round_trip_between_real_redis_and_us_with_the_same_digest()
    {
        var timings = new List<string>();
        var sw = Stopwatch.StartNew();
        void Lap(string what)
        {
            timings.Add($"{what} {sw.ElapsedMilliseconds} ms");
            sw.Restart();
        }
        var timeout = TimeSpan.FromSeconds(120);
        string digest;
        using (var real = RedisServerProcess.Start("--dir", _dir, "--dbfilename", "theirs.rdb", "--enable-debug-command", "yes"))
        {
            using var rc = TestRespClient.Connect(real.Port, timeout);
            Pipe(real.Port, MixedCommands());
            Lap("load into redis");
            Assert.Equal($":{Keys}\r\n", rc.CallText("DBSIZE"));
            Assert.Equal("$8\r\nlistpack\r\n", rc.CallText("OBJECT", "ENCODING", "h:3"));
            Assert.Equal("$6\r\nintset\r\n", rc.CallText("OBJECT", "ENCODING", "is:4"));
            digest = Digest(rc);
            Assert.NotEqual("+" + new string('0', 40) + "\r\n", digest);
            Assert.Equal("+OK\r\n", rc.CallText("SAVE"));
            Lap("redis digest + save");
        }

        // We load redis's dump at start, then write ours in its place.
        await using (var node = await NodeFixture.StartAsync(cfg =>
        {
            cfg.Dir = _dir;
            cfg.DbFilename = "theirs.rdb";
        }))
        {
            await node.Node.DatasetLoaded.WaitAsync(timeout);
            Assert.Equal(NodeState.Running, node.Node.State);
            Lap("our load");
            using var c = TestRespClient.Connect(node.Port, timeout);
            Assert.Equal($":{Keys}\r\n", c.CallText("DBSIZE"));
            Assert.Equal(digest, Digest(c));
            Lap("our digest");
            // dbfilename is a protected config (as in Redis): our SAVE replaces their file with ours.
            var theirs = await File.ReadAllBytesAsync(Path.Combine(_dir, "theirs.rdb"));
            Assert.Equal("+OK\r\n", c.CallText("SAVE"));
            Assert.NotEqual(theirs, await File.ReadAllBytesAsync(Path.Combine(_dir, "theirs.rdb")));
            Lap("our save");
        }

        using (var real2 = RedisServerProcess.Start("--dir", _dir, "--dbfilename", "theirs.rdb", "--enable-debug-command", "yes"))
        {
            using var rc2 = TestRespClient.Connect(real2.Port, timeout);
            Assert.Equal($":{Keys}\r\n", rc2.CallText("DBSIZE"));
            Assert.Equal(digest, Digest(rc2));
            Lap("redis loads ours + digest");
        }
        _output.WriteLine(string.Join("; ", timings));
    }
}
