// Snapshots over copy-on-write key tables at engine level (many keys, so writes hit many chunks, rehash and
// expire), and stop-writes-on-bgsave-error: Redis's -MISCONF after a failed background save.
using RedisPanel.Engine.Config;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Engine.Tests.Persistence;

public sealed class SnapshotAndBgsaveErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-snap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Misconf = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n";

    private static string DigestOf(KeyspaceSnapshot snap)
    {
        var ms = new MemoryStream();
        var w = new RdbWriter(ms);
        w.WriteHeader(new RdbSaveInfo());
        w.WriteDatabases(snap);
        w.WriteEnd();
        var loaded = new Keyspace(16, TimeProvider.System);
        RdbReader.Load(ms.ToArray(), "snapshot", loaded, new RdbLoadOptions { SkipExpired = false });
        return "+" + DatasetDigest.Hex(DatasetDigest.Compute(loaded)) + "\r\n";
    }

    [Fact]
    public void Snapshot_of_many_keys_keeps_its_instant_through_writes_expiry_rehash_and_flushall_and_a_second_follows()
    {
        var h = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [] });
        for (int i = 0; i < 20_000; i++) h.Run("SET", "k" + i, "v" + i);
        for (int i = 0; i < 20_000; i += 10) h.Run("PEXPIRE", "k" + i, "1000");
        h.Run("RPUSH", "list", "a", "b");
        string before = h.Run("DEBUG", "DIGEST");
        KeyspaceSnapshot first;
        lock (h.Engine.SyncRoot) first = h.Engine.TakeSnapshot();

        h.Clock.Advance(TimeSpan.FromSeconds(5)); // every TTL is past: lookups expire them lazily
        for (int i = 0; i < 20_000; i += 10) Assert.Equal("$-1\r\n", h.Run("GET", "k" + i));
        for (int i = 1; i < 20_000; i += 10) h.Run("DEL", "k" + i);
        for (int i = 2; i < 20_000; i += 10) h.Run("SET", "k" + i, "changed");
        for (int i = 0; i < 40_000; i++) h.Run("SET", "new" + i, "x"); // grows (rehashes) the table twice
        h.Run("RPUSH", "list", "c");
        Assert.Equal(before, DigestOf(first));

        h.Run("FLUSHALL");
        h.Run("SET", "after", "flush");
        Assert.Equal(before, DigestOf(first));
        first.Dispose();
        Assert.Equal(0, h.Engine.Keyspace.ActiveSnapshots);

        // A second snapshot after the first ended sees the new state and keeps it in turn.
        for (int i = 0; i < 5_000; i++) h.Run("SET", "second" + i, "v");
        string middle = h.Run("DEBUG", "DIGEST");
        KeyspaceSnapshot second;
        lock (h.Engine.SyncRoot) second = h.Engine.TakeSnapshot();
        for (int i = 0; i < 5_000; i += 2) h.Run("DEL", "second" + i);
        h.Run("SET", "after", "second");
        Assert.Equal(middle, DigestOf(second));
        second.Dispose();
        Assert.NotEqual(middle, h.Run("DEBUG", "DIGEST"));
        Assert.Contains("total_forks:2\r\n", h.Run("INFO", "stats"));
    }

    private EngineHarness WithSavePoint() => new(new ServerConfig { Dir = _dir, SavePoints = [(3600, 1)] });

    private static async Task Bgsave(EngineHarness h)
    {
        Assert.Equal("+Background saving started\r\n", h.Run("BGSAVE"));
        Task task;
        lock (h.Engine.SyncRoot) task = h.Engine.BackgroundSaveTask;
        await task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_failed_bgsave_refuses_writes_and_ping_with_misconf_until_a_save_succeeds()
    {
        var h = WithSavePoint();
        h.Run("SET", "a", "1");
        // The dump's name is taken by a directory: the rename at the end of the save fails (works as root too,
        // where an unwritable directory would not).
        Directory.CreateDirectory(Path.Combine(_dir, "dump.rdb", "x"));
        await Bgsave(h);
        Assert.Contains("rdb_last_bgsave_status:err\r\n", h.Run("INFO", "persistence"));

        Assert.Equal(Misconf, h.Run("SET", "a", "2"));
        Assert.Equal(Misconf, h.Run("DEL", "a"));
        Assert.Equal(Misconf, h.Run("PING"));
        Assert.Equal("$1\r\n1\r\n", h.Run("GET", "a"));
        Assert.Equal(":1\r\n", h.Run("DBSIZE"));
        // Inside MULTI the write is refused at queue time and the transaction aborted.
        Assert.Equal("+OK\r\n", h.Run("MULTI"));
        Assert.Equal(Misconf, h.Run("SET", "c", "1"));
        Assert.Equal("+QUEUED\r\n", h.Run("GET", "a"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", h.Run("EXEC"));

        // Only with the option on and at least one save point, as writeCommandsDeniedByDiskError.
        h.Run("CONFIG", "SET", "stop-writes-on-bgsave-error", "no");
        Assert.Equal("+OK\r\n", h.Run("SET", "b", "1"));
        h.Run("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes");
        Assert.Equal(Misconf, h.Run("SET", "b", "2"));
        h.Run("CONFIG", "SET", "save", "");
        Assert.Equal("+OK\r\n", h.Run("SET", "b", "3"));
        h.Run("CONFIG", "SET", "save", "3600 1");
        Assert.Equal(Misconf, h.Run("SET", "b", "4"));

        // A failed SAVE does not change the status; a successful save clears it.
        Assert.Equal("-ERR\r\n", h.Run("SAVE"));
        Assert.Equal(Misconf, h.Run("SET", "b", "5"));
        Directory.Delete(Path.Combine(_dir, "dump.rdb"), recursive: true);
        await Bgsave(h);
        Assert.Contains("rdb_last_bgsave_status:ok\r\n", h.Run("INFO", "persistence"));
        Assert.Equal("+OK\r\n", h.Run("SET", "a", "3"));
        Assert.Equal("+PONG\r\n", h.Run("PING"));
    }

    [Fact]
    public void A_failed_save_does_not_set_the_error_status()
    {
        var h = WithSavePoint();
        Directory.CreateDirectory(Path.Combine(_dir, "dump.rdb", "x"));
        Assert.Equal("-ERR\r\n", h.Run("SAVE"));
        Assert.Contains("rdb_last_bgsave_status:ok\r\n", h.Run("INFO", "persistence"));
        Assert.Equal("+OK\r\n", h.Run("SET", "a", "1"));
    }
}
