using System.Collections.Immutable;

namespace RedisPanel.Web.Topology;

/// <summary>
/// The dashboard's one door to the nodes: a snapshot plus a stream of change batches (coalesced and throttled to a
/// few per second), and the actions. Components hold this, never a node. Thread-safe.
/// </summary>
public interface ITopologyClient
{
    /// <summary>
    /// The current nodes and every later change. Changes are registered before this returns, so nothing is lost
    /// between the snapshot and the first batch. The stream ends (OperationCanceledException) when
    /// <paramref name="ct"/> is cancelled; a slow reader gets the changes merged, never dropped.
    /// </summary>
    TopologySubscription Subscribe(CancellationToken ct);

    Task<NodeActionResult> StartNodeAsync(string name, CancellationToken ct = default);
    Task<NodeActionResult> StopNodeAsync(string name, CancellationToken ct = default);
    Task<NodeActionResult> RestartNodeAsync(string name, CancellationToken ct = default);

    /// <summary>Adds and starts a master on the next free port after the highest one in use.</summary>
    Task<NodeActionResult> AddNodeAsync(CancellationToken ct = default);

    /// <summary>Stops a node and forgets it (its data is dropped). An external node is only forgotten.</summary>
    Task<NodeActionResult> RemoveNodeAsync(string name, CancellationToken ct = default);

    // ---- rewiring (every action is recorded in the event log with its result; progress texts go to progress) ----

    /// <summary>REPLICAOF: <paramref name="name"/> starts replicating from <paramref name="masterName"/>.</summary>
    Task<NodeActionResult> ReplicaOfAsync(string name, string masterName, IProgress<string>? progress = null, CancellationToken ct = default);

    /// <summary>
    /// REPLICAOF NO ONE on a replica; with <paramref name="repointSiblings"/> its former siblings (the other replicas
    /// of its master) are pointed at it, so they continue with a partial resync.
    /// </summary>
    Task<NodeActionResult> PromoteAsync(string name, bool repointSiblings, IProgress<string>? progress = null, CancellationToken ct = default);

    /// <summary>Coordinated switchover (FAILOVER TO this replica on its master): waits for it to catch up, loses nothing.</summary>
    Task<NodeActionResult> SwitchoverAsync(string name, IProgress<string>? progress = null, CancellationToken ct = default);

    /// <summary>REPLICAOF NO ONE without touching any other node.</summary>
    Task<NodeActionResult> DetachAsync(string name, CancellationToken ct = default);

    /// <summary>A fault drill: the replica's link to its master is cut and kept down for <paramref name="duration"/>, then heals.</summary>
    Task<NodeActionResult> CutLinkAsync(string name, TimeSpan duration, CancellationToken ct = default);

    /// <summary>CONFIG REWRITE on every running node, so the current topology survives restarts.</summary>
    Task<NodeActionResult> PersistTopologyAsync(IProgress<string>? progress = null, CancellationToken ct = default);

    /// <summary>Monitors (and lets the operator rewire) a server this process does not host, over RESP.</summary>
    Task<NodeActionResult> AttachExternalAsync(string host, int port, string? password, CancellationToken ct = default);

    /// <summary>Runs one command line (redis-cli quoting rules) on a node and formats the reply as redis-cli does.</summary>
    Task<ConsoleReply> ExecuteAsync(string name, string commandLine, CancellationToken ct = default);

    // ---- what the charts and the event log read ----

    /// <summary>The recent history of a node (oldest first, about one sample per second, bounded).</summary>
    IReadOnlyList<NodeSample> GetHistory(string name);

    /// <summary>True when the dashboard was started read-only: every mutating action above is refused.</summary>
    bool IsReadOnly { get; }
}

/// <param name="Snapshot">Nodes in declaration order.</param>
/// <param name="RecentEvents">The event log so far (oldest first, bounded).</param>
/// <param name="Changes">Batches after the snapshot: node changes (at most one per node) and new events.</param>
public sealed record TopologySubscription(
    ImmutableArray<NodeViewModel> Snapshot,
    ImmutableArray<TopologyEvent> RecentEvents,
    IAsyncEnumerable<TopologyBatch> Changes);

/// <summary>One throttled update of the feed.</summary>
public sealed record TopologyBatch(IReadOnlyList<NodeChange> Nodes, IReadOnlyList<TopologyEvent> Events);
