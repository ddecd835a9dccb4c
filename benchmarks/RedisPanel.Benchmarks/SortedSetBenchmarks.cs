// ZADD as redis-benchmark's `-t zadd` sends it (one key, random integer score, member "element:<rand>" out of
// 100k): once through the storage type alone and once through the dispatcher. After the fill almost every call
// is a score update, which moves the member to a random new place in the skiplist.
using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using RedisPanel.Engine;
using RedisPanel.Engine.Config;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Benchmarks;

[MemoryDiagnoser]
public class SortedSetBenchmarks
{
    private const int Members = 100_000;
    private const int Cycle = 4096;
    private RedisSortedSet _set = null!;
    private byte[][] _members = null!;
    private double[] _scores = null!;
    private RedisEngine _engine = null!;
    private ClientSession _client = null!;
    private readonly ReplyBuffer _reply = new(64 * 1024);
    private readonly CommandBatch _zadds = new();
    private readonly CommandBatch _zadds2 = new();
    private readonly ArgList _args = new();
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _set = new RedisSortedSet();
        for (int m = 0; m < Members; m++)
        {
            double s = random.Next(Members);
            _set.Add(Encoding.ASCII.GetBytes($"element:{m:D12}"), ref s);
        }
        _members = new byte[Cycle][];
        _scores = new double[Cycle];
        var sb = new StringBuilder();
        var sb2 = new StringBuilder();
        for (int i = 0; i < Cycle; i++)
        {
            string member = $"element:{random.Next(Members):D12}";
            int score = random.Next(Members);
            _members[i] = Encoding.ASCII.GetBytes(member);
            _scores[i] = score;
            AppendCommand(sb, "ZADD", "myzset", score.ToString(), member);
            AppendCommand(sb2, "ZADD", "myzset", (score + 1).ToString(), member);
        }

        _engine = new RedisEngine(new ServerConfig(), randomSeed: 1);
        _client = _engine.CreateClient("127.0.0.1:50000", "127.0.0.1:6379");
        _engine.Clients.Add(_client.Id, _client);
        _client.Writer.Redirect(_reply);
        var fill = new StringBuilder();
        for (int start = 0; start < Members; start += 1000)
        {
            fill.Clear();
            for (int m = start; m < start + 1000; m++) AppendCommand(fill, "ZADD", "myzset", random.Next(Members).ToString(), $"element:{m:D12}");
            var batch = new CommandBatch();
            Parse(batch, fill.ToString());
            for (int k = 0; k < batch.Count; k++) Execute(batch, k);
        }
        Parse(_zadds, sb.ToString());
        Parse(_zadds2, sb2.ToString());
    }

    /// <summary>RedisSortedSet.Add of an existing member with a new random score.</summary>
    [Benchmark]
    public ZAddResult StorageUpdate()
    {
        int i = _i++ & (Cycle - 1);
        double score = _scores[i] + (_i >> 12);
        return _set.Add(_members[i], ref score);
    }

    /// <summary>The whole ZADD command through the dispatcher, node lock included.</summary>
    [Benchmark]
    public ExecOutcome ZAdd()
    {
        // Two cycles with different scores alternate, so every call changes its member's score.
        int i = _i++;
        return Execute((i & Cycle) == 0 ? _zadds : _zadds2, i & (Cycle - 1));
    }

    private ExecOutcome Execute(CommandBatch batch, int index)
    {
        batch.GetCommand(index, _args);
        ExecOutcome outcome;
        lock (_engine.SyncRoot) outcome = _engine.Execute(_client, _args);
        _reply.Clear();
        return outcome;
    }

    private static void AppendCommand(StringBuilder sb, params string[] args)
    {
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) sb.Append('$').Append(a.Length).Append("\r\n").Append(a).Append("\r\n");
    }

    private static void Parse(CommandBatch batch, string text)
    {
        batch.Clear();
        var status = RespParser.Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), batch, ParserLimits.Default, out _, out _);
        if (status != ParseStatus.Ok) throw new InvalidOperationException("bad benchmark input");
    }
}
