using RedisPanel.Engine;
using RedisPanel.Node;
using RedisPanel.Replication;
using RedisPanel.Storage;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Nodes;

/// <summary>
/// One entry of the <see cref="NodeManager"/>: the node (or why it could not be created) and how it was declared.
/// Only the manager changes it; the feed reads it through <see cref="Sample"/>.
/// </summary>
public sealed class ManagedNode
{
    // Per-key overhead beyond key and value bytes (table entry, slot, expiry bookkeeping), the same order of
    // magnitude as Redis's dictEntry + robj + sds headers.
    private const long PerKeyOverheadBytes = 64;
    // Above this many keys the memory estimate extrapolates from a sample, so a dashboard refresh never walks
    // a large keyspace under the node lock.
    private const int MemorySampleSize = 1000;

    internal ManagedNode(string name, NodeDefinition definition, RedisNode? node, string? configError)
    {
        Name = name;
        Definition = definition;
        Node = node;
        ConfigError = configError;
    }

    public string Name { get; }
    public NodeDefinition Definition { get; }

    /// <summary>The node, or null when its config file could not be loaded (<see cref="ConfigError"/> says why).</summary>
    internal RedisNode? Node { get; set; }
    internal string? ConfigError { get; set; }

    /// <summary>The replicaof the node was created with (inline or from its file): a restart without a persisted
    /// config file comes back to it.</summary>
    internal string? DeclaredReplicaOf { get; set; }

    /// <summary>Reads what the dashboard shows; takes the node's lock briefly.</summary>
    internal NodeViewModel Sample()
    {
        var node = Node;
        if (node is null)
        {
            return new NodeViewModel(Name, Definition.Bind?.FirstOrDefault() ?? "127.0.0.1", Definition.Port ?? 0, NodeState.Failed,
                ConfigError, Definition.ReplicaOf is null ? NodeRole.Master : NodeRole.ReplicaPending, FormatMaster(Definition.ReplicaOf),
                0, 0, 0, 0, 0, Definition.ConfigFile, ReplicationView.Empty);
        }
        var state = node.State;
        var engine = node.Engine;
        var config = node.Options.Config;
        bool running = state == NodeState.Running;
        long keys, memory, ops, commands;
        int clients;
        string? replicaOf;
        bool linkUp, loading;
        string? replicationInfo;
        lock (engine.SyncRoot)
        {
            // The node's own INFO replication text, parsed below by the same parser as an external node's INFO.
            replicationInfo = running ? node.Replication.InfoSection() : null;
            loading = running && engine.Loading;
            keys = engine.Keyspace.TotalKeys();
            memory = EstimateDatasetBytes(engine.Keyspace);
            // As INFO's connected_clients: replicas attached to this node are not clients (MONITORs are).
            clients = running ? engine.Clients.Values.Count(c => !c.Has(ClientFlags.Replica) || c.Has(ClientFlags.Monitor)) : 0;
            // The cron samples ops/sec; it does not run while stopped, so its last average would linger.
            ops = running ? engine.Stats.InstantaneousOpsPerSec : 0;
            commands = engine.Stats.TotalCommandsProcessed;
            // The live replication state (REPLICAOF at runtime changes it), not only what the config declared.
            var link = node.ReplicaLink;
            replicaOf = !running ? config.ReplicaOf : link.IsReplica ? $"{link.MasterHost} {link.MasterPort}" : null;
            linkUp = running && link.State == MasterLinkState.Connected;
        }
        var role = replicaOf is null ? NodeRole.Master : linkUp ? NodeRole.Replica : NodeRole.ReplicaPending;
        int port = running ? node.Port : config.Port;
        return new NodeViewModel(Name, config.Bind.FirstOrDefault()?.TrimStart('-') ?? "127.0.0.1", port, state,
            state == NodeState.Failed ? node.FailureReason : null, role, FormatMaster(replicaOf),
            keys, clients, ops, memory, commands, config.ConfigFile,
            replicationInfo is null ? ReplicationView.Empty : InfoReplicationParser.Parse(replicationInfo), External: false, Loading: loading);
    }

    /// <summary>"host port" (Redis's replicaof syntax) as "host:port".</summary>
    private static string? FormatMaster(string? replicaOf) =>
        replicaOf?.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) switch
        {
            [var host, var port] => $"{host}:{port.Trim()}",
            null => null,
            _ => replicaOf,
        };

    // TODO(info-memory): use the engine's used_memory once INFO memory lands; until then an estimate of the dataset.
    private static long EstimateDatasetBytes(Keyspace keyspace)
    {
        long total = 0;
        for (int i = 0; i < keyspace.DatabaseCount; i++)
        {
            var db = keyspace[i];
            int count = db.Count;
            if (count == 0) continue;
            long sampled = 0, bytes = 0;
            foreach (var (key, slot) in db.Main.Entries())
            {
                bytes += key.Length + PerKeyOverheadBytes + ValueBytes(slot.Value);
                if (++sampled == MemorySampleSize) break;
            }
            total += sampled == count ? bytes : bytes * count / Math.Max(1, sampled);
        }
        return total;
    }

    private static long ValueBytes(object value) => value switch
    {
        byte[] b => b.Length + 24,
        MutableString s => s.Buffer.Length + 40,
        RedisCollection c => c.EstimateBytes(),
        _ => 16,
    };
}
