// Pipelined batches over a keyspace big enough for the node to prefetch their keys (RedisEngine.PrefetchKeys):
// the replies, byte for byte, must be those of a real redis-server given the same stream.
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Smoke;

public sealed class PipelinedBatchTests
{
    private const int Keys = 6000; // above the table size from which the node prefetches

    private static byte[] Frame(params string[] args) => TestRespClient.Encode(args.Select(Encoding.UTF8.GetBytes).ToArray());

    /// <summary>Sends <paramref name="frames"/> in one write and returns the replies in order.</summary>
    private static List<string> Pipeline(TestRespClient c, IReadOnlyList<byte[]> frames)
    {
        var all = new MemoryStream();
        foreach (var f in frames) all.Write(f);
        c.SendRaw(all.ToArray());
        var replies = new List<string>(frames.Count);
        for (int i = 0; i < frames.Count; i++) replies.Add(Encoding.Latin1.GetString(c.ReadReply()!));
        return replies;
    }

    private static List<byte[]> Load()
    {
        var frames = new List<byte[]>();
        for (int i = 0; i < Keys; i++)
            frames.Add(Frame("SET", "key:" + i, new string((char)('a' + i % 26), i % 3 == 0 ? 1024 : 16 + i % 50)));
        frames.Add(Frame("RPUSH", "list", "a", "b"));
        frames.Add(Frame("HSET", "hash", "f", "v"));
        return frames;
    }

    /// <summary>
    /// Groups longer than the prefetch group, every command shape (keyed reads and writes, WRONGTYPE, missing keys,
    /// unknown commands, wrong arity, containers, SELECT switching the db mid-batch, an empty key).
    /// </summary>
    private static List<byte[]> Batch()
    {
        var frames = new List<byte[]>();
        for (int round = 0; round < 3; round++)
        {
            int k = round * 97;
            frames.AddRange([
                Frame("GET", "key:" + (k + 1)), Frame("GET", "key:" + (k + 3)), Frame("get", "key:" + (k + 2)),
                Frame("GET", "missing:" + k), Frame("GET", "list"), Frame("STRLEN", "key:" + (k + 6)),
                Frame("SET", "key:" + (k + 4), "new"), Frame("GET", "key:" + (k + 4)), Frame("INCR", "counter"),
                Frame("NOSUCHCMD", "key:" + k), Frame("GET"), Frame("PING"), Frame("CONFIG", "GET", "maxmemory"),
                Frame("MGET", "key:" + (k + 7), "missing", "hash"), Frame("APPEND", "key:" + (k + 8), "xyz"),
                Frame("GETRANGE", "key:" + (k + 9), "2", "5"), Frame("EXISTS", "key:" + (k + 10), "nope"),
                Frame("SELECT", "1"), Frame("GET", "key:" + (k + 11)), Frame("SET", "key:" + (k + 11), "db1"),
                Frame("GET", "key:" + (k + 11)), Frame("SELECT", "0"), Frame("GET", "key:" + (k + 11)),
                Frame("DEL", "key:" + (k + 12)), Frame("GET", "key:" + (k + 12)), Frame("GET", ""),
                Frame("HGET", "hash", "f"), Frame("LRANGE", "list", "0", "-1"), Frame("GETDEL", "key:" + (k + 13)),
                Frame("GET", "key:" + (k + 13)), Frame("GET", "key:" + (k + 14)), Frame("GET", "key:" + (k + 15)),
                Frame("GET", "key:" + (k + 16)), Frame("GET", "key:" + (k + 17)), Frame("GET", "key:" + (k + 18)),
            ]);
        }
        return frames;
    }

    [Fact]
    public async Task A_pipelined_batch_over_a_large_keyspace_replies_as_redis()
    {
        using var real = RedisServerProcess.Start();
        await using var node = await NodeFixture.StartAsync(name: "pipeline");
        using var r = TestRespClient.Connect(real.Port);
        using var n = TestRespClient.Connect(node.Port);

        var load = Load();
        Assert.Equal(Pipeline(r, load), Pipeline(n, load));

        var batch = Batch();
        var expected = Pipeline(r, batch);
        Assert.Contains(expected, reply => reply.Length > 1024); // the batch really read the loaded 1 KB values
        Assert.Equal(expected, Pipeline(n, batch));
        Assert.Equal(r.CallText("DBSIZE"), n.CallText("DBSIZE"));
    }
}
