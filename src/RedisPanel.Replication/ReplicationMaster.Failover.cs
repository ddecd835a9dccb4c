// Coordinated failover, master side (Redis 7.0's failoverCommand, updateFailoverStatus, abortFailover,
// clearFailoverState in replication.c): FAILOVER pauses writes, waits until a replica (the named one or the first
// that catches up) acknowledged exactly master_repl_offset, then turns this node into a replica of it; the replica
// link sends `PSYNC <replid> <offset+1> FAILOVER`, which makes the target promote itself. +CONTINUE/+FULLRESYNC ends
// the failover; any other answer aborts it and this node becomes a master again.
using RedisPanel.Engine;

namespace RedisPanel.Replication;

/// <summary>master_failover_state of INFO replication.</summary>
public enum FailoverState
{
    /// <summary>no-failover</summary>
    NoFailover,
    /// <summary>waiting-for-sync: writes paused, waiting for a replica's ACK to equal master_repl_offset.</summary>
    WaitingForSync,
    /// <summary>failover-in-progress: this node is a replica of the target and sent PSYNC ... FAILOVER.</summary>
    InProgress,
}

public sealed partial class ReplicationMaster
{
    private long _failoverEndMs; // 0: no timeout
    private bool _forceFailover;
    private string? _failoverHost;
    private int _failoverPort;

    /// <summary>The coordinated failover's state.</summary>
    public FailoverState FailoverState { get; private set; }

    /// <summary>The failover target as "host:port", null while none is chosen.</summary>
    public string? FailoverTarget => _failoverHost is null ? null : $"{_failoverHost}:{_failoverPort}";

    /// <summary>INFO's master_failover_state value.</summary>
    public string FailoverStateText => FailoverState switch
    {
        FailoverState.WaitingForSync => "waiting-for-sync",
        FailoverState.InProgress => "failover-in-progress",
        _ => "no-failover",
    };

    /// <summary>FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]; the checks in Redis's order, its texts.</summary>
    internal void HandleFailover(CommandContext ctx)
    {
        var a = ctx.Args;
        var reply = ctx.Reply;
        if (a.Count == 2 && a.Is(1, "abort"))
        {
            if (FailoverState == FailoverState.NoFailover)
            {
                reply.Error("ERR No failover in progress.");
                return;
            }
            AbortFailover("Failover manually aborted");
            reply.Ok();
            return;
        }

        long timeoutMs = 0;
        bool force = false;
        string? host = null;
        long port = 0;
        for (int j = 1; j < a.Count; j++)
        {
            if (a.Is(j, "timeout") && j + 1 < a.Count && timeoutMs == 0)
            {
                if (!ctx.TryGetLong(j + 1, out timeoutMs)) return;
                if (timeoutMs <= 0)
                {
                    reply.Error("ERR FAILOVER timeout must be greater than 0");
                    return;
                }
                j++;
            }
            else if (a.Is(j, "to") && j + 2 < a.Count && host is null)
            {
                if (!ctx.TryGetLong(j + 2, out port)) return;
                host = a.GetString(j + 1);
                j += 2;
            }
            else if (a.Is(j, "force") && !force)
            {
                force = true;
            }
            else
            {
                reply.Error(Errors.Syntax);
                return;
            }
        }

        if (FailoverState != FailoverState.NoFailover)
        {
            reply.Error("ERR FAILOVER already in progress.");
            return;
        }
        if (_engine.Keyspace.IsReplica)
        {
            reply.Error("ERR FAILOVER is not valid when server is a replica.");
            return;
        }
        if (_replicas.Count == 0)
        {
            reply.Error("ERR FAILOVER requires connected replicas.");
            return;
        }
        if (force && (timeoutMs == 0 || host is null))
        {
            reply.Error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
            return;
        }
        if (host is not null)
        {
            var target = FindReplica(host, port);
            if (target is null)
            {
                reply.Error("ERR FAILOVER target HOST and PORT is not a replica.");
                return;
            }
            if (target.State != ReplicaState.Online)
            {
                reply.Error("ERR FAILOVER target replica is not online.");
                return;
            }
            _failoverHost = host;
            _failoverPort = (int)port;
        }
        _failoverEndMs = timeoutMs > 0 ? _engine.Keyspace.NowMs + timeoutMs : 0;
        _forceFailover = force;
        FailoverState = FailoverState.WaitingForSync;
        // Writes (and commands that may replicate) wait until the failover ends; replicas are never paused.
        _engine.PauseClients(long.MaxValue, PauseKind.Write, PausePurpose.Failover);
        Raise(ReplicationEventKind.Failover, null, FailoverTarget,
            host is null ? "FAILOVER requested to any replica" : $"FAILOVER requested to {host}:{port}");
        reply.Ok();
    }

