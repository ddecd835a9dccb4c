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

    /// <summary>Stops a node and forgets it (its data is dropped).</summary>
    Task<NodeActionResult> RemoveNodeAsync(string name, CancellationToken ct = default);
}

/// <param name="Snapshot">Nodes in declaration order.</param>
/// <param name="Changes">Batches of changes after the snapshot; each batch holds at most one change per node.</param>
public sealed record TopologySubscription(ImmutableArray<NodeViewModel> Snapshot, IAsyncEnumerable<IReadOnlyList<NodeChange>> Changes);
