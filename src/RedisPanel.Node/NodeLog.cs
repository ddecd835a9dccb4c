using Microsoft.Extensions.Logging;

namespace RedisPanel.Node;

/// <summary>Source-generated log messages of a node; every message names the node (and the connection).</summary>
internal static partial class NodeLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "[{Node}] Ready to accept connections tcp on {Endpoint}")]
    public static partial void Listening(ILogger logger, string node, string endpoint);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "[{Node}] Could not create server TCP listening socket {Endpoint}: {Reason}")]
    public static partial void BindFailed(ILogger logger, string node, string endpoint, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "[{Node}] Stopped")]
    public static partial void Stopped(ILogger logger, string node);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "[{Node}] conn {ConnectionId} accepted from {Remote}")]
    public static partial void Accepted(ILogger logger, string node, long connectionId, string remote);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "[{Node}] conn {ConnectionId} closed")]
    public static partial void Closed(ILogger logger, string node, long connectionId);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "[{Node}] conn {ConnectionId} protocol error from {Remote}: {Error}")]
    public static partial void ProtocolError(ILogger logger, string node, long connectionId, string remote, string error);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "[{Node}] conn {ConnectionId} closed for overcoming of query buffer limits ({Bytes} bytes)")]
    public static partial void QueryBufferLimit(ILogger logger, string node, long connectionId, long bytes);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Error, Message = "[{Node}] conn {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception ex, string node, long connectionId);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Error, Message = "[{Node}] cron failed")]
    public static partial void CronFailed(ILogger logger, Exception ex, string node);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "[{Node}] DB loaded from disk: {Keys} keys ({Expired} expired keys skipped) in {Seconds:F3} seconds")]
    public static partial void DatasetLoaded(ILogger logger, string node, long keys, long expired, double seconds);

    [LoggerMessage(EventId = 1033, Level = LogLevel.Information, Message = "[{Node}] DB loaded from append only file: {Commands} commands replayed in {Seconds:F3} seconds")]
    public static partial void AofLoaded(ILogger logger, string node, long commands, double seconds);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Error, Message = "[{Node}] Fatal error loading the DB: {Error}")]
    public static partial void DatasetLoadFailed(ILogger logger, string node, string error);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Warning, Message = "[{Node}] {Warning}")]
    public static partial void PersistenceWarning(ILogger logger, string node, string warning);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "[{Node}] MASTER <-> REPLICA sync: link up ({Kind})")]
    public static partial void ReplicaLinkUp(ILogger logger, string node, string kind);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "[{Node}] Connection with master lost or refused: {Reason}; retrying")]
    public static partial void ReplicaLinkLost(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "[{Node}] Replica {Replica} online ({Kind})")]
    public static partial void ReplicaOnline(ILogger logger, string node, string replica, string kind);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "[{Node}] {Text}")]
    public static partial void ReplicationNotice(ILogger logger, string node, string text);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "[{Node}] {Text}")]
    public static partial void ReplicationWarning(ILogger logger, string node, string text);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "[{Node}] Full sync failed: the snapshot could not be serialised; its replicas are disconnected")]
    public static partial void ReplicaSyncFailed(ILogger logger, Exception ex, string node);
}
