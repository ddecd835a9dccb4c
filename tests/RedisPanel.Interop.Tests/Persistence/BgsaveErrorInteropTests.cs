// stop-writes-on-bgsave-error against a real redis-server 7.0: after a failed BGSAVE both refuse a write (and PING)
// with the same -MISCONF bytes, keep serving reads, and accept writes again after a successful BGSAVE.
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Persistence;

public sealed class BgsaveErrorInteropTests : IDisposable
{
    private readonly string _ourDir = Directory.CreateTempSubdirectory("rp-misconf-ours-").FullName;
    private readonly string _theirDir = Directory.CreateTempSubdirectory("rp-misconf-redis-").FullName;

    public void Dispose()
    {
        Directory.Delete(_ourDir, recursive: true);
        Directory.Delete(_theirDir, recursive: true);
    }

    private static void BgsaveAndWait(TestRespClient c)
    {
        Assert.Equal("+Background saving started\r\n", c.CallText("BGSAVE"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (c.CallText("INFO", "persistence").Contains("rdb_bgsave_in_progress:1"))
        {
            Assert.True(DateTime.UtcNow < deadline, "BGSAVE did not finish");
            Thread.Sleep(10); // polling the server's state with a deadline, not waiting for time to pass
        }
    }

    [Fact]
    public async Task A_failed_bgsave_gives_the_same_misconf_reply_as_real_redis_and_a_good_save_clears_it()
    {
        await using var node = await NodeFixture.StartAsync(cfg =>
        {
            cfg.Dir = _ourDir;
            cfg.SavePoints = [(3600, 1)];
        });
        using var real = RedisServerProcess.Start("--dir", _theirDir, "--save", "3600 1");
        using var ours = TestRespClient.Connect(node.Port);
        using var theirs = TestRespClient.Connect(real.Port);
        var both = new[] { (ours, _ourDir), (theirs, _theirDir) };
        foreach (var (c, dir) in both)
        {
            Assert.Equal("+OK\r\n", c.CallText("SET", "k", "v"));
            // The dump's name taken by a directory makes the save's final rename fail, even for root.
            Directory.CreateDirectory(Path.Combine(dir, "dump.rdb", "x"));
            BgsaveAndWait(c);
            Assert.Contains("rdb_last_bgsave_status:err\r\n", c.CallText("INFO", "persistence"));
        }
        string[][] commands = [["SET", "k", "w"], ["PING"], ["GET", "k"], ["DEL", "k"], ["EXISTS", "k"], ["LPUSH", "l", "a"]];
        foreach (var cmd in commands)
        {
            string expected = theirs.CallText(cmd);
            Assert.Equal(expected, ours.CallText(cmd));
        }
        Assert.StartsWith("-MISCONF Redis is configured to save RDB snapshots", theirs.CallText("SET", "k", "w"));
        foreach (var (c, dir) in both)
        {
            Directory.Delete(Path.Combine(dir, "dump.rdb"), recursive: true);
            BgsaveAndWait(c);
            Assert.Contains("rdb_last_bgsave_status:ok\r\n", c.CallText("INFO", "persistence"));
        }
        Assert.Equal(theirs.CallText("SET", "k", "x"), ours.CallText("SET", "k", "x"));
        Assert.Equal("+OK\r\n", ours.CallText("SET", "k", "y"));
    }
}
