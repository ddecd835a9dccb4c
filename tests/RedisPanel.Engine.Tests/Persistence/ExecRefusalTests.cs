// A refused EXEC is Redis 7.0's execCommandAbort: the transaction is discarded and the reply is
// "-EXECABORT Transaction discarded because of: <refusal>". Above all stop-writes-on-bgsave-error: a write queued
// while saves were fine makes EXEC a write once a BGSAVE failed, so EXEC itself gets MISCONF (checked on
// redis-server 7.0.15; the queue-time refusal is in SnapshotAndBgsaveErrorTests).
using RedisPanel.Engine.Config;

namespace RedisPanel.Engine.Tests.Persistence;

public sealed class ExecRefusalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-execabort-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Misconf = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

    private async Task FailBgsave(EngineHarness h)
    {
        // The dump's name taken by a directory: the save's final rename fails (root included).
        Directory.CreateDirectory(Path.Combine(_dir, "dump.rdb", "x"));
        Assert.Equal("+Background saving started\r\n", h.Run(h.NewClient(), "BGSAVE"));
        Task task;
        lock (h.Engine.SyncRoot) task = h.Engine.BackgroundSaveTask;
        await task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("rdb_last_bgsave_status:err\r\n", h.Run(h.NewClient(), "INFO", "persistence"));
    }

    [Fact]
    public async Task Exec_of_a_write_queued_before_the_bgsave_failed_is_refused_with_misconf_and_aborts()
    {
        var h = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [(3600, 1)] });
        var writer = h.NewClient();
        var reader = h.NewClient();
        var pinger = h.NewClient();
        Assert.Equal("+OK\r\n", h.Run(writer, "MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run(writer, "SET", "k", "v"));
        Assert.Equal("+QUEUED\r\n", h.Run(writer, "PING"));
        Assert.Equal("+OK\r\n", h.Run(reader, "MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run(reader, "GET", "k"));
        Assert.Equal("+OK\r\n", h.Run(pinger, "MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run(pinger, "PING"));
        await FailBgsave(h);

        Assert.Equal("-EXECABORT Transaction discarded because of: " + Misconf + "\r\n", h.Run(writer, "EXEC"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", h.Run(writer, "EXEC")); // discarded, not left open
        Assert.Equal("$-1\r\n", h.Run(writer, "GET", "k"));
        // Only a queued write makes EXEC a write: reads and a queued PING still run (PING is refused only itself).
        Assert.Equal("*1\r\n$-1\r\n", h.Run(reader, "EXEC"));
        Assert.Equal("*1\r\n+PONG\r\n", h.Run(pinger, "EXEC"));
        string stats = h.Run("INFO", "errorstats");
        Assert.Contains("errorstat_EXECABORT:count=1\r\n", stats);
        // The refused EXEC is a rejected call, not a call; "EXEC without MULTI" is a failed one (as Redis counts them).
        string exec = h.Run("INFO", "commandstats").Split("\r\n").Single(l => l.StartsWith("cmdstat_exec:", StringComparison.Ordinal));
        Assert.StartsWith("cmdstat_exec:calls=3,", exec);
        Assert.EndsWith(",rejected_calls=1,failed_calls=1", exec);
    }

    [Fact]
    public void Exec_with_arguments_aborts_the_transaction_with_the_arity_error_without_err()
    {
        var h = new EngineHarness();
        Assert.Equal("+OK\r\n", h.Run("MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run("SET", "k", "v"));
        Assert.Equal("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", h.Run("EXEC", "x"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", h.Run("EXEC"));
        Assert.Equal("$-1\r\n", h.Run("GET", "k"));
        // Outside MULTI too, as rejectCommand does for any refused EXEC.
        Assert.Equal("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", h.Run("EXEC", "x"));
    }

    [Fact]
    public void Exec_before_auth_is_an_execabort_with_noauth()
    {
        var h = new EngineHarness(new ServerConfig { RequirePass = "pw" });
        var c = h.NewClient();
        Assert.Equal("-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n", h.Run(c, "EXEC"));
    }
}
