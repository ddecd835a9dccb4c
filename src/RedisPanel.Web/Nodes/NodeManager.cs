// Owns the lifecycles of every node of the process: creates them from the Nodes section of appsettings.json,
// starts them with the app (one failing node does not stop the others), and offers Stop/Start/Restart/Add/Remove.
using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Options;
using RedisPanel.Engine.Config;
using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Nodes;

/// <summary>
/// The nodes of this process. Thread-safe: the list is copy-on-write, each node serialises its own lifecycle,
/// and adding/removing is serialised here.
/// </summary>
public sealed partial class NodeManager : IHostedService, IAsyncDisposable
{
    private const int AddPortAttempts = 32;

    private readonly NodeManagerOptions _options;
    private readonly LoadConfigFile _loadConfigFile;
    private readonly string _contentRoot;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _membership = new(1, 1);
    private ImmutableList<ManagedNode> _nodes = [];
    private int _disposed;

    public NodeManager(IOptions<NodeManagerOptions> options, LoadConfigFile loadConfigFile, IHostEnvironment environment, ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _loadConfigFile = loadConfigFile;
        _contentRoot = environment.ContentRootPath;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<NodeManager>();
    }

    /// <summary>The nodes in declaration order (a snapshot; cheap to read).</summary>
    public ImmutableList<ManagedNode> Nodes => Volatile.Read(ref _nodes);

    /// <summary>Raised when a node is added or removed or changes state (from any thread; keep handlers short).</summary>
    public event Action? Changed;

