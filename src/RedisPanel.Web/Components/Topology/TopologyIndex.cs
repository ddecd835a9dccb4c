// Who replicates from whom, derived from the nodes' own INFO replication (never from configuration alone):
// a replica's master is the node whose endpoint equals the replica's master_host:master_port.
using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Components.Topology;

/// <summary>
/// A read-only index over one set of <see cref="NodeViewModel"/>s: endpoint lookups, masters, replicas, chains,
/// and the replication numbers derived from two nodes (lag, unreceived bytes). Pure; rebuilt per render.
/// </summary>
public sealed class TopologyIndex
{
    /// <summary>Walks up a chain at most this far (a chain longer than the node count is a cycle).</summary>
    private readonly int _maxHops;
    private readonly Dictionary<string, NodeViewModel> _byEndpoint = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, NodeViewModel> _byName = new(StringComparer.Ordinal);

    public TopologyIndex(IReadOnlyList<NodeViewModel> nodes)
    {
        Nodes = nodes;
        _maxHops = nodes.Count + 1;
        foreach (var node in nodes)
        {
            _byName.TryAdd(node.Name, node);
            _byEndpoint.TryAdd(NormalizeEndpoint(node.Endpoint), node);
        }
    }

    public IReadOnlyList<NodeViewModel> Nodes { get; }

    public NodeViewModel? Find(string name) => _byName.GetValueOrDefault(name);

    public NodeViewModel? ByEndpoint(string endpoint) => _byEndpoint.GetValueOrDefault(NormalizeEndpoint(endpoint));

    /// <summary>A replica in the dashboard's sense: it follows (or is meant to follow) a master.</summary>
    public static bool IsReplica(NodeViewModel node) => node.Role != NodeRole.Master && MasterEndpointOf(node) is not null;

    /// <summary>master_host:master_port from INFO when the node reports it, else the configured master.</summary>
    public static string? MasterEndpointOf(NodeViewModel node) =>
        node.Role == NodeRole.Master ? null : node.Replication?.Link?.MasterEndpoint ?? node.MasterAddress;

    /// <summary>The node this one replicates from, when it is one of ours (null for a master or an unknown master).</summary>
    public NodeViewModel? MasterOf(NodeViewModel node) =>
        MasterEndpointOf(node) is { } endpoint ? ByEndpoint(endpoint) : null;

    /// <summary>The direct replicas of <paramref name="master"/>, in declaration order.</summary>
    public IEnumerable<NodeViewModel> ReplicasOf(NodeViewModel master) =>
        Nodes.Where(n => n.Name != master.Name && IsReplica(n) && MasterOf(n)?.Name == master.Name);

    /// <summary>True when the node's master is itself a replica (the node is the second link of a chain).</summary>
    public bool IsReplicaOfReplica(NodeViewModel node) => MasterOf(node) is { } master && IsReplica(master);

    /// <summary>
    /// The masters above <paramref name="node"/>, nearest first (empty for a master). Stops at an unknown master
    /// and before repeating a node, so a cycle (possible for a moment while nodes are rewired) ends the walk.
    /// </summary>
    public IReadOnlyList<NodeViewModel> Upstream(NodeViewModel node)
    {
        var chain = new List<NodeViewModel>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { node.Name };
        var current = node;
        for (int hop = 0; hop < _maxHops && MasterOf(current) is { } master && seen.Add(master.Name); hop++)
        {
            chain.Add(master);
            current = master;
        }
        return chain;
    }

    /// <summary>True when <paramref name="node"/> replicates from <paramref name="ancestor"/>, directly or through a chain.</summary>
    public bool ReplicatesFrom(NodeViewModel node, NodeViewModel ancestor) => Upstream(node).Any(m => m.Name == ancestor.Name);

    /// <summary>The slaveN line the replica's master reports for it (matched by endpoint, else by port alone).</summary>
    public ReplicaEntry? EntryOnMaster(NodeViewModel replica)
    {
        if (MasterOf(replica)?.Replication is not { } masterRepl) return null;
        string endpoint = NormalizeEndpoint(replica.Endpoint);
        return masterRepl.Replicas.FirstOrDefault(e => string.Equals(NormalizeEndpoint(e.Endpoint), endpoint, StringComparison.OrdinalIgnoreCase))
            ?? (masterRepl.Replicas.Count(e => e.Port == replica.Port) == 1 ? masterRepl.Replicas.First(e => e.Port == replica.Port) : null);
    }

    /// <summary>
    /// Lag in bytes as the master sees it: its master_repl_offset minus the offset the replica last acknowledged
    /// (the slaveN offset field, refreshed by REPLCONF ACK about once a second).
    /// </summary>
    public long? AckLagBytes(NodeViewModel replica) =>
        EntryOnMaster(replica) is { } entry && MasterOf(replica)?.Replication is { } masterRepl
            ? Math.Max(0, masterRepl.MasterReplOffset - entry.Offset)
            : null;

    /// <summary>
    /// Bytes of writes the master has and the replica has not applied: master_repl_offset − slave_repl_offset.
    /// Null when either side is unknown (master not ours or not running, replica not running).
    /// </summary>
    public long? UnreceivedBytes(NodeViewModel replica)
    {
        if (replica.Replication?.Link is not { } link) return null;
        if (MasterOf(replica) is not { State: NodeState.Running, Replication: { } masterRepl }) return null;
        return Math.Max(0, masterRepl.MasterReplOffset - link.ReplicaOffset);
    }

    /// <summary>"localhost" and "127.0.0.1" name the same node; ports compare as numbers.</summary>
    public static string NormalizeEndpoint(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0) return endpoint.ToLowerInvariant();
        string host = endpoint[..colon].Trim('[', ']').ToLowerInvariant();
        if (host is "localhost" or "::1") host = "127.0.0.1";
        return int.TryParse(endpoint.AsSpan(colon + 1), out int port) ? $"{host}:{port}" : $"{host}:{endpoint[(colon + 1)..]}";
    }
}
