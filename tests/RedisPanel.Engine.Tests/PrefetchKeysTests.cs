using System.Buffers;
using System.Text;
using RedisPanel.Protocol;

namespace RedisPanel.Engine.Tests;

/// <summary>
/// RedisEngine.PrefetchKeys runs over a pipelined batch before it executes: it must be a pure hint (no access time,
/// no statistics, no expiry, no allocation) and must cope with any command shape the parser lets through.
/// </summary>
public class PrefetchKeysTests
{
    // Above the table size from which PrefetchKeys works (smaller tables stay in cache anyway).
    private const int Keys = 5000;

    private static CommandBatch Parse(params string[][] commands)
    {
        var sb = new StringBuilder();
        foreach (var c in commands)
        {
            sb.Append('*').Append(c.Length).Append("\r\n");
            foreach (var a in c) sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }
        var batch = new CommandBatch();
        var status = RespParser.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(sb.ToString())), batch,
            ParserLimits.Default, out _, out _);
        Assert.Equal(ParseStatus.Ok, status);
        Assert.Equal(commands.Length, batch.Count);
        return batch;
    }

    /// <summary>Every shape: known keyed commands, an unknown command, a lone name, a container, a missing key.</summary>
    private static string[][] MixedBatch() =>
    [
        ["GET", "key:1"], ["get", "key:2"], ["SET", "key:3", "x"], ["NOSUCHCMD", "key:4"], ["PING"],
        ["CONFIG", "GET", "maxmemory"], ["GET", "missing"], ["INCR", "key:5"], ["MGET", "key:6", "key:7"],
        ["LPUSH", "key:8", "a"], ["GET"], ["SELECT", "1"], ["GET", "key:9"], ["EXISTS", "key:10"], ["GET", ""],
        ["STRLEN", "key:11"], ["GET", "key:12"], ["GET", "key:13"], ["DEL", "key:14"], ["GET", "key:15"],
    ];

    /// <summary>key:0..key:4999 = value:0..value:4999 (as DEBUG POPULATE, which the default config refuses).</summary>
    private static void Populate(EngineHarness h)
    {
        for (int i = 0; i < Keys; i++) h.Run("SET", "key:" + i, "value:" + i);
    }

    private static string Info(EngineHarness h, string field)
    {
        var info = h.Run("INFO", "stats");
        var line = info.Split("\r\n").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line[(field.Length + 1)..];
    }

    [Fact]
    public void Prefetch_changes_nothing_a_client_can_see()
    {
        var h = new EngineHarness();
        Populate(h);
        h.Run("PEXPIRE", "key:12", "1000");
        h.Clock.Advance(TimeSpan.FromSeconds(30)); // key:12 is now expired; every key is 30 s idle
        string hits = Info(h, "keyspace_hits"), misses = Info(h, "keyspace_misses"), expired = Info(h, "expired_keys");

        var batch = Parse(MixedBatch());
        var args = new ArgList();
        lock (h.Engine.SyncRoot)
        {
            for (int start = 0; start < batch.Count; start += RedisEngine.PrefetchGroup)
                h.Engine.PrefetchKeys(h.Client, batch, start, args);
        }

        Assert.Equal(hits, Info(h, "keyspace_hits"));
        Assert.Equal(misses, Info(h, "keyspace_misses"));
        Assert.Equal(expired, Info(h, "expired_keys"));
        Assert.Equal(":30\r\n", h.Run("OBJECT", "IDLETIME", "key:1"));
        Assert.Equal(":30\r\n", h.Run("OBJECT", "IDLETIME", "key:13"));
        Assert.Equal(":" + Keys + "\r\n", h.Run("DBSIZE"));
    }

    [Fact]
    public void A_prefetched_batch_replies_as_a_plain_one()
    {
        string RunBatch(bool prefetch)
        {
            var h = new EngineHarness();
            Populate(h);
            h.Run("DEL", "key:7");
            var batch = Parse(MixedBatch());
            var args = new ArgList();
            lock (h.Engine.SyncRoot)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    if (prefetch && i % RedisEngine.PrefetchGroup == 0) h.Engine.PrefetchKeys(h.Client, batch, i, args);
                    batch.GetCommand(i, args);
                    h.Engine.Execute(h.Client, args);
                }
            }
            return h.TakeOutput(h.Client);
        }

        string plain = RunBatch(prefetch: false);
        Assert.Contains("$7\r\nvalue:1\r\n", plain); // the batch really read populated keys
        Assert.Equal(plain, RunBatch(prefetch: true));
    }

    [Fact]
    public void Prefetch_allocates_nothing()
    {
        var h = new EngineHarness();
        Populate(h);
        var batch = Parse(MixedBatch());
        var args = new ArgList();
        lock (h.Engine.SyncRoot)
        {
            for (int i = 0; i < 100; i++) h.Engine.PrefetchKeys(h.Client, batch, 0, args);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) h.Engine.PrefetchKeys(h.Client, batch, 0, args);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
