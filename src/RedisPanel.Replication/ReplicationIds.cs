namespace RedisPanel.Replication;

/// <summary>
/// A node's replication identity (Redis's server.replid / replid2 / master_repl_offset / second_replid_offset):
/// which history the dataset belongs to and how many stream bytes of it were produced or applied.
/// Immutable; transitions return a new value.
/// </summary>
/// <param name="ReplId">40 lowercase hex digits naming the current history.</param>
/// <param name="ReplId2">The previous history still honoured for PSYNC, or <see cref="NoId"/>.</param>
/// <param name="Offset">master_repl_offset in bytes.</param>
/// <param name="SecondOffset">The highest PSYNC offset accepted for <paramref name="ReplId2"/>, -1 when unset.</param>
public readonly record struct ReplicationIds(string ReplId, string ReplId2, long Offset, long SecondOffset)
{
    /// <summary>Forty '0' characters: Redis's "no replid2".</summary>
    public static readonly string NoId = new('0', 40);

    /// <summary>A fresh history at offset 0 (a node at start-up).</summary>
    public static ReplicationIds Fresh(string replId) => new(replId, NoId, 0, -1);

    /// <summary>
    /// REPLICAOF NO ONE (shiftReplicationId): the old id stays valid as replid2 up to offset+1, the first byte a
    /// former sibling that applied everything would ask for, and a new id names the history from here on.
    /// The data and the offset are kept.
    /// </summary>
    public ReplicationIds Promote(string newReplId) => new(newReplId, ReplId, Offset, Offset + 1);

    /// <summary>The backlog is created from scratch (first replica) or freed: new id, replid2 cleared.</summary>
    public ReplicationIds NewHistory(string newReplId) => new(newReplId, NoId, Offset, -1);
}
