// stop-writes-on-bgsave-error and MULTI against a real redis-server 7.0: a write queued after the failed BGSAVE is
// refused at queue time and EXEC answers EXECABORT "previous errors"; a write queued before it makes EXEC itself
// a write, refused as "EXECABORT Transaction discarded because of: MISCONF ..." with the transaction discarded;
// reads and a queued PING still run. Compared byte for byte, client by client.
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Persistence;

public sealed class MisconfTransactionInteropTests : IDisposable
{
    private readonly string _ourDir = Directory.CreateTempSubdirectory("rp-misconf-multi-ours-").FullName;
    private readonly string _theirDir = Directory.CreateTempSubdirectory("rp-misconf-multi-redis-").FullName;

    public void Dispose()
    {
        Directory.Delete(_ourDir, recursive: true);
        Directory.Delete(_theirDir, recursive: true);
    }

    private static void FailBgsave(TestRespClient c, string dir)
    {
        // The dump's name taken by a directory makes the save's final rename fail, even for root.
        Directory.CreateDirectory(Path.Combine(dir, "dump.rdb", "x"));
        Assert.Equal("+Background saving started\r\n", c.CallText("BGSAVE"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (c.CallText("INFO", "persistence").Contains("rdb_bgsave_in_progress:1"))
        {
            Assert.True(DateTime.UtcNow < deadline, "BGSAVE did not finish");
            Thread.Sleep(10); // polling the server's state with a deadline, not waiting for time to pass
        }
        Assert.Contains("rdb_last_bgsave_status:err\r\n", c.CallText("INFO", "persistence"));
    }

    [Fact]
    public async Task Transactions_around_a_failed_bgsave_answer_as_real_redis()
    {
        await using var node = await NodeFixture.StartAsync(cfg =>
        {
            cfg.Dir = _ourDir;
            cfg.SavePoints = [(3600, 1)];
        });
        using var real = RedisServerProcess.Start("--dir", _theirDir, "--save", "3600 1");
        var sides = new[] { (Port: node.Port, Dir: _ourDir), (Port: real.Port, Dir: _theirDir) };
        var transcripts = new List<string>[2];
        for (int s = 0; s < 2; s++)
        {
            var log = transcripts[s] = new List<string>();
            using var admin = TestRespClient.Connect(sides[s].Port);
            using var early = TestRespClient.Connect(sides[s].Port); // queues a write before the failure
            using var reads = TestRespClient.Connect(sides[s].Port); // queues only reads and PING before it
            using var late = TestRespClient.Connect(sides[s].Port); // starts its transaction after it
            void Run(TestRespClient c, params string[] cmd) => log.Add(string.Join(' ', cmd) + " -> " + c.CallText(cmd));

            Run(admin, "SET", "k", "v0");
            Run(early, "MULTI");
            Run(early, "SET", "k", "v1");
            Run(early, "INCR", "n");
            Run(reads, "MULTI");
            Run(reads, "GET", "k");
            Run(reads, "PING");
            FailBgsave(admin, sides[s].Dir);

            Run(early, "EXEC");
            Run(early, "EXEC");
            Run(early, "GET", "k");
            Run(reads, "EXEC");
            Run(late, "MULTI");
            Run(late, "SET", "k", "v2");
            Run(late, "GET", "k");
            Run(late, "PING");
            Run(late, "EXEC");
            Run(late, "MULTI");
            Run(late, "EXEC", "extra");
            Run(late, "EXEC");
            Run(admin, "GET", "k");
            Run(admin, "EXISTS", "n");
        }
        Assert.Equal(transcripts[1], transcripts[0]);
        Assert.Contains(transcripts[1], l => l.StartsWith("EXEC -> -EXECABORT Transaction discarded because of: MISCONF", StringComparison.Ordinal));
    }
}
