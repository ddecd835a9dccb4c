// A node: one Redis-compatible server (engine + listener + cron) that can be started, stopped and restarted
// while the hosting process runs. Several nodes live in one process; nothing here is static.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedisPanel.Engine;
using RedisPanel.Engine.Commands;
using RedisPanel.Node.Transport;
using RedisPanel.Replication;

namespace RedisPanel.Node;

public sealed partial class RedisNode : IAsyncDisposable
{
    private const string ProtectedModeError =
        "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

    private readonly IConnectionListenerFactory _listenerFactory;
    private readonly SocketListenerFactory? _ownedListenerFactory;
    private readonly List<IConnectionListener> _listeners = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly ConcurrentDictionary<long, (RespConnection Conn, Task Run)> _connections = new();
    private CancellationTokenSource? _cronStop;
    private Task? _cron;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);

    public RedisNode(NodeOptions options, ILoggerFactory? loggerFactory = null, IConnectionListenerFactory? listenerFactory = null)
    {
        Options = options;
        Name = options.Name;
        var lf = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = lf.CreateLogger("RedisPanel.Node");
        // The node's own socket transport (Transport/): Kestrel's socket transport reads into 4 KB blocks, so a
        // pipelined batch of 1 KB values took five recv calls; ours grows to 32 KB blocks, runs the pipes inline (a
        // request is read, executed and answered on the thread that completed the receive, as in Redis's event
        // loop) and never pauses input at a size (the node enforces client-query-buffer-limit). See
        // docs/benchmarks.md.
        if (listenerFactory is null)
        {
            var own = new SocketListenerFactory();
            _ownedListenerFactory = own;
            listenerFactory = own;
        }
        _listenerFactory = listenerFactory;
        Engine = CreateEngine();
    }

    public string Name { get; }
    public NodeOptions Options { get; }
    public RedisEngine Engine { get; private set; }

    /// <summary>The master side of replication (replicas, backlog, replid/offset).</summary>
    public ReplicationMaster Replication { get; private set; } = null!;

    /// <summary>The replica side of replication (REPLICAOF).</summary>
    public ReplicationReplica ReplicaLink { get; private set; } = null!;

    /// <summary>The node gives the replication layer its socket to a master.</summary>
    private static async Task<Stream> ConnectToMasterAsync(string host, int port, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
    internal ILogger Logger { get; }
    public NodeState State { get; private set; } = NodeState.Stopped;
    public string? FailureReason { get; private set; }

    /// <summary>The bound port (differs from the configured one when that was 0).</summary>
    public int Port { get; private set; }

    /// <summary>Raised when <see cref="State"/> changes.</summary>
    public event Action<RedisNode>? StateChanged;

    private RedisEngine CreateEngine()
    {
        var engine = new RedisEngine(Options.Config, Options.Time, Options.RandomSeed);
        // The replication layer plugs into the engine's hooks: backlog sink, INFO section, cron, its commands.
        Replication = new ReplicationMaster(engine);
        ReplicaLink = new ReplicationReplica(engine, Replication, ConnectToMasterAsync) { BeforeConnect = WaitDatasetLoadedAsync };
        ReplicationCommands.Register(engine.Table, Replication, ReplicaLink);
        ReplicaLink.LinkUp += partial => NodeLog.ReplicaLinkUp(Logger, Name, partial ? "partial resync" : "full sync");
        ReplicaLink.LinkLost += reason => NodeLog.ReplicaLinkLost(Logger, Name, reason);
        Replication.Event += e => ReplicationEvent?.Invoke(this, e);
        Replication.SyncFailed += ex => NodeLog.ReplicaSyncFailed(Logger, ex, Name);
        Replication.Log += (warning, text) =>
        {
            if (warning) NodeLog.ReplicationWarning(Logger, Name, text);
            else NodeLog.ReplicationNotice(Logger, Name, text);
        };
        Replication.ReplicaOnline += (link, partial) =>
            NodeLog.ReplicaOnline(Logger, Name, $"{link.Ip}:{link.ListeningPort}", partial ? "partial resync" : "full sync");
        // SHUTDOWN: Redis's process exits; a node stops (off the node lock, which the command holds) and tells its host.
        engine.ShutdownRequested += flags => _ = Task.Run(async () =>
        {
            await StopAsync();
            ShutdownRequested?.Invoke(this, flags);
        });
        // INFO is built under the node lock; its first call JIT-compiles the generator and every section (~5 ms
        // here), which every other client would see as a stall, e.g. the first INFO a monitor sends during a BGSAVE.
        // Building it once now, before any client connects, moves that cost to startup.
        lock (engine.SyncRoot) InfoCommand.Generate(engine, new HashSet<string>(StringComparer.OrdinalIgnoreCase), all: true);
        return engine;
    }

    /// <summary>
    /// Every replication event of this node (sync started/finished full or partial, link down, promotion, replicas
    /// served ...). Raised on the thread that made it happen, often under the node's lock: keep handlers short.
    /// Survives restarts (the engine is recreated; this event is the node's).
    /// </summary>
    public event Action<RedisNode, ReplicationEvent>? ReplicationEvent;

    /// <summary>Raised after the node stopped because a client sent SHUTDOWN (a process host exits then).</summary>
    public event Action<RedisNode, ShutdownFlags>? ShutdownRequested;

    /// <summary>
    /// Binds the listeners and starts serving. A failure (port in use ...) leaves the node <see cref="NodeState.Failed"/>
    /// with <see cref="FailureReason"/> set, and is returned as false rather than thrown.
    /// </summary>
    public async Task<bool> StartAsync(CancellationToken ct = default)
    {
        await _lifecycle.WaitAsync(ct);
        try
        {
            if (State == NodeState.Running) return true;
            SetState(NodeState.Starting, null);
            var config = Options.Config;
            int port = config.Port;
            try
            {
                foreach (var addr in config.Bind)
                {
                    string host = addr.TrimStart('-'); // "-::1" means optional in Redis
                    // "*" and "::*" are Redis's wildcards for every IPv4 / IPv6 interface.
                    IPAddress? ip = host switch { "*" => IPAddress.Any, "::*" => IPAddress.IPv6Any, _ => null };
                    if (ip is null && !IPAddress.TryParse(host, out ip))
                        ip = host == "localhost" ? IPAddress.Loopback : (await Dns.GetHostAddressesAsync(host, ct))[0];
                    IConnectionListener listener;
                    try
                    {
                        listener = await _listenerFactory.BindAsync(new IPEndPoint(ip, port), ct);
                    }
                    catch (Exception ex) when (addr.StartsWith('-') && ex is SocketException or IOException)
                    {
                        continue; // optional address not available
                    }
                    _listeners.Add(listener);
                    port = ((IPEndPoint)listener.EndPoint).Port; // keep every address on one port when 0 was asked
                }
                if (_listeners.Count == 0) throw new IOException("no bind address could be used");
            }
            catch (Exception ex) when (ex is IOException or SocketException or AddressInUseException)
            {
                string endpoint = $"{string.Join(' ', config.Bind)}:{config.Port}";
                string reason = ex is AddressInUseException || ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                    ? "bind: Address already in use" : ex.Message;
                NodeLog.BindFailed(Logger, Name, endpoint, reason);
                await UnbindAllAsync();
                SetState(NodeState.Failed, $"Could not create server TCP listening socket {endpoint}: {reason}");
                return false;
            }
            Port = port;
            Engine.TcpPort = port;
            foreach (var l in _listeners)
            {
                _acceptLoops.Add(AcceptLoopAsync(l));
                NodeLog.Listening(Logger, Name, l.EndPoint.ToString()!);
            }
            // `replicaof <host> <port>` from the config file: the node is a replica while it loads (it keeps expired
            // keys, and the dump's history becomes its cached master); the link connects once the load is done.
            if (config.ReplicaOf?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var masterHost, var p] && int.TryParse(p, out int masterPort))
                lock (Engine.SyncRoot) ReplicaLink.ReplicaOf(masterHost, masterPort, fromConfig: true);
            BeginLoadingDataset(); // RedisNode.Persistence.cs: -LOADING until the dump is in
            _cronStop = new CancellationTokenSource();
            _cron = CronAsync(_cronStop.Token);
            SetState(NodeState.Running, null);
            return true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops listening, closes every connection and the cron. The dataset stays in memory.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (State is NodeState.Stopped or NodeState.Failed) return;
            SetState(NodeState.Stopping, null);
            _cronStop?.Cancel();
            await ReplicaLink.StopAsync();
            await UnbindAllAsync();
            foreach (var (conn, _) in _connections.Values) conn.Abort();
            await Task.WhenAll(_connections.Values.Select(c => c.Run)).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_cron is not null) await _cron.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _cron = null;
            SetState(NodeState.Stopped, null);
            NodeLog.Stopped(Logger, Name);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task UnbindAllAsync()
    {
        foreach (var l in _listeners) await l.UnbindAsync();
        await Task.WhenAll(_acceptLoops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var l in _listeners) await l.DisposeAsync();
        _listeners.Clear();
        _acceptLoops.Clear();
    }

    private void SetState(NodeState state, string? reason)
    {
        State = state;
        FailureReason = reason;
        StateChanged?.Invoke(this);
    }

    private async Task AcceptLoopAsync(IConnectionListener listener)
    {
        while (true)
        {
            ConnectionContext? conn;
            try
            {
                conn = await listener.AcceptAsync();
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (conn is null) return;
            Accept(conn);
        }
    }

    private void Accept(ConnectionContext conn)
    {
        string remote = FormatEndpoint(conn.RemoteEndPoint);
        string local = FormatEndpoint(conn.LocalEndPoint);
        var engine = Engine;
        ClientSession session;
        string? refusal = null;
        lock (engine.SyncRoot)
        {
            engine.Stats.TotalConnectionsReceived++;
            session = engine.CreateClient(remote, local);
            if (engine.Clients.Count >= engine.Config.MaxClients) refusal = "-ERR max number of clients reached\r\n";
            else if (engine.Config.ProtectedMode && engine.Config.RequirePass.Length == 0 && !IsLoopback(conn.RemoteEndPoint))
                refusal = ProtectedModeError;
            if (refusal is null) engine.Clients.Add(session.Id, session);
            else engine.Stats.RejectedConnections++;
        }
        if (refusal is not null)
        {
            _ = RefuseAsync(conn, refusal);
            return;
        }
        NodeLog.Accepted(Logger, Name, session.Id, remote);
        var rc = new RespConnection(this, conn, session);
        var run = Task.Run(rc.RunAsync);
        _connections[session.Id] = (rc, run);
    }

    private static async Task RefuseAsync(ConnectionContext conn, string error)
    {
        try
        {
            await conn.Transport.Output.WriteAsync(System.Text.Encoding.ASCII.GetBytes(error));
            await conn.Transport.Output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException or InvalidOperationException) { }
        await conn.DisposeAsync();
    }

    internal void OnConnectionClosed(RespConnection conn)
    {
        var engine = Engine;
        lock (engine.SyncRoot)
        {
            engine.OnClientClosed(conn.Session);
        }
        _connections.TryRemove(conn.Session.Id, out _);
        NodeLog.Closed(Logger, Name, conn.Session.Id);
    }

    private async Task CronAsync(CancellationToken ct)
    {
        // Redis's serverCron at hz (default 10): active expiry, ops/sec sampling, idle client timeouts.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / Math.Clamp(Engine.Config.Hz, 1, 500)));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                // CONFIG SET hz takes effect from the next tick (Redis's updateHZ changes server.hz at once).
                var period = TimeSpan.FromMilliseconds(1000.0 / Math.Clamp(Engine.Config.Hz, 1, 500));
                if (timer.Period != period) timer.Period = period;
                try
                {
                    Engine.Cron();
                }
                catch (Exception ex)
                {
                    NodeLog.CronFailed(Logger, ex, Name);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private static bool IsLoopback(EndPoint? ep) => ep is IPEndPoint ip && IPAddress.IsLoopback(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address);

    private static string FormatEndpoint(EndPoint? ep) => ep switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => $"{ip.Address.MapToIPv4()}:{ip.Port}",
        IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6 => $"{ip.Address}:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        null => "?:0",
        _ => ep.ToString() ?? "?:0",
    };

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lock (Engine.SyncRoot) Engine.CloseAppendOnly(); // flush and fsync the AOF, as Redis does on exit
        _ownedListenerFactory?.Dispose();
        _lifecycle.Dispose();
    }
}
