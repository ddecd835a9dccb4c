using System.Text;
using RedisPanel.Engine.Config;
using RedisPanel.Storage.Aof;

namespace RedisPanel.Engine.Tests.Persistence;

public sealed class AofTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-aof-").FullName;
    private readonly List<EngineHarness> _open = new();
    private readonly List<string> _warnings = new();

    public void Dispose()
    {
        foreach (var h in _open) lock (h.Engine.SyncRoot) h.Engine.CloseAppendOnly();
        Directory.Delete(_dir, recursive: true);
    }

    private string AofDir => Path.Combine(_dir, "appendonlydir");
    private string Incr(int seq) => Path.Combine(AofDir, $"appendonly.aof.{seq}.incr.aof");
    private string Manifest => File.ReadAllText(Path.Combine(AofDir, "appendonly.aof.manifest"));

    private EngineHarness Open(string fsync = "always")
    {
        var h = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [], AppendOnly = true, AppendFsync = fsync });
        _open.Add(h);
        h.Engine.PersistenceWarning += _warnings.Add;
        if (h.Engine.AofExists) h.Engine.LoadAppendOnlyFiles();
        lock (h.Engine.SyncRoot) h.Engine.OpenAppendOnlyOnStart();
        return h;
    }

    private static async Task WaitRewrite(EngineHarness h)
    {
        await h.Engine.AofRewriteTask.WaitAsync(TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            lock (h.Engine.SyncRoot) if (!h.Engine.AofRewriteInProgress) return;
            await Task.Delay(5);
        }
        Assert.Fail("the AOF rewrite did not finish");
    }

    [Fact]
    public void Incr_file_gets_every_write_with_select_on_db_change_and_nothing_for_reads()
    {
        var h = Open();
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", Manifest);
        Assert.StartsWith("REDIS0010", File.ReadAllText(Path.Combine(AofDir, "appendonly.aof.1.base.rdb"), Encoding.Latin1));
        // The fields present only with the AOF on follow the module_fork ones, as in redis-server 7.0.15's INFO.
        Assert.Contains("aof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\naof_current_size:", h.Run("INFO", "persistence"));
        h.Run("SET", "a", "1");
        h.Run("GET", "a");
        h.Run("SET", "b", "2");
        h.Run("SELECT", "3");
        h.Run("INCR", "c");
        // Outside a connection batch (as here), appendfsync always writes at once.
        Assert.Equal(
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
            + "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n",
            File.ReadAllText(Incr(1)));
    }

    [Fact]
    public void Writes_inside_a_batch_reach_the_file_when_the_batch_ends()
    {
        var h = Open();
        long before = new FileInfo(Incr(1)).Length;
        lock (h.Engine.SyncRoot)
        {
            h.Engine.BeginBatch();
            h.Engine.Execute(h.Client, [Encoding.ASCII.GetBytes("SET"), "k"u8.ToArray(), "v"u8.ToArray()]);
            Assert.Equal(before, new FileInfo(Incr(1)).Length);
            Assert.True(h.Engine.AofBufferLength > 0);
            h.Engine.EndBatch();
            Assert.True(new FileInfo(Incr(1)).Length > before);
        }
    }

    [Fact]
    public void Restart_replays_base_and_incr_including_transactions()
    {
        var h = Open();
        h.Run("SET", "s", "v");
        h.Run("RPUSH", "l", "a", "b");
        h.Run("MULTI");
        h.Run("INCR", "n");
        h.Run("SELECT", "4");
        h.Run("SADD", "set", "x");
        h.Run("EXEC");
        h.Run("SELECT", "0");
        h.Run("SET", "ttl", "v", "EX", "1000");
        string digest = h.Run("DEBUG", "DIGEST");
        lock (h.Engine.SyncRoot) h.Engine.CloseAppendOnly();
        var again = Open();
        Assert.Equal(digest, again.Run("DEBUG", "DIGEST"));
        Assert.Equal(":4\r\n", again.Run("DBSIZE"));
        Assert.Equal("+OK\r\n", again.Run("SELECT", "4"));
        Assert.Equal(":1\r\n", again.Run("SCARD", "set"));
    }

    [Fact]
    public void An_unterminated_transaction_at_the_end_is_reverted_and_cut()
    {
        var h = Open();
        h.Run("SET", "kept", "1");
        lock (h.Engine.SyncRoot) h.Engine.CloseAppendOnly();
        long good = new FileInfo(Incr(1)).Length;
        File.AppendAllText(Incr(1), "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1\r\n1\r\n");
        var again = Open();
        Assert.Equal("$1\r\n1\r\n", again.Run("GET", "kept"));
        Assert.Equal("$-1\r\n", again.Run("GET", "lost"));
        Assert.Equal(good, new FileInfo(Incr(1)).Length);
    }

    [Fact]
    public void A_torn_tail_in_a_file_that_is_not_the_last_is_fatal()
    {
        var h = Open();
        h.Run("SET", "a", "1");
        lock (h.Engine.SyncRoot) h.Engine.CloseAppendOnly();
        File.AppendAllText(Incr(1), "*3\r\n$3\r\nSET");
        File.WriteAllText(Incr(2), "");
        File.AppendAllText(Path.Combine(AofDir, "appendonly.aof.manifest"), "file appendonly.aof.2.incr.aof seq 2 type i\n");
        var h2 = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [], AppendOnly = true });
        var e = Assert.Throws<AofLoadException>(() => h2.Engine.LoadAppendOnlyFiles());
        Assert.Contains("not the last file", e.Message);
        Assert.Contains("appendonly.aof.1.incr.aof", e.Message);
    }

    [Fact]
    public void An_unknown_command_fails_the_load_naming_it_and_the_file()
    {
        var h = Open();
        lock (h.Engine.SyncRoot) h.Engine.CloseAppendOnly();
        File.AppendAllText(Incr(1), "*1\r\n$7\r\nNOSUCHC\r\n");
        var h2 = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [], AppendOnly = true });
        var e = Assert.Throws<AofLoadException>(() => h2.Engine.LoadAppendOnlyFiles());
        Assert.Equal("Unknown command 'NOSUCHC' reading the append only file appendonly.aof.1.incr.aof", e.Message);
    }

    [Fact]
    public void Aof_load_truncated_no_refuses_a_torn_tail()
    {
        var h = Open();
        h.Run("SET", "a", "1");
        lock (h.Engine.SyncRoot) h.Engine.CloseAppendOnly();
        File.AppendAllText(Incr(1), "*3\r\n$3\r\nSET");
        var h2 = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [], AppendOnly = true });
        Assert.Equal("+OK\r\n", h2.Run("CONFIG", "SET", "aof-load-truncated", "no"));
        var e = Assert.Throws<AofLoadException>(() => h2.Engine.LoadAppendOnlyFiles());
        Assert.Contains("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof", e.Message);
    }

    [Fact]
    public async Task Bgrewriteaof_replies_and_layout_match_redis()
    {
        var h = Open();
        h.Run("SET", "a", "1");
        lock (h.Engine.SyncRoot)
        {
            // Holding the lock keeps the rewrite from finishing, so the second request sees it running.
            Assert.Equal("+Background append only file rewriting started\r\n", h.Run("BGREWRITEAOF"));
            Assert.Equal("-ERR Background append only file rewriting already in progress\r\n", h.Run("BGREWRITEAOF"));
            Assert.Equal("-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n", h.Run("BGSAVE"));
            Assert.Equal("+Background saving scheduled\r\n", h.Run("BGSAVE", "SCHEDULE"));
            Assert.Contains("aof_rewrite_in_progress:1\r\n", h.Run("INFO", "persistence"));
            // The new incr file is listed as soon as the rewrite starts: a crash now loses nothing.
            Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n", Manifest);
            h.Run("SET", "b", "2");
        }
        await WaitRewrite(h);
        Assert.True(Manifest.Contains("seq 2 type b"), string.Join("\n", _warnings) + h.Run("INFO", "persistence") + string.Join(",", Directory.GetFiles(AofDir)));
        Assert.Equal("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", Manifest);
        Assert.Equal(["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"],
            Directory.GetFiles(AofDir).Select(Path.GetFileName).Order());
        Assert.Equal("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n", File.ReadAllText(Incr(2)));
        var info = h.Run("INFO", "persistence");
        Assert.Contains("aof_rewrites:1\r\n", info);
        Assert.Contains("aof_last_bgrewrite_status:ok\r\n", info);
        Assert.Contains("aof_rewrite_in_progress:0\r\n", info);
        Assert.Contains($"aof_base_size:{new FileInfo(Path.Combine(AofDir, "appendonly.aof.2.base.rdb")).Length}\r\n", info);
        string digest = h.Run("DEBUG", "DIGEST");
        lock (h.Engine.SyncRoot) h.Engine.CloseAppendOnly();
        Assert.Equal(digest, Open().Run("DEBUG", "DIGEST"));
    }

    [Fact]
    public void Bgrewriteaof_inside_multi_is_scheduled()
    {
        var h = Open();
        h.Run("MULTI");
        h.Run("BGREWRITEAOF");
        Assert.Equal("*1\r\n+Background append only file rewriting scheduled\r\n", h.Run("EXEC"));
        Assert.Contains("aof_rewrite_scheduled:1\r\n", h.Run("INFO", "persistence"));
    }

    [Fact]
    public async Task Config_set_appendonly_yes_builds_the_aof_from_the_dataset_and_no_stops_appending()
    {
        var h = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [] });
        _open.Add(h);
        h.Run("SET", "before", "1");
        Assert.DoesNotContain("aof_current_size", h.Run("INFO", "persistence"));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "appendonly", "yes"));
        h.Run("SET", "during", "1");
        await WaitRewrite(h);
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", Manifest);
        Assert.Contains("SET\r\n$6\r\nduring", File.ReadAllText(Incr(1)));
        Assert.Contains("aof_enabled:1\r\n", h.Run("INFO", "persistence"));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "appendonly", "no"));
        long size = new FileInfo(Incr(1)).Length;
        h.Run("SET", "after", "1");
        Assert.Equal(size, new FileInfo(Incr(1)).Length);
        var reloaded = Open();
        Assert.Equal(":2\r\n", reloaded.Run("DBSIZE"));
    }

    [Fact]
    public void Debug_loadaof_reloads_the_dataset_from_the_aof()
    {
        var h = Open();
        h.Run("SET", "a", "1");
        h.Run("RPUSH", "l", "x", "y");
        string digest = h.Run("DEBUG", "DIGEST");
        lock (h.Engine.SyncRoot) h.Engine.Keyspace.FlushAll(); // behind the AOF's back: only a reload brings it back
        Assert.Equal(":0\r\n", h.Run("DBSIZE"));
        Assert.Equal("+OK\r\n", h.Run("DEBUG", "LOADAOF"));
        Assert.Equal(digest, h.Run("DEBUG", "DIGEST"));
        Assert.Contains("rdb_changes_since_last_save:0\r\n", h.Run("INFO", "persistence"));
        h.Run("SET", "b", "2"); // still appending, and to the same file
        Assert.Equal("+OK\r\n", h.Run("DEBUG", "LOADAOF"));
        Assert.Equal("$1\r\n2\r\n", h.Run("GET", "b"));
        Assert.Equal(":3\r\n", h.Run("DBSIZE"));
    }

    [Theory]
    [InlineData("everysec")]
    [InlineData("no")]
    public void Without_fsync_always_writes_still_reach_the_file_at_the_end_of_the_batch(string fsync)
    {
        var h = Open(fsync);
        long before = new FileInfo(Incr(1)).Length;
        lock (h.Engine.SyncRoot)
        {
            h.Engine.BeginBatch();
            h.Engine.Execute(h.Client, ["SET"u8.ToArray(), "k"u8.ToArray(), "v"u8.ToArray()]);
            Assert.Equal(before, new FileInfo(Incr(1)).Length);
            h.Engine.EndBatch();
        }
        Assert.Equal("+OK\r\n", h.TakeOutput(h.Client));
        Assert.EndsWith("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", File.ReadAllText(Incr(1)));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "appendfsync", "always"));
        h.Run("SET", "k2", "v");
        Assert.EndsWith("$2\r\nk2\r\n$1\r\nv\r\n", File.ReadAllText(Incr(1)));
    }

    [Fact]
    public async Task Closing_the_aof_during_a_rewrite_abandons_it_and_loses_nothing()
    {
        var h = Open();
        h.Run("SET", "a", "1");
        string digest;
        lock (h.Engine.SyncRoot)
        {
            Assert.Equal("+Background append only file rewriting started\r\n", h.Run("BGREWRITEAOF"));
            h.Run("SET", "b", "2"); // only in incr 2: the rewrite's base does not have it
            digest = h.Run("DEBUG", "DIGEST");
            h.Engine.CloseAppendOnly(); // node disposal
        }
        await WaitRewrite(h);
        Assert.Contains("aof_last_bgrewrite_status:err\r\n", h.Run("INFO", "persistence"));
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n", Manifest);
        Assert.Empty(Directory.GetFiles(AofDir, "temp-*"));
        Assert.Equal(digest, Open().Run("DEBUG", "DIGEST"));
    }

    [Fact]
    public void An_old_style_aof_with_an_rdb_preamble_moves_into_the_directory_and_loads_with_its_tail()
    {
        // Pre-7.0 layout: <dir>/appendonly.aof = RDB preamble + commands. Build one from a dataset.
        var src = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [] });
        src.Run("SET", "from-rdb", "1");
        src.Run("SELECT", "2");
        src.Run("SET", "also-rdb", "2");
        Assert.Equal("+OK\r\n", src.Run("SAVE"));
        var legacy = Path.Combine(_dir, "appendonly.aof");
        File.Move(Path.Combine(_dir, "dump.rdb"), legacy);
        File.AppendAllText(legacy, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$9\r\nfrom-tail\r\n$1\r\n3\r\n");
        var h = new EngineHarness(new ServerConfig { Dir = _dir, SavePoints = [], AppendOnly = true });
        _open.Add(h);
        Assert.True(h.Engine.UpgradeLegacyAof());
        Assert.False(File.Exists(legacy));
        // Exactly what redis-server 7.0.15 writes when it migrates an old-style AOF.
        Assert.Equal("file appendonly.aof seq 1 type b\n", Manifest);
        h.Engine.LoadAppendOnlyFiles();
        lock (h.Engine.SyncRoot) h.Engine.OpenAppendOnlyOnStart();
        Assert.Equal("file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", Manifest);
        Assert.Equal("$1\r\n1\r\n", h.Run("GET", "from-rdb"));
        Assert.Equal("$1\r\n3\r\n", h.Run("GET", "from-tail"));
        h.Run("SELECT", "2");
        Assert.Equal("$1\r\n2\r\n", h.Run("GET", "also-rdb"));
    }

    [Fact]
    public async Task Bgrewriteaof_with_appendonly_off_writes_a_base_only_manifest_like_redis()
    {
        var h = Open();
        h.Run("SET", "a", "1");
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "appendonly", "no"));
        h.Run("SET", "b", "2");
        Assert.Equal("+Background append only file rewriting started\r\n", h.Run("BGREWRITEAOF"));
        await WaitRewrite(h);
        // redis-server 7.0.15 after BGREWRITEAOF with appendonly no: the new base alone, the incr files deleted.
        Assert.Equal("file appendonly.aof.2.base.rdb seq 2 type b\n", Manifest);
        Assert.Equal(["appendonly.aof.2.base.rdb", "appendonly.aof.manifest"], Directory.GetFiles(AofDir).Select(Path.GetFileName).Order());
        // Turning it back on continues the incr numbering, as Redis's in-memory curr_incr_file_seq does.
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "appendonly", "yes"));
        await WaitRewrite(h);
        Assert.Equal("file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", Manifest);
        string digest = h.Run("DEBUG", "DIGEST");
        lock (h.Engine.SyncRoot) h.Engine.CloseAppendOnly();
        Assert.Equal(digest, Open().Run("DEBUG", "DIGEST"));
    }
}
