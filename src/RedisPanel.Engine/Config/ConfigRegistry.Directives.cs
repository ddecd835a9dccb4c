// The directive table of Redis 7.0.15 (src/config.c static_configs): names, aliases, flags, bounds and defaults.
// Entries with accessors act on ServerConfig's typed properties; entries without are accepted and stored
// (ServerConfig.Stored) so CONFIG GET/SET/REWRITE behave as in Redis, but RedisPanel does not act on them.
// The encoding thresholds (hash-/zset-max-listpack-*, set-max-intset-entries) act on ServerConfig.EncodingLimits.
// The special directives (dir, save, bind, replicaof, client-output-buffer-limit ...) are in ConfigRegistry.Special.cs.
using F = RedisPanel.Engine.Config.ConfigFlags;
using Num = RedisPanel.Engine.Config.NumericKind;

namespace RedisPanel.Engine.Config;

public sealed partial class ConfigRegistry
{
    private static IEnumerable<ConfigDirective> Declare() =>
    [
        Bool("rdbchecksum", null, F.Immutable, true, c => c.RdbChecksum, (c, v) => c.RdbChecksum = v),
        Bool("daemonize", null, F.Immutable, false, c => c.Daemonize, (c, v) => c.Daemonize = v),
        Bool("io-threads-do-reads", null, F.Immutable, false),
        Bool("always-show-logo", null, F.Immutable, false),
        Bool("protected-mode", null, F.None, true, c => c.ProtectedMode, (c, v) => c.ProtectedMode = v),
        Bool("rdbcompression", null, F.None, true, c => c.RdbCompression, (c, v) => c.RdbCompression = v),
        Bool("rdb-del-sync-files", null, F.None, false, c => c.RdbDelSyncFiles, (c, v) => c.RdbDelSyncFiles = v),
        Bool("activerehashing", null, F.None, true),
        Bool("stop-writes-on-bgsave-error", null, F.None, true, c => c.StopWritesOnBgsaveError, (c, v) => c.StopWritesOnBgsaveError = v),
        Bool("set-proc-title", null, F.Immutable, true),
        Bool("dynamic-hz", null, F.None, true),
        Bool("lazyfree-lazy-eviction", null, F.None, false),
        Bool("lazyfree-lazy-expire", null, F.None, false),
        Bool("lazyfree-lazy-server-del", null, F.None, false),
        Bool("lazyfree-lazy-user-del", null, F.None, false),
        Bool("lazyfree-lazy-user-flush", null, F.None, false),
        Bool("repl-disable-tcp-nodelay", null, F.None, false, c => c.ReplDisableTcpNodelay, (c, v) => c.ReplDisableTcpNodelay = v),
        Bool("repl-diskless-sync", null, F.None, true, c => c.ReplDisklessSync, (c, v) => c.ReplDisklessSync = v),
        Bool("aof-rewrite-incremental-fsync", null, F.None, true),
        Bool("no-appendfsync-on-rewrite", null, F.None, false),
        Bool("cluster-require-full-coverage", null, F.None, true),
        Bool("rdb-save-incremental-fsync", null, F.None, true),
        Bool("aof-load-truncated", null, F.None, true),
        Bool("aof-use-rdb-preamble", null, F.None, true),
        Bool("aof-timestamp-enabled", null, F.None, false),
        Bool("cluster-replica-no-failover", "cluster-slave-no-failover", F.None, false),
        Bool("replica-lazy-flush", "slave-lazy-flush", F.None, false, c => c.ReplicaLazyFlush, (c, v) => c.ReplicaLazyFlush = v),
        Bool("replica-serve-stale-data", "slave-serve-stale-data", F.None, true, c => c.ReplicaServeStaleData, (c, v) => c.ReplicaServeStaleData = v),
        Bool("replica-read-only", "slave-read-only", F.None, true, c => c.ReplicaReadOnly, (c, v) => c.ReplicaReadOnly = v),
        Bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", F.None, true, c => c.ReplicaIgnoreMaxmemory, (c, v) => c.ReplicaIgnoreMaxmemory = v),
        Bool("jemalloc-bg-thread", null, F.None, true),
        Bool("activedefrag", null, F.None, false, validate: ValidActiveDefrag),
        Bool("syslog-enabled", null, F.Immutable, false),
        Bool("cluster-enabled", null, F.Immutable, false),
        Bool("appendonly", null, F.DenyLoading, false, c => c.AppendOnly, (c, v) => c.AppendOnly = v, apply: ApplyKind.External),
        Bool("cluster-allow-reads-when-down", null, F.None, false),
        Bool("cluster-allow-pubsubshard-when-down", null, F.None, true),
        Bool("crash-log-enabled", null, F.None, true),
        Bool("crash-memcheck-enabled", null, F.None, true),
        Bool("use-exit-on-panic", null, F.Hidden, false),
        Bool("disable-thp", null, F.Immutable, true),
        Bool("cluster-allow-replica-migration", null, F.None, true),
        Bool("replica-announced", null, F.None, true, c => c.ReplicaAnnounced, (c, v) => c.ReplicaAnnounced = v),
        Bool("latency-tracking", null, F.None, true),
        Bool("aof-disable-auto-gc", null, F.None, false),
        Bool("replica-ignore-disk-write-errors", null, F.None, false),
        String("aclfile", null, F.Immutable, emptyIsNull: false, ""),
        String("unixsocket", null, F.Immutable, emptyIsNull: true, null),
        String("pidfile", null, F.Immutable, emptyIsNull: true, null, c => c.PidFile, (c, v) => c.PidFile = v),
        String("replica-announce-ip", "slave-announce-ip", F.None, emptyIsNull: true, null, c => c.ReplicaAnnounceIp, (c, v) => c.ReplicaAnnounceIp = v),
        String("masteruser", null, F.Sensitive, emptyIsNull: true, null, c => c.MasterUser, (c, v) => c.MasterUser = v),
        String("cluster-announce-ip", null, F.None, emptyIsNull: true, null),
        String("cluster-config-file", null, F.Immutable, emptyIsNull: false, "nodes.conf"),
        String("cluster-announce-hostname", null, F.None, emptyIsNull: true, null, validate: ValidAnnouncedHostname),
        String("syslog-ident", null, F.Immutable, emptyIsNull: false, "redis"),
        String("dbfilename", null, F.Protected, emptyIsNull: false, "dump.rdb", c => c.DbFilename, (c, v) => c.DbFilename = v, validate: ValidDbFilename),
        String("appendfilename", null, F.Immutable, emptyIsNull: false, "appendonly.aof", c => c.AppendFilename, (c, v) => c.AppendFilename = v, validate: ValidAofFilename),
        String("appenddirname", null, F.Immutable, emptyIsNull: false, "appendonlydir", c => c.AppendDirname, (c, v) => c.AppendDirname = v, validate: ValidAofDirname),
        String("server_cpulist", null, F.Immutable, emptyIsNull: true, null),
        String("bio_cpulist", null, F.Immutable, emptyIsNull: true, null),
        String("aof_rewrite_cpulist", null, F.Immutable, emptyIsNull: true, null),
        String("bgsave_cpulist", null, F.Immutable, emptyIsNull: true, null),
        String("ignore-warnings", null, F.None, emptyIsNull: false, ""),
        String("proc-title-template", null, F.None, emptyIsNull: false, "{title} {listen-addr} {server-mode}"),
        String("bind-source-addr", null, F.None, emptyIsNull: true, null),
        String("logfile", null, F.Immutable, emptyIsNull: false, "", c => c.LogFile, (c, v) => c.LogFile = v),
        String("masterauth", null, F.Sensitive, emptyIsNull: true, null, c => c.MasterAuth, (c, v) => c.MasterAuth = v),
        String("requirepass", null, F.Sensitive, emptyIsNull: true, null, c => c.RequirePass, (c, v) => c.RequirePass = v, apply: ApplyKind.External),
        Enum("supervised", null, F.Immutable, Enums.SupervisedMode, "no"),
        Enum("syslog-facility", null, F.Immutable, Enums.SyslogFacility, "local0"),
        Enum("repl-diskless-load", null, F.DenyLoading, Enums.ReplDisklessLoad, "disabled", c => c.ReplDisklessLoad, (c, v) => c.ReplDisklessLoad = v),
        Enum("loglevel", null, F.None, Enums.Loglevel, "notice", c => c.LogLevel, (c, v) => c.LogLevel = v),
        Enum("maxmemory-policy", null, F.None, Enums.MaxmemoryPolicy, "noeviction", c => c.MaxMemoryPolicy, (c, v) => c.MaxMemoryPolicy = v),
        Enum("appendfsync", null, F.None, Enums.AofFsync, "everysec", c => c.AppendFsync, (c, v) => c.AppendFsync = v),
        Enum("oom-score-adj", null, F.None, Enums.OomScoreAdj, "no"),
        Enum("acl-pubsub-default", null, F.None, Enums.AclPubsubDefault, "resetchannels"),
        Enum("sanitize-dump-payload", null, F.None, Enums.SanitizeDumpPayload, "no"),
        Enum("enable-protected-configs", null, F.Immutable, Enums.ProtectedAction, "no", c => c.EnableProtectedConfigs, (c, v) => c.EnableProtectedConfigs = v),
        Enum("enable-debug-command", null, F.Immutable, Enums.ProtectedAction, "yes", c => c.EnableDebugCommand, (c, v) => c.EnableDebugCommand = v),
        Enum("enable-module-command", null, F.Immutable, Enums.ProtectedAction, "no"),
        Enum("cluster-preferred-endpoint-type", null, F.None, Enums.ClusterPreferredEndpointType, "ip"),
        Enum("propagation-error-behavior", null, F.None, Enums.PropagationErrorBehavior, "ignore"),
        Enum("shutdown-on-sigint", null, F.MultiArg, Enums.ShutdownOnSig, "default", validate: ValidShutdownFlags),
        Enum("shutdown-on-sigterm", null, F.MultiArg, Enums.ShutdownOnSig, "default", validate: ValidShutdownFlags),
        Numeric("databases", null, F.Immutable, 1, int.MaxValue, 16, Num.Integer, c => c.Databases, (c, v) => c.Databases = (int)v),
        Numeric("port", null, F.None, 0, 65535, 6379, Num.Integer, c => c.Port, (c, v) => c.Port = (int)v, apply: ApplyKind.Listener),
        Numeric("io-threads", null, F.Immutable, 1, 128, 1, Num.Integer),
        Numeric("auto-aof-rewrite-percentage", null, F.None, 0, int.MaxValue, 100, Num.Integer),
        Numeric("cluster-replica-validity-factor", "cluster-slave-validity-factor", F.None, 0, int.MaxValue, 10, Num.Integer),
        Numeric("list-max-listpack-size", "list-max-ziplist-size", F.None, int.MinValue, int.MaxValue, -2, Num.Integer),
        Numeric("tcp-keepalive", null, F.None, 0, int.MaxValue, 300, Num.Integer, c => c.TcpKeepalive, (c, v) => c.TcpKeepalive = (int)v),
        Numeric("cluster-migration-barrier", null, F.None, 0, int.MaxValue, 1, Num.Integer),
        Numeric("active-defrag-cycle-min", null, F.None, 1, 99, 1, Num.Integer),
        Numeric("active-defrag-cycle-max", null, F.None, 1, 99, 25, Num.Integer),
        Numeric("active-defrag-threshold-lower", null, F.None, 0, 1000, 10, Num.Integer),
        Numeric("active-defrag-threshold-upper", null, F.None, 0, 1000, 100, Num.Integer),
        Numeric("lfu-log-factor", null, F.None, 0, int.MaxValue, 10, Num.Integer),
        Numeric("lfu-decay-time", null, F.None, 0, int.MaxValue, 1, Num.Integer),
        Numeric("replica-priority", "slave-priority", F.None, 0, int.MaxValue, 100, Num.Integer, c => c.ReplicaPriority, (c, v) => c.ReplicaPriority = (int)v),
        Numeric("repl-diskless-sync-delay", null, F.None, 0, int.MaxValue, 5, Num.Integer, c => c.ReplDisklessSyncDelay, (c, v) => c.ReplDisklessSyncDelay = (int)v),
        Numeric("maxmemory-samples", null, F.None, 1, int.MaxValue, 5, Num.Integer, c => c.MaxMemorySamples, (c, v) => c.MaxMemorySamples = (int)v),
        Numeric("maxmemory-eviction-tenacity", null, F.None, 0, 100, 10, Num.Integer),
        Numeric("timeout", null, F.None, 0, int.MaxValue, 0, Num.Integer, c => c.Timeout, (c, v) => c.Timeout = (int)v),
        Numeric("replica-announce-port", "slave-announce-port", F.None, 0, 65535, 0, Num.Integer, c => c.ReplicaAnnouncePort, (c, v) => c.ReplicaAnnouncePort = (int)v),
        Numeric("tcp-backlog", null, F.Immutable, 0, int.MaxValue, 511, Num.Integer, c => c.TcpBacklog, (c, v) => c.TcpBacklog = (int)v),
        Numeric("cluster-port", null, F.Immutable, 0, 65535, 0, Num.Integer),
        Numeric("cluster-announce-bus-port", null, F.None, 0, 65535, 0, Num.Integer),
        Numeric("cluster-announce-port", null, F.None, 0, 65535, 0, Num.Integer),
        Numeric("cluster-announce-tls-port", null, F.None, 0, 65535, 0, Num.Integer),
        Numeric("repl-timeout", null, F.None, 1, int.MaxValue, 60, Num.Integer, c => c.ReplTimeout, (c, v) => c.ReplTimeout = (int)v),
        Numeric("repl-ping-replica-period", "repl-ping-slave-period", F.None, 1, int.MaxValue, 10, Num.Integer, c => c.ReplPingReplicaPeriod, (c, v) => c.ReplPingReplicaPeriod = (int)v),
        Numeric("list-compress-depth", null, F.None, 0, int.MaxValue, 0, Num.Integer),
        Numeric("rdb-key-save-delay", null, F.Hidden, int.MinValue, int.MaxValue, 0, Num.Integer),
        Numeric("key-load-delay", null, F.Hidden, int.MinValue, int.MaxValue, 0, Num.Integer),
        Numeric("active-expire-effort", null, F.None, 1, 10, 1, Num.Integer),
        Numeric("hz", null, F.None, 0, int.MaxValue, 10, Num.Integer, c => c.Hz, (c, v) => c.Hz = (int)v, apply: ApplyKind.Hz),
        Numeric("min-replicas-to-write", "min-slaves-to-write", F.None, 0, int.MaxValue, 0, Num.Integer, c => c.MinReplicasToWrite, (c, v) => c.MinReplicasToWrite = (int)v, apply: ApplyKind.External),
        Numeric("min-replicas-max-lag", "min-slaves-max-lag", F.None, 0, int.MaxValue, 10, Num.Integer, c => c.MinReplicasMaxLag, (c, v) => c.MinReplicasMaxLag = (int)v, apply: ApplyKind.External),
        Numeric("watchdog-period", null, F.Hidden, 0, int.MaxValue, 0, Num.Integer),
        Numeric("shutdown-timeout", null, F.None, 0, int.MaxValue, 10, Num.Integer),
        Numeric("repl-diskless-sync-max-replicas", null, F.None, 0, int.MaxValue, 0, Num.Integer, c => c.ReplDisklessSyncMaxReplicas, (c, v) => c.ReplDisklessSyncMaxReplicas = (int)v),
        Numeric("maxclients", null, F.None, 1, uint.MaxValue, 10000, Num.Integer | Num.Unsigned, c => c.MaxClients, (c, v) => c.MaxClients = (int)Math.Min(v, int.MaxValue), apply: ApplyKind.External), // UInt
        Numeric("unixsocketperm", null, F.Immutable, 0, 511, 0, Num.Octal | Num.Unsigned), // UInt
        Numeric("socket-mark-id", null, F.Immutable, 0, uint.MaxValue, 0, Num.Integer | Num.Unsigned), // UInt
        Numeric("active-defrag-max-scan-fields", null, F.None, 1, long.MaxValue, 1000, Num.Integer), // ULong
        Numeric("slowlog-max-len", null, F.None, 0, long.MaxValue, 128, Num.Integer, c => c.SlowlogMaxLen, (c, v) => c.SlowlogMaxLen = (int)Math.Min(v, int.MaxValue)), // ULong
        Numeric("acllog-max-len", null, F.None, 0, long.MaxValue, 128, Num.Integer), // ULong
        Numeric("busy-reply-threshold", "lua-time-limit", F.None, 0, long.MaxValue, 5000, Num.Integer), // LongLong
        Numeric("cluster-node-timeout", null, F.None, 0, long.MaxValue, 15000, Num.Integer), // LongLong
        Numeric("slowlog-log-slower-than", null, F.None, -1, long.MaxValue, 10000, Num.Integer, c => c.SlowlogLogSlowerThan, (c, v) => c.SlowlogLogSlowerThan = v), // LongLong
        Numeric("latency-monitor-threshold", null, F.None, 0, long.MaxValue, 0, Num.Integer), // LongLong
        Numeric("proto-max-bulk-len", null, F.None, 1024 * 1024, long.MaxValue, 512L * 1024 * 1024, Num.Memory, c => c.ProtoMaxBulkLen, (c, v) => c.ProtoMaxBulkLen = v), // LongLong
        Numeric("stream-node-max-entries", null, F.None, 0, long.MaxValue, 100, Num.Integer), // LongLong
        Numeric("repl-backlog-size", null, F.None, 1, long.MaxValue, 1024 * 1024, Num.Memory, c => c.ReplBacklogSize, (c, v) => c.ReplBacklogSize = v, apply: ApplyKind.External), // LongLong
        Numeric("maxmemory", null, F.None, 0, -1 /* ULLONG_MAX */, 0, Num.Memory | Num.Unsigned, c => c.MaxMemory, (c, v) => c.MaxMemory = v, apply: ApplyKind.External), // ULongLong
        Numeric("cluster-link-sendbuf-limit", null, F.None, 0, -1 /* ULLONG_MAX */, 0, Num.Memory | Num.Unsigned), // ULongLong
        Numeric("hash-max-listpack-entries", "hash-max-ziplist-entries", F.None, 0, long.MaxValue, 512, Num.Integer | Num.Unsigned, c => c.EncodingLimits.HashMaxListpackEntries, (c, v) => c.EncodingLimits.HashMaxListpackEntries = v), // SizeT
        Numeric("set-max-intset-entries", null, F.None, 0, long.MaxValue, 512, Num.Integer | Num.Unsigned, c => c.EncodingLimits.SetMaxIntsetEntries, (c, v) => c.EncodingLimits.SetMaxIntsetEntries = v), // SizeT
        Numeric("zset-max-listpack-entries", "zset-max-ziplist-entries", F.None, 0, long.MaxValue, 128, Num.Integer | Num.Unsigned, c => c.EncodingLimits.ZsetMaxListpackEntries, (c, v) => c.EncodingLimits.ZsetMaxListpackEntries = v), // SizeT
        Numeric("active-defrag-ignore-bytes", null, F.None, 1, long.MaxValue, 100L << 20, Num.Memory | Num.Unsigned), // SizeT
        Numeric("hash-max-listpack-value", "hash-max-ziplist-value", F.None, 0, long.MaxValue, 64, Num.Memory | Num.Unsigned, c => c.EncodingLimits.HashMaxListpackValue, (c, v) => c.EncodingLimits.HashMaxListpackValue = v), // SizeT
        Numeric("stream-node-max-bytes", null, F.None, 0, long.MaxValue, 4096, Num.Memory | Num.Unsigned), // SizeT
        Numeric("zset-max-listpack-value", "zset-max-ziplist-value", F.None, 0, long.MaxValue, 64, Num.Memory | Num.Unsigned, c => c.EncodingLimits.ZsetMaxListpackValue, (c, v) => c.EncodingLimits.ZsetMaxListpackValue = v), // SizeT
        Numeric("hll-sparse-max-bytes", null, F.None, 0, long.MaxValue, 3000, Num.Memory | Num.Unsigned), // SizeT
        Numeric("tracking-table-max-keys", null, F.None, 0, long.MaxValue, 1000000, Num.Integer | Num.Unsigned), // SizeT
        Numeric("client-query-buffer-limit", null, F.None, 1024 * 1024, long.MaxValue, 1024 * 1024 * 1024, Num.Memory | Num.Unsigned, c => c.ClientQueryBufferLimit, (c, v) => c.ClientQueryBufferLimit = v), // SizeT
        Numeric("maxmemory-clients", null, F.None, -100, long.MaxValue, 0, Num.Memory | Num.Percent), // SSizeT
        Numeric("repl-backlog-ttl", null, F.None, 0, long.MaxValue, 60 * 60, Num.Integer, c => c.ReplBacklogTtl, (c, v) => c.ReplBacklogTtl = (int)Math.Min(v, int.MaxValue)), // TimeT
        Numeric("auto-aof-rewrite-min-size", null, F.None, 0, long.MaxValue, 64 * 1024 * 1024, Num.Memory), // OffT
        Numeric("loading-process-events-interval-bytes", null, F.Hidden, 1024, int.MaxValue, 1024 * 1024 * 2, Num.Integer), // OffT
        Numeric("tls-port", null, F.None, 0, 65535, 0, Num.Integer),
        Numeric("tls-session-cache-size", null, F.None, 0, int.MaxValue, 20 * 1024, Num.Integer),
        Numeric("tls-session-cache-timeout", null, F.None, 0, int.MaxValue, 300, Num.Integer),
        Bool("tls-cluster", null, F.None, false),
        Bool("tls-replication", null, F.None, false),
        Enum("tls-auth-clients", null, F.None, Enums.TlsAuthClients, "yes"),
        Bool("tls-prefer-server-ciphers", null, F.None, false),
        Bool("tls-session-caching", null, F.None, true),
        String("tls-cert-file", null, F.None, emptyIsNull: true, null),
        String("tls-key-file", null, F.None, emptyIsNull: true, null),
        String("tls-key-file-pass", null, F.None, emptyIsNull: true, null),
        String("tls-client-cert-file", null, F.None, emptyIsNull: true, null),
        String("tls-client-key-file", null, F.None, emptyIsNull: true, null),
        String("tls-client-key-file-pass", null, F.None, emptyIsNull: true, null),
        String("tls-dh-params-file", null, F.None, emptyIsNull: true, null),
        String("tls-ca-cert-file", null, F.None, emptyIsNull: true, null),
        String("tls-ca-cert-dir", null, F.None, emptyIsNull: true, null),
        String("tls-protocols", null, F.None, emptyIsNull: true, null),
        String("tls-ciphers", null, F.None, emptyIsNull: true, null),
        String("tls-ciphersuites", null, F.None, emptyIsNull: true, null),
        .. Special(),
    ];

