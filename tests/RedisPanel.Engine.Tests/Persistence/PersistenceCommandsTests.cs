using System.Text;
using RedisPanel.Engine.Config;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Engine.Tests.Persistence;

public sealed class PersistenceCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-persist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private EngineHarness NewHarness() => new(new ServerConfig { Dir = _dir, SavePoints = [] });

    private static void Fill(EngineHarness h)
    {
        h.Run("SET", "s", "hello");
        h.Run("SET", "n", "12345");
        h.Run("RPUSH", "l", "a", "b", "c");
        h.Run("SADD", "set", "1", "2", "x");
        h.Run("HSET", "h", "f", "v", "g", "w");
        h.Run("ZADD", "z", "1.5", "a", "-2", "b");
        h.Run("SET", "ttl", "v", "PX", "100000");
        h.Run("SELECT", "5");
        h.Run("SET", "in5", "v");
        h.Run("SELECT", "0");
    }

    private static string Digest(EngineHarness h) => h.Run("DEBUG", "DIGEST");

    [Fact]
    public void Save_then_debug_reload_restores_the_same_dataset()
    {
        var h = NewHarness();
        Fill(h);
        string before = Digest(h);
        Assert.NotEqual("+" + new string('0', 40) + "\r\n", before);
        Assert.Equal("+OK\r\n", h.Run("SAVE"));
        Assert.True(File.Exists(Path.Combine(_dir, "dump.rdb")));
        Assert.Contains("rdb_changes_since_last_save:0\r\n", h.Run("INFO", "persistence"));
        Assert.Contains("rdb_saves:1\r\n", h.Run("INFO", "persistence"));
        h.Run("SET", "later", "x"); // lost on reload without save
        Assert.Equal("+OK\r\n", h.Run("DEBUG", "RELOAD", "NOSAVE"));
        Assert.Equal(before, Digest(h));
        Assert.Equal("+OK\r\n", h.Run("DEBUG", "RELOAD"));
        Assert.Equal(before, Digest(h));
        Assert.Equal("$5\r\nhello\r\n", h.Run("GET", "s"));
    }

    [Fact]
    public void Empty_dataset_digest_is_zeros() => Assert.Equal("+" + new string('0', 40) + "\r\n", Digest(NewHarness()));

    [Fact]
    public async Task Bgsave_writes_a_snapshot_and_updates_info()
    {
        var h = NewHarness();
        Fill(h);
        string expected = Digest(h);
        Assert.Equal("+Background saving started\r\n", h.Run("BGSAVE"));
        await h.Engine.BackgroundSaveTask.WaitAsync(TimeSpan.FromSeconds(30));
        string info = h.Run("INFO", "persistence");
        Assert.Contains("rdb_bgsave_in_progress:0\r\n", info);
        Assert.Contains("rdb_last_bgsave_status:ok\r\n", info);
        Assert.Contains("rdb_changes_since_last_save:0\r\n", info);
        var loaded = new Keyspace(16, TimeProvider.System);
        RdbFile.Load(Path.Combine(_dir, "dump.rdb"), loaded, new RdbLoadOptions());
        Assert.Equal(expected, "+" + DatasetDigest.Hex(DatasetDigest.Compute(loaded)) + "\r\n");
        Assert.Equal("-ERR syntax error\r\n", h.Run("BGSAVE", "NOW"));
        Assert.Equal("+Background saving started\r\n", h.Run("BGSAVE", "SCHEDULE"));
        await h.Engine.BackgroundSaveTask.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Snapshot_keeps_its_point_in_time_while_every_kind_of_write_goes_on()
    {
        var h = NewHarness();
        Fill(h);
        h.Run("APPEND", "grown", "abc");
        h.Run("SETBIT", "bits", "7", "1");
        string before = Digest(h);
        KeyspaceSnapshot snap;
        lock (h.Engine.SyncRoot) snap = h.Engine.TakeSnapshot();
        // In-place mutations of every type, moves between keys, and deletes.
        h.Run("RPUSH", "l", "d");
        h.Run("LSET", "l", "0", "changed");
        h.Run("SADD", "set", "y");
        h.Run("SREM", "set", "1");
        h.Run("HSET", "h", "f", "changed");
        h.Run("ZADD", "z", "9", "a");
        h.Run("ZINCRBY", "z", "1", "b");
        h.Run("APPEND", "grown", "def");
        h.Run("SETBIT", "bits", "100", "1");
        h.Run("SETRANGE", "s", "0", "J");
        h.Run("RENAME", "l", "l2");
        h.Run("RPUSH", "l2", "after-rename");
        h.Run("LMOVE", "l2", "set2", "LEFT", "LEFT"); // WRONGTYPE? no: set2 is absent, becomes a list
        h.Run("MULTI");
        h.Run("HDEL", "h", "g");
        h.Run("EXEC");
        h.Run("DEL", "n");
        h.Run("FLUSHDB");
        var ms = new MemoryStream();
        var w = new RdbWriter(ms);
        w.WriteHeader(new RdbSaveInfo());
        w.WriteDatabases(snap);
        w.WriteEnd();
        snap.Dispose();
        var loaded = new Keyspace(16, TimeProvider.System);
        RdbReader.Load(ms.ToArray(), "snapshot", loaded, new RdbLoadOptions());
        Assert.Equal(before, "+" + DatasetDigest.Hex(DatasetDigest.Compute(loaded)) + "\r\n");
        Assert.Equal(0, h.Engine.Keyspace.ActiveSnapshots);
    }

    [Fact]
    public void Dump_and_restore_round_trip_with_options_and_errors()
    {
        var h = NewHarness();
        Fill(h);
        foreach (var key in new[] { "s", "n", "l", "set", "h", "z" })
        {
            var payload = DumpBytes(h, key);
            string digest = h.Run("DEBUG", "DIGEST-VALUE", key);
            Assert.Equal("-BUSYKEY Target key name already exists.\r\n", h.RunBytes(h.Client, [B("RESTORE"), B(key), B("0"), payload]));
            Assert.Equal("+OK\r\n", h.RunBytes(h.Client, [B("RESTORE"), B(key), B("0"), payload, B("REPLACE")]));
            Assert.Equal(digest, h.Run("DEBUG", "DIGEST-VALUE", key));
            Assert.Equal("+OK\r\n", h.RunBytes(h.Client, [B("RESTORE"), B(key + ":copy"), B("5000"), payload, B("IDLETIME"), B("10")]));
            Assert.Equal(":5000\r\n", h.Run("PTTL", key + ":copy"));
        }
        var good = DumpBytes(h, "s");
        var bad = (byte[])good.Clone();
        bad[^1] ^= 1;
        Assert.Equal("-ERR DUMP payload version or checksum are wrong\r\n", h.RunBytes(h.Client, [B("RESTORE"), B("x"), B("0"), bad]));
        Assert.Equal("-ERR Invalid TTL value, must be >= 0\r\n", h.RunBytes(h.Client, [B("RESTORE"), B("x"), B("-1"), good]));
        Assert.Equal("-ERR Invalid IDLETIME value, must be >= 0\r\n", h.RunBytes(h.Client, [B("RESTORE"), B("x"), B("0"), good, B("IDLETIME"), B("-1")]));
        Assert.Equal("-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", h.RunBytes(h.Client, [B("RESTORE"), B("x"), B("0"), good, B("FREQ"), B("256")]));
        Assert.Equal("-ERR syntax error\r\n", h.RunBytes(h.Client, [B("RESTORE"), B("x"), B("0"), good, B("IDLETIME"), B("1"), B("FREQ"), B("1")]));
        Assert.Equal("-ERR syntax error\r\n", h.RunBytes(h.Client, [B("RESTORE"), B("x"), B("0"), good, B("BOGUS")]));
        // An absolute TTL in the past creates nothing.
        Assert.Equal("+OK\r\n", h.RunBytes(h.Client, [B("RESTORE"), B("x"), B("1"), good, B("ABSTTL")]));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "x"));
        Assert.Equal("$-1\r\n", h.Run("DUMP", "nosuchkey"));
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>DUMP's bulk reply as raw bytes (the harness decodes replies as UTF-8, which a payload is not).</summary>
    private static byte[] DumpBytes(EngineHarness h, string key)
    {
        lock (h.Engine.SyncRoot)
        {
            h.Engine.Execute(h.Client, [B("DUMP"), B(key)]);
            var buf = h.Client.TakeOutput()!;
            var span = buf.WrittenSpan;
            int crlf = span.IndexOf("\r\n"u8);
            int len = int.Parse(Encoding.ASCII.GetString(span[1..crlf]));
            var payload = span.Slice(crlf + 2, len).ToArray();
            h.Client.ReturnOutput(buf);
            return payload;
        }
    }
}
