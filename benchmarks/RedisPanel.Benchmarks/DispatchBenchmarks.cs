// Dispatcher cost of one command through the engine (lookup, checks, handler, stats), as the connection runs it:
// node lock taken, reply written to the client's writer. GET on the fast path must allocate nothing.
using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using RedisPanel.Engine;
using RedisPanel.Engine.Config;
using RedisPanel.Protocol;

namespace RedisPanel.Benchmarks;

[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private const int Keys = 100_000;
    private const int Cycle = 4096;
    private RedisEngine _engine = null!;
    private ClientSession _client = null!;
    private readonly ReplyBuffer _reply = new(64 * 1024);
    private readonly CommandBatch _gets = new();
    private readonly CommandBatch _sets = new();
    private readonly CommandBatch _ping = new();
    private readonly ArgList _args = new();
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new RedisEngine(new ServerConfig(), randomSeed: 1);
        _client = _engine.CreateClient("127.0.0.1:50000", "127.0.0.1:6379");
        _engine.Clients.Add(_client.Id, _client);
        _client.Writer.Redirect(_reply);
        string value = new('x', 64);
        // Fill 100k keys like compare.sh (-r 100000), then cycle GET/SET over keys spread across the table.
        var fill = new CommandBatch();
        for (int start = 0; start < Keys; start += 1000)
        {
            var sb = new StringBuilder();
            for (int k = start; k < start + 1000; k++) AppendCommand(sb, "SET", Key(k), value);
            Run(fill, sb.ToString(), all: true);
        }
        var gets = new StringBuilder();
        var sets = new StringBuilder();
        for (int i = 0; i < Cycle; i++)
        {
            string key = Key((int)((i * 2654435761L) % Keys));
            AppendCommand(gets, "GET", key);
            AppendCommand(sets, "SET", key, value);
        }
        Parse(_gets, gets.ToString());
        Parse(_sets, sets.ToString());
        Parse(_ping, "*1\r\n$4\r\nPING\r\n");
    }

    [Benchmark(Baseline = true)]
    public ExecOutcome Get() => Execute(_gets, _i++ & (Cycle - 1));

    [Benchmark]
    public ExecOutcome Set() => Execute(_sets, _i++ & (Cycle - 1));

    [Benchmark]
    public ExecOutcome Ping() => Execute(_ping, 0);

    /// <summary>16 GETs under one lock hold, as a connection runs a pipelined read (reported per command).</summary>
    [Benchmark(OperationsPerInvoke = 16)]
    public ExecOutcome GetPipelined16()
    {
        int first = (_i += 16) & (Cycle - 1);
        var outcome = ExecOutcome.Continue;
        lock (_engine.SyncRoot)
        {
            _engine.BeginBatch();
            for (int k = 0; k < 16; k++)
            {
                _gets.GetCommand(first + k, _args);
                outcome = _engine.Execute(_client, _args);
            }
            _engine.EndBatch();
        }
        _reply.Clear();
        return outcome;
    }

    private ExecOutcome Execute(CommandBatch batch, int index)
    {
        batch.GetCommand(index, _args);
        ExecOutcome outcome;
        lock (_engine.SyncRoot) outcome = _engine.Execute(_client, _args);
        _reply.Clear();
        return outcome;
    }

    private static string Key(int k) => $"k64:{k:D12}";

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

    private void Run(CommandBatch batch, string text, bool all)
    {
        Parse(batch, text);
        for (int i = 0; i < batch.Count && all; i++) Execute(batch, i);
    }
}
