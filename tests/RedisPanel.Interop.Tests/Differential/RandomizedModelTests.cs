// The randomized model test: long generated command sequences (ModelGenerator) go to a real redis-server 7.0.15
// and to our node over one connection each; every reply must match (byte for byte unless ModelCommand says why
// not), and at the end every database's full dataset must match too. Encoding limits are lowered on both servers
// so small values convert between listpack/intset and hashtable/skiplist encodings during a run.
//
// CI runs 5 fixed sequences of 2,000 commands (odd ones in RESP3). On demand:
//   REDISPANEL_MODEL_SEED=random|<n>      base seed (sequence i uses base + i)
//   REDISPANEL_MODEL_COMMANDS=<n>          commands per sequence
//   REDISPANEL_MODEL_FAMILIES=strings,keys,...   restrict the families (see ModelGenerator.AllFamilies)
//   REDISPANEL_MODEL_SEQUENCES=<n>         run only the first n sequences (n <= 5; e.g. 1 to replay one seed)
//   REDISPANEL_MODEL_DEEP=1                compare the full datasets after every command (finds the first
//                                          command after which a hidden difference, e.g. an encoding, appears)
// A mismatch prints the seed, the command's index, both replies and the 20 commands before it.
using System.Net.Sockets;
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RedisPanel.Interop.Tests.Differential;

public sealed class RandomizedModelTests(DifferentialServers servers, ITestOutputHelper output) : IClassFixture<DifferentialServers>
{
    private const int FixedSeed = 7_000_15;
    private const int DefaultCommands = 2_000;
    private const int Sequences = 5;
    private const int Databases = 3;
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ExpiryDeadline = TimeSpan.FromSeconds(5);

    // Lowered on both servers so encodings convert after a handful of elements.
    private static readonly string[][] EncodingLimits =
    [
        ["hash-max-listpack-entries", "8"], ["hash-max-listpack-value", "16"], ["zset-max-listpack-entries", "8"],
        ["zset-max-listpack-value", "16"], ["set-max-intset-entries", "8"],
    ];

    private static readonly Lazy<int> BaseSeed = new(() =>
    {
        string? s = Environment.GetEnvironmentVariable("REDISPANEL_MODEL_SEED");
        if (string.IsNullOrEmpty(s)) return FixedSeed;
        if (s.Equals("random", StringComparison.OrdinalIgnoreCase)) return Random.Shared.Next(1, int.MaxValue - Sequences);
        return int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
    });

    public static IEnumerable<object[]> SequenceIndexes() => Enumerable.Range(0, Sequences).Select(i => new object[] { i });

    [Fact]
    public void Same_seed_gives_the_same_sequence_and_every_family_appears()
    {
        var a = new ModelGenerator(42).Generate(DefaultCommands, resp3: false);
        var b = new ModelGenerator(42).Generate(DefaultCommands, resp3: false);
        Assert.Equal(a.Select(c => c.ToString()), b.Select(c => c.ToString()));
        var names = a.Select(c => c.Name).ToHashSet();
        foreach (var n in new[] { "SET", "INCR", "EXPIRE", "PEXPIRE", "PERSIST", "SETBIT", "BITFIELD", "LPUSH", "LMOVE", "HSET",
                     "HGETALL", "SADD", "SMEMBERS", "ZADD", "ZRANGE", "MULTI", "EXEC", "WATCH", "SELECT", "OBJECT", "BLPOP" })
            Assert.Contains(n, names);
        Assert.Contains(a, c => c.AwaitExpiry is not null);
    }

