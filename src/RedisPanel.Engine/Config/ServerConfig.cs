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

    /// <summary>The config file this node was started from, or null (CONFIG REWRITE then fails as in Redis).</summary>
    public string? ConfigFile { get; set; }
}
