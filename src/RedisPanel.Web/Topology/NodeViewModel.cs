using RedisPanel.Node;

namespace RedisPanel.Web.Topology;

/// <summary>A node's replication role as the dashboard shows it.</summary>
public enum NodeRole
{
    Master,
    /// <summary>A replica whose link to its master is not up (connecting, syncing, or the master is down).</summary>
    ReplicaPending,
    Replica,
}

/// <summary>
/// An immutable picture of one node, sampled under the node's lock. Equality is by value, so the feed sends a node
/// only when something shown changed. Counters of a node that is not running read 0.
/// </summary>
/// <param name="Name">Unique display name (the key of the feed).</param>
/// <param name="Host">First listen address.</param>
/// <param name="Port">Bound port, or the configured one while not running.</param>
/// <param name="FailureReason">Why the node is <see cref="NodeState.Failed"/> (Redis's wording where Redis has one).</param>
/// <param name="MasterAddress">"host:port" of the master when the node is (meant to be) a replica.</param>
/// <param name="UsedMemoryBytes">Approximate bytes of the dataset (keys, values, per-key overhead).</param>
/// <param name="Replication">INFO replication of the node (<see cref="ReplicationView.Empty"/> while it is not running).</param>
/// <param name="External">Attached by host:port (a real redis-server or a remote node), not hosted by this process.</param>
/// <param name="Loading">INFO persistence loading:1 (the node answers -LOADING).</param>
public sealed record NodeViewModel(
    string Name,
    string Host,
    int Port,
    NodeState State,
    string? FailureReason,
    NodeRole Role,
    string? MasterAddress,
    long Keys,
    int ConnectedClients,
    long OpsPerSec,
    long UsedMemoryBytes,
    long TotalCommandsProcessed,
    string? ConfigFile,
    ReplicationView? Replication = null,
    bool External = false,
    bool Loading = false)
{
    public string Endpoint => $"{Host}:{Port}";

    public string RoleLabel => Role switch
    {
        NodeRole.Master => "master",
        NodeRole.ReplicaPending => "replica (link down)",
        _ => "replica",
    };
}

public enum NodeChangeKind
{
    /// <summary>The node is new or something shown about it changed.</summary>
    Upsert,
    Removed,
}

/// <summary>One change in a batch of the feed.</summary>
public sealed record NodeChange(NodeChangeKind Kind, NodeViewModel Node);

/// <summary>The outcome of an action (Stop, Start ...), with a message fit for a notification.</summary>
public sealed record NodeActionResult(bool Succeeded, string Message)
{
    public static NodeActionResult Ok(string message) => new(true, message);
    public static NodeActionResult Fail(string message) => new(false, message);
}