    [Theory]
    [MemberData(nameof(SequenceIndexes))]
    public async Task Sequence_matches_redis_server(int index)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("REDISPANEL_MODEL_SEQUENCES"), out int only) && index >= only)
        {
            output.WriteLine($"sequence {index} not run: REDISPANEL_MODEL_SEQUENCES={only}");
            return;
        }
        int seed = BaseSeed.Value + index;
        int count = int.TryParse(Environment.GetEnvironmentVariable("REDISPANEL_MODEL_COMMANDS"), out int n) && n > 0 ? n : DefaultCommands;
        string? familyFilter = Environment.GetEnvironmentVariable("REDISPANEL_MODEL_FAMILIES");
        var families = string.IsNullOrWhiteSpace(familyFilter) ? null : familyFilter.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        bool resp3 = index % 2 == 1;
        var commands = new ModelGenerator(seed, families).Generate(count, resp3);
        string header = $"model sequence {index}: seed {seed}, {commands.Count} commands, RESP{(resp3 ? 3 : 2)}" +
                        (families is null ? "" : ", families " + string.Join(",", families)) +
                        $"\nreproduce: REDISPANEL_MODEL_SEED={BaseSeed.Value} REDISPANEL_MODEL_COMMANDS={count}" +
                        (families is null ? "" : $" REDISPANEL_MODEL_FAMILIES={familyFilter}") +
                        $" dotnet test tests/RedisPanel.Interop.Tests --filter \"FullyQualifiedName~RandomizedModelTests\"";
        output.WriteLine(header);

        var real = servers.RealFor("model");
        await using var node = await NodeFixture.StartAsync(name: "model");
        using var realClient = TestRespClient.Connect(real.Port, ReplyTimeout);
        using var ourClient = TestRespClient.Connect(node.Port, ReplyTimeout);
        Prepare(realClient, ourClient, flush: true);

        var started = DateTime.UtcNow;
        using var realInspector = TestRespClient.Connect(real.Port, ReplyTimeout);
        using var ourInspector = TestRespClient.Connect(node.Port, ReplyTimeout);
        bool deep = Environment.GetEnvironmentVariable("REDISPANEL_MODEL_DEEP") == "1";
        long slackMs = RunSequence(commands, realClient, ourClient, header, deep ? (realInspector, ourInspector) : null);
        var final = CompareDatasets(realInspector, ourInspector, slackMs);
        if (final.Count > 0)
            Assert.Fail($"{header}\nthe final datasets differ ({final.Count}):\n" + string.Join("\n", final.Take(30)));
        output.WriteLine($"{commands.Count} commands and the final datasets matched in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
    }

    private static void Prepare(TestRespClient real, TestRespClient ours, bool flush)
    {
        if (flush) Assert.Equal("+OK\r\n", real.CallText("FLUSHALL"));
        Assert.Equal("+OK\r\n", real.CallText("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        Assert.Equal("+OK\r\n", ours.CallText("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        foreach (var kv in EncodingLimits)
        {
            Assert.Equal("+OK\r\n", real.CallText("CONFIG", "SET", kv[0], kv[1]));
            Assert.Equal("+OK\r\n", ours.CallText("CONFIG", "SET", kv[0], kv[1]));
        }
    }

    /// <summary>Runs the commands; returns the slack (ms) the TTL comparisons needed.</summary>
    private static long RunSequence(List<ModelCommand> commands, TestRespClient realClient, TestRespClient ourClient, string header,
        (TestRespClient Real, TestRespClient Ours)? inspectors)
    {
        var history = new List<string>();
        long slackMs = 0;
        List<ModelCommand>? queued = null; // commands queued inside the current MULTI (as redis-server queued them)
        for (int i = 0; i < commands.Count; i++)
        {
            var cmd = commands[i];
            long sent = Environment.TickCount64;
            byte[] real = Exchange(realClient, cmd, "redis-server", i, header, history);
            byte[] ours = Exchange(ourClient, cmd, "our node", i, header, history);
            slackMs = Math.Max(slackMs, 2 * (Environment.TickCount64 - sent) + 20);
            bool endsTransaction = queued is not null && cmd.Name is "EXEC" or "DISCARD";
            bool same = endsTransaction && cmd.Name == "EXEC" ? ModelReplies.SameExec(queued!, real, ours, slackMs) : ModelReplies.Same(cmd, real, ours, slackMs);
            if (!same)
                Assert.Fail($"{header}\ncommand #{i} differs: {cmd}\n  redis-server: {RespFraming.Escape(real)}\n  our node:     {RespFraming.Escape(ours)}\n" +
                            History(history, i) + KeyHistory(commands, history, i));

            if (cmd.Name == "MULTI" && queued is null && Text(real) == "+OK\r\n") queued = [];
            else if (endsTransaction) queued = null;
            else if (queued is not null && Text(real) == "+QUEUED\r\n") queued.Add(cmd);

            history.Add($"#{i} {cmd}  ->  {RespFraming.Escape(real, 200)}");
            if (cmd.AwaitExpiry is not null)
            {
                AwaitExpiry(realClient, cmd.AwaitExpiry, "redis-server", header, history);
                AwaitExpiry(ourClient, cmd.AwaitExpiry, "our node", header, history);
            }
            if (inspectors is { } ins && queued is null)
            {
                var diff = CompareDatasets(ins.Real, ins.Ours, slackMs);
                if (diff.Count > 0)
                    Assert.Fail($"{header}\nthe datasets differ after command #{i}: {cmd}\n  " + string.Join("\n  ", diff.Take(10)) + "\n" +
                                History(history, i + 1));
            }
        }
        return slackMs;
    }

    private static byte[] Exchange(TestRespClient client, ModelCommand cmd, string side, int index, string header, List<string> history)
    {
        try
        {
            client.Send(cmd.Bytes());
            return client.ReadReply() ?? throw new IOException("connection closed");
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or InvalidDataException)
        {
            Assert.Fail($"{header}\ncommand #{index}: {cmd}\n  {side}: {ex.GetType().Name}: {ex.Message}\n" + History(history, index));
            throw; // unreachable
        }
    }

    /// <summary>
    /// Polls PTTL until the key's sub-second TTL has run out (PTTL's lookup also deletes it lazily, on both servers
    /// alike): -2 or -1, or a long TTL when the command did not actually set a short one.
    /// </summary>
    private static void AwaitExpiry(TestRespClient client, string key, string side, string header, List<string> history)
    {
        var deadline = DateTime.UtcNow + ExpiryDeadline;
        while (true)
        {
            var reply = client.Call("PTTL", key);
            if (!ModelReplies.TryInteger(reply, out long ms) || ms < 0 || ms > 1000) return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{header}\n{side}: key '{key}' still has PTTL {ms} after {ExpiryDeadline.TotalSeconds} s\n" + History(history, history.Count));
            Thread.Sleep(1); // polling interval for a TTL of at most 15 ms; bounded by the deadline
        }
    }

    /// <summary>
    /// Every database's keys, types, encodings, values and TTLs, read through separate RESP2 connections; returns
    /// the differences.
    /// </summary>
    private static List<string> CompareDatasets(TestRespClient real, TestRespClient ours, long slackMs)
    {
        var mismatches = new List<string>();
        void Check(ModelCommand cmd, string where)
        {
            long sent = Environment.TickCount64;
            var r = real.Call(cmd.Bytes());
            var o = ours.Call(cmd.Bytes());
            slackMs = Math.Max(slackMs, 2 * (Environment.TickCount64 - sent) + 20);
            if (!ModelReplies.Same(cmd, r, o, slackMs))
                mismatches.Add($"{where}: {cmd}\n    redis-server: {RespFraming.Escape(r)}\n    our node:     {RespFraming.Escape(o)}");
        }

        for (int db = 0; db < Databases; db++)
        {
            string where = "db " + db;
            Check(new(["SELECT", db.ToString()]), where);
            Check(new(["DBSIZE"]), where);
            var keysCmd = new ModelCommand(["KEYS", "*"], ReplyCheck.Sorted);
            Check(keysCmd, where);
            var keys = ModelReplies.BulkElements(real.Call(keysCmd.Bytes()));
            // DBSIZE counts keys whose TTL ran out but that nothing touched yet; KEYS skips them. Such keys would
            // make RANDOMKEY's random pick change the dataset, so a run must never leave any behind.
            if (ModelReplies.TryInteger(real.Call("DBSIZE"), out long dbsize) && dbsize != keys.Count)
                mismatches.Add($"{where}: redis-server holds {dbsize - keys.Count} expired key(s) not yet deleted (DBSIZE {dbsize}, KEYS * {keys.Count})");
            keys.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
            foreach (var keyBytes in keys)
            {
                string key = Encoding.Latin1.GetString(keyBytes);
                string at = $"{where} key '{key}'";
                Check(new(["TYPE", key]), at);
                Check(new(["OBJECT", "ENCODING", key]), at);
                string type = Text(real.Call("TYPE", key)).Trim('+', '\r', '\n');
                Check(type switch
                {
                    "string" => new(["GET", key]),
                    "list" => new(["LRANGE", key, "0", "-1"]),
                    "hash" => new(["HGETALL", key], ReplyCheck.SortedPairs),
                    "set" => new(["SMEMBERS", key], ReplyCheck.Sorted),
                    "zset" => new(["ZRANGE", key, "0", "-1", "WITHSCORES"]),
                    _ => new(["TYPE", key]),
                }, at);
                Check(new(["PTTL", key], ReplyCheck.Tolerance, 50), at);
            }
        }
        return mismatches;
    }

    private static string History(List<string> history, int index)
    {
        var sb = new StringBuilder("previous commands (with redis-server's replies):\n");
        foreach (var h in history.Skip(Math.Max(0, history.Count - 20))) sb.Append("  ").Append(h).Append('\n');
        if (history.Count == 0) sb.Append("  (none)\n");
        return sb.ToString();
    }

    /// <summary>The last earlier commands naming a key the failing command names (how that key got its state).</summary>
    private static string KeyHistory(List<ModelCommand> commands, List<string> history, int index)
    {
        var keys = commands[index].Args.Skip(1).Where(ModelGenerator.IsKeyName).ToHashSet();
        var hits = Enumerable.Range(0, Math.Max(0, index - 20))
            .Where(j => commands[j].Args.Skip(1).Any(keys.Contains) || commands[j].Name is "SELECT" or "SWAPDB" or "FLUSHDB")
            .TakeLast(25).Select(j => history[j]).ToList();
        return hits.Count == 0 ? "" : "earlier commands naming the same keys (and SELECT/SWAPDB/FLUSHDB):\n  " + string.Join("\n  ", hits) + "\n";
    }

    private static string Text(byte[] reply) => Encoding.Latin1.GetString(reply);
}