    /// <summary>findReplica: the replica whose shown IP equals <paramref name="host"/> (case-insensitive) and whose
    /// announced listening port equals <paramref name="port"/>.</summary>
    private ReplicaLink? FindReplica(string host, long port)
    {
        foreach (var r in _replicas)
            if (string.Equals(host, r.Ip, StringComparison.OrdinalIgnoreCase) && port == r.ListeningPort) return r;
        return null;
    }

    /// <summary>
    /// updateFailoverStatus (cron; caller holds the lock): on timeout abort, or with FORCE fail over anyway; else
    /// fail over as soon as the target (or any replica) acknowledged exactly master_repl_offset.
    /// </summary>
    internal void UpdateFailoverStatus()
    {
        if (FailoverState != FailoverState.WaitingForSync) return;
        long now = _engine.Keyspace.NowMs;
        if (_failoverEndMs != 0 && _failoverEndMs <= now)
        {
            if (_forceFailover)
            {
                Raise(ReplicationEventKind.Failover, null, FailoverTarget, "FAILOVER time out exceeded, failing over");
                StartFailover();
            }
            else
            {
                AbortFailover("Replica never caught up before timeout");
            }
            return;
        }
        ReplicaLink? replica = null;
        if (_failoverHost is not null)
        {
            replica = FindReplica(_failoverHost, _failoverPort);
        }
        else
        {
            foreach (var r in _replicas)
            {
                if (r.AckOffset != _engine.ReplOffset) continue;
                replica = r;
                _failoverHost = r.Ip;
                _failoverPort = r.ListeningPort;
                break;
            }
        }
        if (replica is not null && replica.AckOffset == _engine.ReplOffset)
        {
            Raise(ReplicationEventKind.Failover, null, FailoverTarget, "failover target is synced, failing over");
            StartFailover();
        }
    }

    /// <summary>The switch: this node becomes a replica of the target; its PSYNC carries FAILOVER.</summary>
    private void StartFailover()
    {
        FailoverState = FailoverState.InProgress;
        if (Replica is null)
        {
            AbortFailover("this node cannot become a replica");
            return;
        }
        Replica.ReplicaOf(_failoverHost!, _failoverPort);
    }

    /// <summary>abortFailover: an in-progress failover turns this node back into a master (new replid), then the
    /// state is cleared and writes resume.</summary>
    internal void AbortFailover(string why)
    {
        if (FailoverState == FailoverState.NoFailover) return;
        Raise(ReplicationEventKind.Failover, null, FailoverTarget,
            (_failoverHost is null ? "FAILOVER to any replica aborted: " : $"FAILOVER to {FailoverTarget} aborted: ") + why);
        if (FailoverState == FailoverState.InProgress) Replica?.NoOne();
        ClearFailoverState();
    }

    /// <summary>clearFailoverState: forget the target and the timeout, and lift the failover's write pause.</summary>
    internal void ClearFailoverState()
    {
        _failoverEndMs = 0;
        _forceFailover = false;
        _failoverHost = null;
        _failoverPort = 0;
        FailoverState = FailoverState.NoFailover;
        _engine.UnpauseClients(PausePurpose.Failover);
    }

    /// <summary>The replica link's PSYNC answer during a failover: +CONTINUE/+FULLRESYNC completes it, anything
    /// else (an error, a dropped link) aborts it. Caller holds the lock.</summary>
    internal void OnFailoverPsyncReply(bool accepted)
    {
        if (FailoverState != FailoverState.InProgress) return;
        if (accepted)
        {
            Raise(ReplicationEventKind.Failover, null, FailoverTarget, "failover completed: the target accepted PSYNC FAILOVER");
            ClearFailoverState();
        }
        else
        {
            AbortFailover("Failover target rejected psync request");
        }
    }

    /// <summary>Whether the periodic ping is held back: Redis skips it while a failover with a timeout keeps
    /// clients paused, so the offsets it compares stay put.</summary>
    private bool PingHeldByFailover => _failoverEndMs != 0 && _engine.PauseKind != PauseKind.Off;

    /// <summary>
    /// syncCommand's FAILOVER branch: a replica whose replid equals the requested one promotes itself (REPLICAOF NO
    /// ONE) and the PSYNC is then served normally; false when an error was replied.
    /// </summary>
    internal bool AcceptFailoverRequest(CommandContext ctx)
    {
        if (Replica is not { IsReplica: true } replica)
        {
            ctx.Reply.Error("ERR PSYNC FAILOVER can't be sent to a master.");
            return false;
        }
        if (!string.Equals(ctx.Args.GetString(1), _engine.ReplId, StringComparison.OrdinalIgnoreCase))
        {
            ctx.Reply.Error("ERR PSYNC FAILOVER replid must match my replid.");
            return false;
        }
        replica.NoOne();
        Raise(ReplicationEventKind.Failover, null, ctx.Client.Address, "MASTER MODE enabled (failover request)");
        return true;
    }
}