    /// <summary>Creates and starts the configured nodes; failures are recorded on the node, never thrown.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _membership.WaitAsync(cancellationToken);
        try
        {
            foreach (var def in _options.Nodes) Append(Create(def));
        }
        finally
        {
            _membership.Release();
        }
        await Task.WhenAll(Nodes.Select(n => StartCoreAsync(n, cancellationToken)));
    }

    public async Task StopAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(Nodes.Select(n => n.Node?.StopAsync() ?? Task.CompletedTask)).WaitAsync(cancellationToken);

    public ManagedNode? Find(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    public Task<NodeActionResult> StartNodeAsync(string name, CancellationToken ct = default) =>
        Find(name) is { } m ? StartCoreAsync(m, ct) : Task.FromResult(Unknown(name));

    public async Task<NodeActionResult> StopNodeAsync(string name, CancellationToken ct = default)
    {
        if (Find(name) is not { } m) return Unknown(name);
        if (m.Node is not { } node) return NodeActionResult.Fail($"{name} is not running: {m.ConfigError}");
        await node.StopAsync().WaitAsync(ct);
        return NodeActionResult.Ok($"{name} stopped");
    }

    public async Task<NodeActionResult> RestartNodeAsync(string name, CancellationToken ct = default)
    {
        if (Find(name) is not { } m) return Unknown(name);
        if (m.Node is { } node) await node.StopAsync().WaitAsync(ct);
        var started = await StartCoreAsync(m, ct);
        return started.Succeeded ? NodeActionResult.Ok($"{name} restarted on {m.Node!.Options.Config.Bind[0]}:{m.Node.Port}") : started;
    }

    /// <summary>Adds a master on the first free port after the highest configured one (6379 when there is none).</summary>
    public async Task<NodeActionResult> AddNodeAsync(CancellationToken ct = default)
    {
        await _membership.WaitAsync(ct);
        try
        {
            int port = Nodes.Select(n => n.Node?.Options.Config.Port ?? n.Definition.Port ?? 0).DefaultIfEmpty(6378).Max() + 1;
            for (int attempt = 0; attempt < AddPortAttempts && port <= IPEndPoint.MaxPort; attempt++, port++)
            {
                var m = Create(new NodeDefinition { Port = port });
                var node = m.Node!;
                if (await node.StartAsync(ct))
                {
                    Append(m);
                    Log.Added(_logger, m.Name, node.Port);
                    return NodeActionResult.Ok($"{m.Name} added on {node.Options.Config.Bind[0]}:{node.Port}");
                }
                string reason = node.FailureReason ?? "unknown error";
                node.StateChanged -= OnNodeStateChanged;
                await node.DisposeAsync();
                if (!reason.Contains("in use", StringComparison.Ordinal)) return NodeActionResult.Fail(reason);
            }
            return NodeActionResult.Fail($"no free port found after {AddPortAttempts} attempts");
        }
        finally
        {
            _membership.Release();
        }
    }

    public async Task<NodeActionResult> RemoveNodeAsync(string name, CancellationToken ct = default)
    {
        ManagedNode? m;
        await _membership.WaitAsync(ct);
        try
        {
            m = Find(name);
            if (m is null) return Unknown(name);
            ImmutableInterlocked.Update(ref _nodes, list => list.Remove(m));
        }
        finally
        {
            _membership.Release();
        }
        if (m.Node is { } node)
        {
            node.StateChanged -= OnNodeStateChanged;
            await node.DisposeAsync();
        }
        Log.Removed(_logger, name);
        Changed?.Invoke();
        return NodeActionResult.Ok($"{name} removed");
    }

    private async Task<NodeActionResult> StartCoreAsync(ManagedNode m, CancellationToken ct)
    {
        if (m.Node is null)
        {
            // The config file was bad: read it again, the user may have fixed it.
            var fresh = Create(m.Definition, m.Name);
            m.Node = fresh.Node;
            m.ConfigError = fresh.ConfigError;
            m.DeclaredReplicaOf = fresh.DeclaredReplicaOf;
            Changed?.Invoke();
            if (m.Node is null) return NodeActionResult.Fail($"{m.Name}: {m.ConfigError}");
        }
        var node = m.Node;
        ReloadReplicaOf(m, node);
        if (!await node.StartAsync(ct))
        {
            Log.StartFailed(_logger, m.Name, node.FailureReason ?? "");
            return NodeActionResult.Fail($"{m.Name}: {node.FailureReason}");
        }
        // Port 0 asked the OS for a port: keep it, so Stop/Start brings the node back where clients expect it.
        node.Options.Config.Port = node.Port;
        return NodeActionResult.Ok($"{m.Name} running on {node.Options.Config.Bind[0]}:{node.Port}");
    }

    /// <summary>
    /// As redis-server reads `replicaof` from its redis.conf at every start, a REPLICAOF made at runtime is
    /// forgotten by a restart unless CONFIG REWRITE persisted it: the node starts with the file's replicaof (or the
    /// declared one), and as a master when there is none.
    /// </summary>
    private void ReloadReplicaOf(ManagedNode m, RedisNode node)
    {
        var config = node.Options.Config;
        // What the node was created with (declared inline or read from its file then).
        string? replicaOf = m.DeclaredReplicaOf;
        if (config.ConfigFile is { } path && File.Exists(path))
        {
            ServerConfig file;
            try
            {
                file = _loadConfigFile(path);
            }
            catch (Exception ex) when (ex is ConfigFileException or IOException or UnauthorizedAccessException)
            {
                return; // the start reports nothing new; the running settings stay
            }
            // The dashboard's own file (written by Persist topology) is the truth; a declared file yields to an
            // inline ReplicaOf, as at creation.
            replicaOf = m.Definition.ConfigFile is null ? file.ReplicaOf : m.Definition.ReplicaOf is { Length: > 0 } inline ? inline : file.ReplicaOf;
        }
        config.ReplicaOf = replicaOf;
        if (replicaOf is null)
            lock (node.Engine.SyncRoot)
                if (node.ReplicaLink.IsReplica) node.ReplicaLink.NoOne();
    }

    /// <summary>The redis.conf Persist topology writes for a node declared without one (in its data dir).</summary>
    private string GeneratedConfigPath(string name) => Path.GetFullPath(Path.Combine(_options.DataDirectory, name, "redis.conf"), _contentRoot);

    /// <summary>Builds the node of a definition; a config file that cannot be loaded gives an entry without a node.</summary>
    private ManagedNode Create(NodeDefinition def, string? fixedName = null)
    {
        ServerConfig config;
        string? configError = null;
        string? path = def.ConfigFile is { Length: > 0 } file ? Path.GetFullPath(file, _contentRoot) : null;
        // A node persisted by the dashboard (CONFIG REWRITE into data/<name>/redis.conf) starts from that file.
        bool generated = false;
        if (path is null && (fixedName ?? def.Name ?? (def.Port is int p and not 0 ? p.ToString() : null)) is { } early
            && File.Exists(GeneratedConfigPath(early)))
        {
            path = GeneratedConfigPath(early);
            generated = true;
        }
        if (path is not null)
        {
            try
            {
                config = _loadConfigFile(path);
                config.ConfigFile ??= path;
            }
            // A boundary: one node's bad redis.conf must not take the dashboard down. The node shows the message.
            catch (Exception ex) when (ex is ConfigFileException or IOException or UnauthorizedAccessException)
            {
                configError = ex is ConfigFileException ? ex.Message.Trim() : $"{path}: {ex.Message}";
                config = new ServerConfig();
            }
        }
        else
        {
            config = new ServerConfig();
        }
        if (def.Port is int port) config.Port = port;
        if (def.Bind is { Length: > 0 } bind) config.Bind = bind;
        if (def.ReplicaOf is { Length: > 0 } master && !generated) config.ReplicaOf = master;

        string name = fixedName ?? UniqueName(def.Name ?? (config.Port != 0 ? config.Port.ToString() : "node"));
        if (path is null)
        {
            // Like separate redis-server processes, each node gets its own working dir, so their dump.rdb files
            // (SAVE, BGSAVE, save points, SHUTDOWN) never collide. A redis.conf node keeps the file's `dir`.
            config.Dir = Path.GetFullPath(Path.Combine(_options.DataDirectory, name), _contentRoot);
            Directory.CreateDirectory(config.Dir);
        }
        if (configError is not null)
        {
            Log.ConfigRejected(_logger, name, configError);
            return new ManagedNode(name, def, null, configError);
        }
        // The node creates its own socket listener: it must bind and release ports while the app runs,
        // which Kestrel's configured endpoints cannot do.
        var node = new RedisNode(new NodeOptions { Name = name, Config = config }, _loggerFactory);
        node.StateChanged += OnNodeStateChanged;
        return new ManagedNode(name, def, node, null) { DeclaredReplicaOf = config.ReplicaOf };
    }

    private string UniqueName(string wanted)
    {
        var taken = Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        if (!taken.Contains(wanted)) return wanted;
        for (int i = 2; ; i++)
            if (!taken.Contains($"{wanted}-{i}")) return $"{wanted}-{i}";
    }

    private void Append(ManagedNode m)
    {
        ImmutableInterlocked.Update(ref _nodes, list => list.Add(m));
        Changed?.Invoke();
    }

    private void OnNodeStateChanged(RedisNode node) => Changed?.Invoke();

    private static NodeActionResult Unknown(string name) => NodeActionResult.Fail($"no node named '{name}'");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var m in Nodes)
        {
            if (m.Node is not { } node) continue;
            node.StateChanged -= OnNodeStateChanged;
            await node.DisposeAsync();
        }
        _membership.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "[{Node}] could not start: {Reason}")]
        public static partial void StartFailed(ILogger logger, string node, string reason);

        [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "[{Node}] config file rejected: {Reason}")]
        public static partial void ConfigRejected(ILogger logger, string node, string reason);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "[{Node}] added on port {Port}")]
        public static partial void Added(ILogger logger, string node, int port);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "[{Node}] removed")]
        public static partial void Removed(ILogger logger, string node);
    }
}
