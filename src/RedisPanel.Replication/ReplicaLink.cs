using RedisPanel.Engine;

namespace RedisPanel.Replication;

/// <summary>Master-side state of one replica connection (Redis's replstate).</summary>
public enum ReplicaState
{
    /// <summary>Waiting for its snapshot; stream bytes pile up in the sync job (INFO: wait_bgsave).</summary>
    WaitBgsaveEnd,
    /// <summary>Streaming (INFO: online).</summary>
    Online,
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
