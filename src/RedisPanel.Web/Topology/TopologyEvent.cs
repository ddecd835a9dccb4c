namespace RedisPanel.Web.Topology;

/// <summary>What the event log records (filterable by kind).</summary>
public enum TopologyEventKind
{
    /// <summary>A replica started a full sync (loading a snapshot).</summary>
    SyncStarted,
    /// <summary>A replica's link came up after a full or partial sync (<see cref="TopologyEvent.Partial"/>).</summary>
    SyncFinished,
    LinkUp,
    LinkDown,
    /// <summary>A replica became a master (REPLICAOF NO ONE, FAILOVER).</summary>
    Promoted,
    /// <summary>A node started following a (new) master.</summary>
    ReplicaOf,
    /// <summary>A node started, stopped, failed, was added, attached or removed.</summary>
    NodeLifecycle,
    /// <summary>An operator action (drag, promote, cut link ...) and its result.</summary>
    OperatorAction,
}

/// <summary>One line of the event log.</summary>
/// <param name="Id">Increasing, unique in the process (for @key and paging).</param>
/// <param name="Node">The node it happened on (its dashboard name).</param>
/// <param name="Partial">For sync events: partial (true) or full (false).</param>
/// <param name="Succeeded">For operator actions: the outcome; null while running or for other kinds.</param>
public sealed record TopologyEvent(
    long Id,
    DateTimeOffset Time,
    TopologyEventKind Kind,
    string Node,
    string Message,
    bool? Partial = null,
    bool? Succeeded = null);

/// <summary>One point of a node's history (for the charts), sampled about once a second.</summary>
/// <param name="MasterReplOffset">master_repl_offset.</param>
/// <param name="ReplicaOffset">slave_repl_offset for a replica, else null.</param>
/// <param name="LagBytes">For a replica: its master's offset minus its own, when both are known.</param>
public sealed record NodeSample(DateTimeOffset Time, long MasterReplOffset, long? ReplicaOffset, long? LagBytes, long OpsPerSec, long UsedMemoryBytes);

/// <summary>A reply from the console, printed as redis-cli prints it.</summary>
public sealed record ConsoleReply(bool IsError, string Text);