    /// <summary>Redis's configEnum tables.</summary>
    private static class Enums
    {
        public static readonly ConfigEnum MaxmemoryPolicy = new(("volatile-lru", 0), ("volatile-lfu", 1), ("volatile-random", 2),
            ("volatile-ttl", 3), ("allkeys-lru", 4), ("allkeys-lfu", 5), ("allkeys-random", 6), ("noeviction", 7));
        public static readonly ConfigEnum SyslogFacility = new(("user", 8), ("local0", 128), ("local1", 136), ("local2", 144),
            ("local3", 152), ("local4", 160), ("local5", 168), ("local6", 176), ("local7", 184));
        public static readonly ConfigEnum Loglevel = new(("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3));
        public static readonly ConfigEnum SupervisedMode = new(("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0));
        public static readonly ConfigEnum AofFsync = new(("everysec", 2), ("always", 1), ("no", 0));
        public static readonly ConfigEnum ShutdownOnSig = new(("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8));
        public static readonly ConfigEnum ReplDisklessLoad = new(("disabled", 0), ("on-empty-db", 1), ("swapdb", 2));
        public static readonly ConfigEnum TlsAuthClients = new(("no", 0), ("yes", 1), ("optional", 2));
        public static readonly ConfigEnum OomScoreAdj = new(("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2));
        public static readonly ConfigEnum AclPubsubDefault = new(("allchannels", 1), ("resetchannels", 0));
        public static readonly ConfigEnum SanitizeDumpPayload = new(("no", 0), ("yes", 1), ("clients", 2));
        public static readonly ConfigEnum ProtectedAction = new(("no", 0), ("yes", 1), ("local", 2));
        public static readonly ConfigEnum ClusterPreferredEndpointType = new(("ip", 0), ("hostname", 1), ("unknown-endpoint", 2));
        public static readonly ConfigEnum PropagationErrorBehavior = new(("ignore", 0), ("panic", 1), ("panic-on-replicas", 2));
    }
}
