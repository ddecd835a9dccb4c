// min-replicas-to-write / min-replicas-max-lag (Redis 7.0's refreshGoodSlavesCount and checkGoodReplicasStatus):
// a master counts its "good" replicas (online, last ACK at most max-lag seconds old) once a second and when a
// replica comes online, and refuses write commands (and EXEC of a transaction with writes) with -NOREPLICAS
// while fewer than min-replicas-to-write are good. Both settings must be non-zero; replicas are exempt.
using RedisPanel.Engine;

namespace RedisPanel.Replication;

public sealed partial class ReplicationMaster
{
    private long _lastGoodRefreshMs;
    private int _onlineAtRefresh;
    private bool _ackPending; // a WAIT asked for ACKs while clients were paused

    /// <summary>repl_good_slaves_count: good replicas at the last refresh (INFO's min_slaves_good_slaves).</summary>
    public int GoodReplicas { get; private set; }

    /// <summary>Whether min-replicas-to-write is in force (both settings non-zero).</summary>
    public bool MinReplicasEnabled => _engine.Config.MinReplicasToWrite > 0 && _engine.Config.MinReplicasMaxLag > 0;

    /// <summary>refreshGoodSlavesCount: only while the feature is on (the count stays as it was otherwise).</summary>
    internal void RefreshGoodReplicas()
    {
        if (!MinReplicasEnabled) return;
        long now = _engine.Keyspace.NowMs;
        int good = 0;
        foreach (var r in _replicas)
        {
            // Redis compares whole seconds: unixtime - repl_ack_time <= max-lag.
            long lag = now / 1000 - r.AckTimeMs / 1000;
            if (r.State == ReplicaState.Online && lag <= _engine.Config.MinReplicasMaxLag) good++;
        }
        GoodReplicas = good;
    }

    /// <summary>
    /// The cron part of write safety: the failover state machine (Redis checks it every loop while failing over),
    /// the good-replica count once a second and when a replica came online, and a GETACK held back by a pause.
    /// </summary>
    private void WriteSafetyCron(long now)
    {
        UpdateFailoverStatus();
        int online = 0;
        foreach (var r in _replicas) if (r.State == ReplicaState.Online) online++;
        if (now - _lastGoodRefreshMs >= 1000 || online > _onlineAtRefresh)
        {
            _lastGoodRefreshMs = now;
            RefreshGoodReplicas();
        }
        _onlineAtRefresh = online;
        if (_ackPending && _engine.PauseKind == PauseKind.Off)
        {
            _ackPending = false;
            RequestAcks();
        }
    }

    /// <summary>
    /// processCommand's min-replicas check: -NOREPLICAS for a write command (or EXEC of queued writes) on a master
    /// with too few good replicas, else null.
    /// </summary>
    internal string? NoReplicasRefusal(ClientSession client, CommandDef def)
    {
        if (!MinReplicasEnabled || GoodReplicas >= _engine.Config.MinReplicasToWrite) return null;
        return IsWriteCommand(client, def) ? Errors.NoReplicas : null;
    }

    /// <summary>CMD_WRITE of the command, or of any command queued for this EXEC (mstate.cmd_flags).</summary>
    private bool IsWriteCommand(ClientSession client, CommandDef def)
    {
        if (def.IsWrite) return true;
        if (def.Name != "exec" || client.MultiQueue is not { } queue) return false;
        foreach (var queued in queue)
        {
            var q = _engine.Table.Find(queued[0]);
            if (q?.Subcommands is not null && queued.Length > 1) q = CommandTable.FindSub(q, queued[1]) ?? q;
            if (q is not null && q.IsWrite) return true;
        }
        return false;
    }
}
