// INFO replication and ROLE in the master form of Redis 7.0 (genRedisInfoString, roleCommand). The legacy
// wire words ("slave", "connected_slaves") are Redis's own and kept byte for byte.
using System.Globalization;
using System.Text;
using RedisPanel.Protocol;

namespace RedisPanel.Replication;

public sealed partial class ReplicationMaster
{
    /// <summary>The body of "# Replication" (lines ending in CRLF), in Redis 7.0's order.</summary>
    public string InfoSection()
    {
        var sb = new StringBuilder(512);
        void Line(string name, object value) => sb.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");
        long now = _engine.Keyspace.NowMs;
        if (Replica is { IsReplica: true } replica) replica.AppendInfo(sb);
        else Line("role", "master");
        Line("connected_slaves", _replicas.Count);
        if (MinReplicasEnabled) Line("min_slaves_good_slaves", GoodReplicas);
        for (int i = 0; i < _replicas.Count; i++)
        {
            var r = _replicas[i];
            string state = r.State switch { ReplicaState.Online => "online", ReplicaState.SendBulk => "send_bulk", _ => "wait_bgsave" };
            long lag = r.State == ReplicaState.Online ? Math.Max(0, (now - r.AckTimeMs) / 1000) : 0;
            sb.Append(CultureInfo.InvariantCulture,
                $"slave{i}:ip={r.Ip},port={r.ListeningPort},state={state},offset={r.AckOffset},lag={lag}\r\n");
        }
        var ids = Ids;
        Line("master_failover_state", FailoverStateText);
        Line("master_replid", ids.ReplId);
        Line("master_replid2", ids.ReplId2);
        Line("master_repl_offset", ids.Offset);
        Line("second_repl_offset", ids.SecondOffset);
        Line("repl_backlog_active", _backlog is null ? 0 : 1);
        Line("repl_backlog_size", _backlog?.Size ?? Math.Max(ReplicationBacklog.MinSize, _engine.Config.ReplBacklogSize));
        Line("repl_backlog_first_byte_offset", _backlog?.FirstByteOffset ?? 0);
        Line("repl_backlog_histlen", _backlog?.HistLen ?? 0);
        return sb.ToString();
    }

    /// <summary>ROLE, master form: ["master", offset, [[ip, port, offset] ...]] with ONLINE replicas only, as bulk strings.</summary>
    public void WriteRole(RespWriter reply)
    {
        if (Replica is { IsReplica: true } replica)
        {
            replica.WriteRole(reply);
            return;
        }
        int online = 0;
        foreach (var r in _replicas) if (r.State == ReplicaState.Online) online++;
        reply.ArrayHeader(3);
        reply.Bulk("master"u8);
        reply.Integer(_engine.ReplOffset);
        reply.ArrayHeader(online);
        foreach (var r in _replicas)
        {
            if (r.State != ReplicaState.Online) continue;
            reply.ArrayHeader(3);
            reply.Bulk(r.Ip);
            reply.Bulk(r.ListeningPort.ToString(CultureInfo.InvariantCulture));
            reply.Bulk(r.AckOffset.ToString(CultureInfo.InvariantCulture));
        }
    }
}
