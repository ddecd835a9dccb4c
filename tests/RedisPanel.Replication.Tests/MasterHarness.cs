// An engine with the replication layer wired as a node wires it, driven in memory: clients are ClientSessions,
// replies are read from their output buffers, time is a manual clock.
using System.Text;
using RedisPanel.Engine;
using RedisPanel.Engine.Config;

namespace RedisPanel.Replication.Tests;

public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _timestamp;
    public override DateTimeOffset GetUtcNow() => _now;
    public override long GetTimestamp() => _timestamp;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        _now += by;
        _timestamp += by.Ticks;
    }
}

public sealed class MasterHarness
{
    public MasterHarness(Action<ServerConfig>? configure = null, MasterConnector? connector = null)
    {
        var config = new ServerConfig();
        configure?.Invoke(config);
        Engine = new RedisEngine(config, Clock, randomSeed: 1);
        Master = new ReplicationMaster(Engine);
        if (connector is not null) Replica = new ReplicationReplica(Engine, Master, connector);
        ReplicationCommands.Register(Engine.Table, Master, Replica);
        Client = NewClient();
    }

    public ManualClock Clock { get; } = new();
    public RedisEngine Engine { get; }
    public ReplicationMaster Master { get; }
    public ClientSession Client { get; }
    public ReplicationReplica? Replica { get; }

    private int _port = 40000;

    public ClientSession NewClient()
    {
        var c = Engine.CreateClient($"127.0.0.1:{_port++}", "127.0.0.1:6379");
        lock (Engine.SyncRoot) Engine.Clients[c.Id] = c;
        return c;
    }

    /// <summary>
    /// Runs a command as a connection's batch of one (BeginBatch/EndBatch, as RespConnection: what replication
    /// defers to the batch's end, the GETACK of a WAIT, happens) and returns the client's output afterwards.
    /// </summary>
    public string Run(ClientSession c, params string[] args)
    {
        lock (Engine.SyncRoot)
        {
            Engine.BeginBatch();
            try
            {
                Engine.Execute(c, args.Select(Encoding.Latin1.GetBytes).ToArray());
            }
            finally
            {
                Engine.EndBatch();
            }
            return Take(c);
        }
    }

    public string Run(params string[] args) => Run(Client, args);

    public string Take(ClientSession c)
    {
        lock (Engine.SyncRoot)
        {
            var buf = c.TakeOutput();
            if (buf is null) return "";
            string s = Encoding.Latin1.GetString(buf.WrittenSpan);
            c.ReturnOutput(buf);
            return s;
        }
    }

    public void Disconnect(ClientSession c)
    {
        lock (Engine.SyncRoot) Engine.OnClientClosed(c);
    }

    /// <summary>Collects a replica's output until <paramref name="done"/> holds (bounded by a deadline).</summary>
    public string ReadUntil(ClientSession c, StringBuilder sofar, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            sofar.Append(Take(c));
            string s = sofar.ToString();
            if (done(s)) return s;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("replica output so far: " + s);
            Thread.Yield();
        }
    }

    public static string Cmd(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) sb.Append('$').Append(Encoding.Latin1.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        return sb.ToString();
    }
}
