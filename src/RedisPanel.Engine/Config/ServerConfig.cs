// The node's settings, with Redis's names and defaults. Typed properties are what the code reads on hot
// paths; ConfigRegistry (CONFIG GET/SET/REWRITE and the redis.conf parser) maps Redis's directive names onto
// them. Everything is read and written under the node lock except values fixed at start (Port, Bind).
namespace RedisPanel.Engine.Config;

public sealed class ServerConfig
{
    public int Port { get; set; } = 6379;
    /// <summary>Addresses to listen on. Redis's built-in default is all interfaces; ours is loopback only.</summary>
    public string[] Bind { get; set; } = ["127.0.0.1"];
    public bool ProtectedMode { get; set; } = true;
    public string RequirePass { get; set; } = "";
    public int Databases { get; set; } = 16;
    public long ProtoMaxBulkLen { get; set; } = 512L * 1024 * 1024;
    public long ClientQueryBufferLimit { get; set; } = 1024L * 1024 * 1024;
    public int MaxClients { get; set; } = 10000;
    /// <summary>Close idle clients after this many seconds (0 = never).</summary>
    public int Timeout { get; set; }
    public int Hz { get; set; } = 10;
    public string Dir { get; set; } = Directory.GetCurrentDirectory();
    public string DbFilename { get; set; } = "dump.rdb";
    public bool AppendOnly { get; set; }
    public string AppendFsync { get; set; } = "everysec";
    public string AppendFilename { get; set; } = "appendonly.aof";
    public string AppendDirname { get; set; } = "appendonlydir";
    /// <summary>save points: (seconds, changes).</summary>
    public List<(int Seconds, int Changes)> SavePoints { get; set; } = [(3600, 1), (300, 100), (60, 10000)];
    public string MasterAuth { get; set; } = "";
    public string MasterUser { get; set; } = "";
    /// <summary>replicaof from the config file or CONFIG SET-free runtime state: "host port" or null.</summary>
    public string? ReplicaOf { get; set; }
    public bool ReplicaReadOnly { get; set; } = true;
    public bool ReplicaServeStaleData { get; set; } = true;
    public long ReplBacklogSize { get; set; } = 1024 * 1024;
    public int ReplBacklogTtl { get; set; } = 3600;
    public int ReplPingReplicaPeriod { get; set; } = 10;
    public int ReplTimeout { get; set; } = 60;
    public bool ReplDisklessSync { get; set; } = true;
    public int ReplDisklessSyncDelay { get; set; } = 5;
    public int ReplicaPriority { get; set; } = 100;
    public int MinReplicasToWrite { get; set; }
    public int MinReplicasMaxLag { get; set; } = 10;
    public long SlowlogLogSlowerThan { get; set; } = 10000;
    public int SlowlogMaxLen { get; set; } = 128;
    public string LogLevel { get; set; } = "notice";
    public string LogFile { get; set; } = "";
    public string PidFile { get; set; } = "";
    public bool Daemonize { get; set; }
    public bool StopWritesOnBgsaveError { get; set; } = true;
    public bool RdbCompression { get; set; } = true;
    public bool RdbChecksum { get; set; } = true;
    public int TcpKeepalive { get; set; } = 300;
    public int TcpBacklog { get; set; } = 511;
    public long MaxMemory { get; set; }
    public string MaxMemoryPolicy { get; set; } = "noeviction";

    /// <summary>
    /// hash-max-listpack-entries/value, set-max-intset-entries, zset-max-listpack-entries/value (and their ziplist
    /// aliases): the value types read this instance at every insertion, so CONFIG SET takes effect at once.
    /// </summary>
    public RedisPanel.Storage.EncodingLimits EncodingLimits { get; } = new();

    /// <summary>The config file this node was started from, or null (CONFIG REWRITE then fails as in Redis).</summary>
    public string? ConfigFile { get; set; }

    // ---- added with ConfigRegistry (CONFIG GET/SET/REWRITE, redis.conf) ----
    public bool ReplDisableTcpNodelay { get; set; }
    /// <summary>disabled / on-empty-db / swapdb.</summary>
    public string ReplDisklessLoad { get; set; } = "disabled";
    public int ReplDisklessSyncMaxReplicas { get; set; }
    public string ReplicaAnnounceIp { get; set; } = "";
    public int ReplicaAnnouncePort { get; set; }
    public bool ReplicaAnnounced { get; set; } = true;
    public bool ReplicaLazyFlush { get; set; }
    public bool ReplicaIgnoreMaxmemory { get; set; } = true;
    public bool RdbDelSyncFiles { get; set; }
    public int MaxMemorySamples { get; set; } = 5;
    /// <summary>no / yes / local: whether CONFIG SET may change protected configs (dir, dbfilename).</summary>
    public string EnableProtectedConfigs { get; set; } = "no";
    /// <summary>
    /// no / yes / local: whether DEBUG is allowed (enforced as Redis does). The default is yes here, where Redis 7.0
    /// has no: the dashboard's operators and our own tools expect DEBUG (SLEEP, DIGEST, RELOAD) to answer, and a
    /// node binds to loopback unless configured otherwise.
    /// </summary>
    public string EnableDebugCommand { get; set; } = "yes";
    /// <summary>notify-keyspace-events as Redis's NOTIFY_* bit flags (K=1, E=2, g=4, $=8, l=16, s=32, h=64, z=128,
    /// x=256, e=512, t=1024, m=2048, d=8192, n=16384).</summary>
    public int NotifyKeyspaceEvents { get; set; }

    /// <summary>client-output-buffer-limit per class: [0] normal, [1] replica, [2] pubsub (bytes; 0 = no limit).</summary>
    public ClientOutputBufferLimit[] ClientOutputBufferLimits { get; set; } =
    [
        new(0, 0, 0),
        new(256L * 1024 * 1024, 64L * 1024 * 1024, 60),
        new(32L * 1024 * 1024, 8L * 1024 * 1024, 60),
    ];

    /// <summary>rename-command pairs read from the config file (old name, new name; "" removes). Stored, not yet applied.</summary>
    public List<(string From, string To)> RenamedCommands { get; } = new();

    /// <summary>Raw `user` lines of the config file (kept for CONFIG REWRITE; RedisPanel has no ACL).</summary>
    public List<string> UserLines { get; } = new();

    /// <summary>
    /// Directives Redis 7.0 knows that RedisPanel accepts and reports (CONFIG GET) but does not act on,
    /// by primary name, in their CONFIG GET form. Written through ConfigRegistry only.
    /// </summary>
    public Dictionary<string, string> Stored { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Called under the node lock when CONFIG SET changed a directive whose effect lives outside the engine
    /// (port, bind, appendonly, maxclients, maxmemory, repl-backlog-size, min-replicas-*, requirepass), with
    /// the directive's primary name. Returns Redis's error text to make the whole CONFIG SET fail and roll
    /// back, or null. Without a hook, port and bind fail (nothing can rebind) and the others succeed.
    /// </summary>
    public Func<string, string?>? ApplyHook { get; set; }
}

/// <summary>One class of client-output-buffer-limit: hard and soft limits in bytes, soft limit duration in seconds.</summary>
public readonly record struct ClientOutputBufferLimit(long HardBytes, long SoftBytes, long SoftSeconds);
