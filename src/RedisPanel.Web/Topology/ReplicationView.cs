using System.Collections;
using System.Collections.Immutable;

namespace RedisPanel.Web.Topology;

/// <summary>
/// A node's replication state as INFO replication reports it (the same fields for in-process and external nodes,
/// so both are shown and rewired the same way). Offsets are Redis's byte offsets.
/// </summary>
/// <param name="ReplId">master_replid.</param>
/// <param name="ReplId2">master_replid2 (40 zeros when none).</param>
/// <param name="MasterReplOffset">master_repl_offset.</param>
/// <param name="SecondReplOffset">second_repl_offset (-1 when none).</param>
/// <param name="BacklogActive">repl_backlog_active.</param>
/// <param name="BacklogSize">repl_backlog_size (the ring's capacity).</param>
/// <param name="BacklogFirstByteOffset">repl_backlog_first_byte_offset.</param>
/// <param name="BacklogHistLen">repl_backlog_histlen (bytes currently held).</param>
/// <param name="Replicas">The master's slaveN lines.</param>
/// <param name="Link">The replica side (master_host ...), null on a master.</param>
public sealed record ReplicationView(
    string ReplId,
    string ReplId2,
    long MasterReplOffset,
    long SecondReplOffset,
    bool BacklogActive,
    long BacklogSize,
    long BacklogFirstByteOffset,
    long BacklogHistLen,
    ValueList<ReplicaEntry> Replicas,
    MasterLinkView? Link)
{
    public static readonly ReplicationView Empty = new(new string('0', 40), new string('0', 40), 0, -1, false, 0, 0, 0, ValueList<ReplicaEntry>.Empty, null);
}

/// <summary>One slaveN line of a master: ip, port, state (online, wait_bgsave, send_bulk ...), offset, lag seconds.</summary>
public sealed record ReplicaEntry(string Ip, int Port, string State, long Offset, long LagSeconds)
{
    public string Endpoint => $"{Ip}:{Port}";
}

/// <summary>A replica's link to its master, from INFO replication.</summary>
/// <param name="MasterHost">master_host.</param>
/// <param name="MasterPort">master_port.</param>
/// <param name="LinkUp">master_link_status:up.</param>
/// <param name="LastIoSecondsAgo">master_last_io_seconds_ago (-1 when none).</param>
/// <param name="LinkDownSinceSeconds">master_link_down_since_seconds, when the link is down (-1: never up).</param>
/// <param name="SyncInProgress">master_sync_in_progress.</param>
/// <param name="SyncTotalBytes">master_sync_total_bytes (-1 when unknown: diskless).</param>
/// <param name="SyncReadBytes">master_sync_read_bytes.</param>
/// <param name="SyncPercent">master_sync_perc.</param>
/// <param name="ReplicaOffset">slave_repl_offset (what this replica has applied).</param>
/// <param name="ReadOnly">slave_read_only.</param>
public sealed record MasterLinkView(
    string MasterHost,
    int MasterPort,
    bool LinkUp,
    long LastIoSecondsAgo,
    long LinkDownSinceSeconds,
    bool SyncInProgress,
    long SyncTotalBytes,
    long SyncReadBytes,
    double SyncPercent,
    long ReplicaOffset,
    bool ReadOnly)
{
    public string MasterEndpoint => $"{MasterHost}:{MasterPort}";
}

/// <summary>An immutable list with value equality, so records holding one compare by content.</summary>
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    public static readonly ValueList<T> Empty = new(ImmutableArray<T>.Empty);

    private readonly ImmutableArray<T> _items;

    public ValueList(ImmutableArray<T> items) => _items = items.IsDefault ? ImmutableArray<T>.Empty : items;

    public ValueList(IEnumerable<T> items) : this(items.ToImmutableArray()) { }

    public int Count => _items.Length;
    public T this[int index] => _items[index];

    public bool Equals(ValueList<T>? other) =>
        other is not null && _items.AsSpan().SequenceEqual(other._items.AsSpan(), EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items) hash.Add(item);
        return hash.ToHashCode();
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
