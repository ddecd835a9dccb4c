using RedisPanel.Engine;

namespace RedisPanel.Replication;

/// <summary>What a client announced with REPLCONF before it became a replica (kept as a client extension).</summary>
internal sealed class ReplicaAnnouncement
{
    public int ListeningPort;
    public string? Ip;
    public bool Psync2;
    public bool Eof;
    public bool RdbOnly;
    public string? RdbFilter;

    public static ReplicaAnnouncement Of(ClientSession c) => c.GetExtension<ReplicaAnnouncement>();
}
