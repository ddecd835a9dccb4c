using System.Text;
using RedisPanel.Engine.Config;
using RedisPanel.Protocol;

namespace RedisPanel.Engine.Tests;

/// <summary>
/// Runs commands against an engine in memory (no sockets) and returns the raw RESP reply, so tests can assert
/// the exact bytes a client would receive.
/// </summary>
public sealed class EngineHarness
{
    public EngineHarness(ServerConfig? config = null, ManualClock? clock = null)
    {
        Clock = clock ?? new ManualClock();
        Engine = new RedisEngine(config ?? new ServerConfig(), Clock, randomSeed: 1);
        Client = NewClient();
    }

    public ManualClock Clock { get; }
    public RedisEngine Engine { get; }
    public ClientSession Client { get; }

    public ClientSession NewClient()
    {
        lock (Engine.SyncRoot)
        {
            var c = Engine.CreateClient("127.0.0.1:50000", "127.0.0.1:6379");
            Engine.Clients.Add(c.Id, c);
            return c;
        }
    }

    /// <summary>Runs one command (arguments as UTF-8 strings) and returns the reply as RESP text.</summary>
    public string Run(params string[] args) => Run(Client, args);

    public string Run(ClientSession client, params string[] args) =>
        RunBytes(client, args.Select(a => Encoding.UTF8.GetBytes(a)).ToArray());

    public string RunBytes(ClientSession client, byte[][] args)
    {
        lock (Engine.SyncRoot)
        {
            Engine.Execute(client, args);
            return TakeOutput(client);
        }
    }

    /// <summary>Output written to a client outside its own command (pub/sub, unblocking).</summary>
    public string TakeOutput(ClientSession client)
    {
        lock (Engine.SyncRoot)
        {
            var buf = client.TakeOutput();
            if (buf is null) return "";
            string s = Encoding.UTF8.GetString(buf.WrittenSpan);
            client.ReturnOutput(buf);
            return s;
        }
    }

    /// <summary>Collects everything propagated to replicas/AOF as RESP text.</summary>
    public sealed class PropagationLog : IPropagationSink
    {
        public List<(int Db, string Command)> Commands { get; } = new();
        public void Propagate(int db, ReadOnlySpan<byte> command) => Commands.Add((db, Encoding.UTF8.GetString(command)));
    }

    public PropagationLog CapturePropagation()
    {
        var log = new PropagationLog();
        Engine.AddPropagationSink(log);
        return log;
    }
}
