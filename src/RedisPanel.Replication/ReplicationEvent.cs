namespace RedisPanel.Replication;

/// <summary>What happened on a node's replication, for the dashboard's event log and charts.</summary>
public enum ReplicationEventKind
{
    /// <summary>Replica side: the master answered +FULLRESYNC and the snapshot transfer began.</summary>
    SyncStarted,
    /// <summary>Replica side: the link is up after a full (<see cref="ReplicationEvent.Partial"/> false) or partial sync.</summary>
    SyncFinished,
    /// <summary>Replica side: the link to the master failed or was lost; it will retry.</summary>
    LinkDown,
    /// <summary>REPLICAOF NO ONE: the node became a master and keeps its history as replid2.</summary>
    Promoted,
    /// <summary>REPLICAOF host port: the node starts following a (new) master.</summary>
    ReplicaOf,
    /// <summary>Master side: a replica was served a full sync (snapshot) or a partial one (backlog).</summary>
    ReplicaSyncServed,
    /// <summary>Master side: a replica finished loading and is online.</summary>
    ReplicaOnline,
    /// <summary>Master side: a replica's connection closed.</summary>
    ReplicaDisconnected,
    /// <summary>Master side: a coordinated FAILOVER was requested, switched, completed or aborted.</summary>
    Failover,
}

/// <summary>
/// One replication event of a node. Raised on whatever thread made it happen (often under the node's lock):
/// handlers must be short and must not call back into the node.
/// </summary>
/// <param name="UnixMs">When, from the node's clock.</param>
/// <param name="Partial">For sync events: partial (true) or full (false); null otherwise.</param>
/// <param name="Peer">The other end ("host:port" of the master, or of the replica), when there is one.</param>
/// <param name="Message">A short human text ("full sync of 1234 bytes", "connection refused" ...).</param>
public sealed record ReplicationEvent(ReplicationEventKind Kind, long UnixMs, bool? Partial, string? Peer, string Message);
