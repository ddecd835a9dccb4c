using RedisPanel.Engine;

namespace RedisPanel.Replication;

/// <summary>Master-side state of one replica connection (Redis's replstate).</summary>
public enum ReplicaState
{
    /// <summary>Waiting for its snapshot; stream bytes pile up in the sync job (INFO: wait_bgsave).</summary>
    WaitBgsaveEnd,
    /// <summary>Streaming (INFO: online).</summary>
    Online,
    /// <summary>No snapshot started for it yet: the diskless delay, or a job it could not join (INFO: wait_bgsave).</summary>
    WaitBgsaveStart,
    /// <summary>A disk-framed snapshot (`$len`) is being written to its socket (INFO: send_bulk).</summary>
    SendBulk,
}

/// <summary>A replica attached to this master: its client, what it announced, what it acknowledged.</summary>
public sealed class ReplicaLink
{
    internal ReplicaLink(ClientSession client) => Client = client;

    public ClientSession Client { get; }
    public ReplicaState State { get; internal set; }

    /// <summary>REPLCONF listening-port (0 when not announced).</summary>
    public int ListeningPort { get; internal set; }

    /// <summary>REPLCONF ip-address, else null (the peer address is shown).</summary>
    public string? AnnouncedIp { get; internal set; }

    /// <summary>Highest REPLCONF ACK offset (repl_ack_off), 0 before any.</summary>
    public long AckOffset { get; internal set; }

    /// <summary>Unix ms of the last ACK (repl_ack_time).</summary>
    public long AckTimeMs { get; internal set; }

    /// <summary>Announced `capa psync2`: gets `+CONTINUE &lt;replid&gt;` instead of a bare `+CONTINUE`.</summary>
    public bool Psync2 { get; internal set; }

    /// <summary>Attached with the legacy SYNC: sends no ACKs, so repl-timeout does not apply (CLIENT_PRE_PSYNC).</summary>
    public bool PrePsync { get; internal set; }

    /// <summary>Announced `capa eof`: may get a diskless `$EOF:` transfer.</summary>
    public bool CapaEof { get; internal set; }

    /// <summary>REPLCONF rdb-only 1: wants the snapshot only, closed once it was sent (redis-cli --rdb).</summary>
    public bool RdbOnly { get; internal set; }

    /// <summary>REPLCONF rdb-filter-only (null when not asked): the snapshot carries no keys (Redis's slave_req).</summary>
    public string? RdbFilter { get; internal set; }

    /// <summary>Unix ms when it started waiting for a snapshot (the diskless delay counts from here).</summary>
    public long WaitSinceMs { get; internal set; }

    /// <summary>
    /// Online after a diskless transfer but no REPLCONF ACK yet: the stream is held (<see cref="Held"/>) so nothing
    /// follows the EOF mark in the same read (Redis's repl_start_cmd_stream_on_ack).
    /// </summary>
    public bool StreamOnAck { get; internal set; }

    /// <summary>Stream bytes held for a replica in <see cref="StreamOnAck"/>.</summary>
    internal Protocol.ReplyBuffer? Held { get; set; }

    /// <summary>Unix ms the soft output-buffer limit was first seen exceeded (0 = not exceeded).</summary>
    internal long ObufSoftSinceMs { get; set; }

    /// <summary>The sync job it waits for or is being sent (null once online).</summary>
    internal object? Transfer { get; set; }

    /// <summary>Closing was requested (output buffer limit, end of an rdb-only transfer): count and feed it no more.</summary>
    internal bool Closing { get; set; }

    /// <summary>The replica's IP as INFO and ROLE show it.</summary>
    public string Ip
    {
        get
        {
            if (AnnouncedIp is not null) return AnnouncedIp;
            string addr = Client.Address;
            int colon = addr.LastIndexOf(':');
            return colon > 0 ? addr[..colon] : addr;
        }
    }

    /// <summary>"ip:listening-port" as the dashboard names the replica.</summary>
    public string Endpoint => $"{Ip}:{ListeningPort}";
}
