// Server-wide state owned by the SERVER and CONNECTION families: client pause (CLIENT PAUSE/UNPAUSE),
// RESET of a connection's state, the replication identity placeholders INFO reports, the active-expire switch
// of DEBUG SET-ACTIVE-EXPIRE, LASTSAVE, and the SHUTDOWN request the node host acts on.
using RedisPanel.Protocol;

namespace RedisPanel.Engine;

/// <summary>What CLIENT PAUSE holds (Redis's CLIENT_PAUSE_OFF/WRITE/ALL, in increasing restriction).</summary>
public enum PauseKind
{
    Off = 0,
    Write = 1,
    All = 2,
}

/// <summary>Why clients are paused (Redis's pause_purpose); each purpose is paused and unpaused on its own.</summary>
public enum PausePurpose
{
    /// <summary>CLIENT PAUSE / CLIENT UNPAUSE.</summary>
    ClientCommand = 0,
    /// <summary>A coordinated FAILOVER waiting for its target (writes paused until it ends).</summary>
    Failover = 1,
}

/// <summary>SHUTDOWN's options, as parsed from the command.</summary>
[Flags]
public enum ShutdownFlags
{
    None = 0,
    NoSave = 1,
    Save = 2,
    Now = 4,
    Force = 8,
}

public sealed partial class RedisEngine
{
    private readonly List<(ClientSession Client, byte[][] Args)> _postponed = new();
    private string? _replId;

    // ---- replication identity (placeholders; the replication layer owns and sets them) ----

    /// <summary>master_replid: 40 hex digits, drawn once from the node's random source.</summary>
    public string ReplId
    {
        get => _replId ??= NewRandomId();
        set => _replId = value;
    }

    /// <summary>master_replid2: the previous replid after a promotion, all zeros otherwise.</summary>
    public string ReplId2 { get; set; } = new string('0', 40);

    /// <summary>master_repl_offset: bytes of replication stream produced (or applied on a replica).</summary>
    public long ReplOffset { get; set; }

    /// <summary>second_repl_offset: -1 unless <see cref="ReplId2"/> is valid.</summary>
    public long SecondReplOffset { get; set; } = -1;

    // ---- persistence placeholders ----

    /// <summary>LASTSAVE / rdb_last_save_time in Unix seconds. Redis sets it to the start time before any save.</summary>
    public long LastSaveUnixSeconds
    {
        get => _lastSave ?? StartTimeMs / 1000;
        set => _lastSave = value;
    }
    private long? _lastSave;

    /// <summary>The highest used_memory INFO has reported (used_memory_peak).</summary>
    public long UsedMemoryPeak { get; set; }

    // ---- DEBUG SET-ACTIVE-EXPIRE ----

    /// <summary>False after DEBUG SET-ACTIVE-EXPIRE 0: the cron stops deleting expired keys (lazy expiry stays).</summary>
    public bool ActiveExpireEnabled { get; set; } = true;

    // ---- SHUTDOWN ----

    /// <summary>
    /// Raised (under the lock) by SHUTDOWN. The node host stops the node; the requesting connection gets no reply,
    /// as with Redis, whose process exits. Without a handler SHUTDOWN replies Redis's failure error.
    /// </summary>
    public event Action<ShutdownFlags>? ShutdownRequested;

    /// <summary>Raises <see cref="ShutdownRequested"/>; false when nobody handles it.</summary>
    public bool RequestShutdown(ShutdownFlags flags)
    {
        if (ShutdownRequested is null) return false;
        ShutdownRequested(flags);
        return true;
    }

    // ---- RESET ----

    /// <summary>Raised (under the lock) by RESET so families drop the client's state (watched keys, subscriptions, tracking).</summary>
    public event Action<ClientSession>? ClientReset;

    /// <summary>Redis's clearClientConnectionState: leaves MONITOR, db 0, RESP2, default auth, no MULTI, no name.</summary>
    public void ResetClient(ClientSession c)
    {
        if (c.Has(ClientFlags.Monitor))
        {
            Monitors.Remove(c);
            c.Flags &= ~(ClientFlags.Monitor | ClientFlags.Replica);
        }
        c.Db = 0;
        c.Writer.Protocol = 2;
        c.User = "default";
        c.Authenticated = Config.RequirePass.Length == 0;
        c.MultiQueue = null;
        c.Flags &= ~(ClientFlags.Multi | ClientFlags.DirtyCas | ClientFlags.DirtyExec | ClientFlags.PubSub
            | ClientFlags.ReadOnlyCluster | ClientFlags.NoEvict);
        c.Name = "";
        ClientReset?.Invoke(c);
    }

    // ---- error statistics ----

    /// <summary>Redis's afterErrorReply: counts every error reply (total_error_replies) and its code (errorstats,
    /// at most 128 distinct codes, as Redis's ERROR_STATS_NUMBER).</summary>
    private void CountErrorReply(string message)
    {
        Stats.TotalErrorReplies++;
        int space = message.IndexOf(' ');
        string code = space < 0 ? message : message[..space];
        var codes = Stats.ErrorCodes;
        if (codes.TryGetValue(code, out long n)) codes[code] = n + 1;
        else if (codes.Count < 128) codes[code] = 1;
    }

    // ---- hooks for INFO and CLIENT LIST filled by other families ----

    /// <summary>Set by the pub/sub family: a client's (channels, patterns) subscription counts.</summary>
    public Func<ClientSession, (int Channels, int Patterns)>? SubscriptionCounts { get; set; }

    /// <summary>Set by the pub/sub family: the server's (channels, patterns) with subscribers.</summary>
    public Func<(long Channels, long Patterns)>? PubSubCounts { get; set; }

    /// <summary>Set by the replication layer: the body of INFO's "# Replication" section (lines ending in CRLF).</summary>
    public Func<string>? ReplicationInfo { get; set; }

    // ---- CLIENT PAUSE ----

    // One pause per purpose (Redis 7.0's client_pause_per_purpose): CLIENT UNPAUSE lifts only the CLIENT PAUSE
    // one, so a FAILOVER's write pause survives it. The effective pause is the most restrictive live one.
    private readonly (PauseKind Kind, long EndMs)[] _pauses = new (PauseKind, long)[2];

    /// <summary>The effective pause: the most restrictive of the live per-purpose pauses.</summary>
    public PauseKind PauseKind { get; private set; }

    /// <summary>Unix ms at which the effective pause ends (the latest end of the live pauses).</summary>
    public long PauseEndMs { get; private set; }

    /// <summary>Clients whose command waits for the pause to end (INFO's blocked_clients counts them).</summary>
    public int PostponedClients => _postponed.Count;

    /// <summary>Redis's pauseClients: a second pause of the same purpose keeps the longer end and the more restrictive kind.</summary>
    public void PauseClients(long endMs, PauseKind kind, PausePurpose purpose = PausePurpose.ClientCommand)
    {
        ref var p = ref _pauses[(int)purpose];
        p = p.Kind == PauseKind.Off ? (kind, endMs) : ((PauseKind)Math.Max((int)p.Kind, (int)kind), Math.Max(p.EndMs, endMs));
        UpdatePause();
    }

    /// <summary>Ends the pause of <paramref name="purpose"/> (CLIENT UNPAUSE: the command's own) and runs the
    /// postponed commands in arrival order when the effective pause got less restrictive.</summary>
    public void UnpauseClients(PausePurpose purpose = PausePurpose.ClientCommand)
    {
        if (_pauses[(int)purpose].Kind == PauseKind.Off) return;
        _pauses[(int)purpose] = default;
        UpdatePause();
    }

    /// <summary>Ends an elapsed pause (called by the cron and before each command, like Redis's
    /// checkClientPauseTimeoutAndReturnIfPaused).</summary>
    public void CheckPauseExpired()
    {
        if (PauseKind != PauseKind.Off && PauseEndMs < Keyspace.NowMs) UpdatePause();
    }

    /// <summary>updateClientPauseTypeAndEndTime: drops elapsed pauses, recomputes the effective one, and
    /// re-dispatches the postponed commands when it got less restrictive.</summary>
    private void UpdatePause()
    {
        var before = PauseKind;
        PauseKind kind = PauseKind.Off;
        long end = 0;
        long now = Keyspace.NowMs;
        for (int i = 0; i < _pauses.Length; i++)
        {
            if (_pauses[i].Kind == PauseKind.Off) continue;
            if (_pauses[i].EndMs < now)
            {
                _pauses[i] = default;
                continue;
            }
            kind = (PauseKind)Math.Max((int)kind, (int)_pauses[i].Kind);
            end = Math.Max(end, _pauses[i].EndMs);
        }
        PauseKind = kind;
        PauseEndMs = end;
        Keyspace.ExpiryPaused = kind != PauseKind.Off;
        if (kind < before) RunPostponed();
    }

    /// <summary>
    /// disconnectAllBlockedClients (a master turning replica, REPLICAOF or FAILOVER): every client blocked inside a
    /// command (BLPOP, WAIT ...) gets -UNBLOCKED and is closed after that reply. Clients postponed by a pause are
    /// left alone: their command starts over when the pause ends (and meets the replica's checks).
    /// </summary>
    public void DisconnectAllBlockedClients()
    {
        foreach (var c in Clients.Values.ToArray())
        {
            if (!c.Has(ClientFlags.Blocked) || _postponed.Exists(p => p.Client == c)) continue;
            c.Writer.Error("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");
            c.Flags |= ClientFlags.CloseAfterReply;
            var done = c.Unblocked;
            c.CancelBlock?.Invoke(c);
            c.Flags &= ~ClientFlags.Blocked;
            c.CancelBlock = null;
            c.NotifyOutput();
            done?.TrySetResult();
        }
    }

    /// <summary>
    /// The dispatcher's pause gate (Redis's processCommand: a paused server blocks the client with
    /// BLOCKED_POSTPONE). Every command under PAUSE ALL, write/may-replicate commands (and EXEC of such a
    /// transaction) under PAUSE WRITE; never replicas. The command is kept and re-dispatched when the pause ends.
    /// </summary>
    private bool TryPostpone(ClientSession client, CommandDef def, ArgList args)
    {
        if (PauseKind == PauseKind.Off) return false;
        CheckPauseExpired();
        if (PauseKind == PauseKind.Off || client.Has(ClientFlags.Replica)) return false;
        if (PauseKind == PauseKind.Write && !MayReplicate(client, def)) return false;
        client.Flags |= ClientFlags.Blocked;
        client.Unblocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CancelBlock = c => _postponed.RemoveAll(p => p.Client == c);
        _postponed.Add((client, args.ToArrays()));
        return true;
    }

    private bool MayReplicate(ClientSession client, CommandDef def)
    {
        static bool Writes(CommandDef d) =>
            ((d.Flags | (d.Parent?.Flags ?? CommandFlags.None)) & (CommandFlags.Write | CommandFlags.MayReplicate)) != 0;
        if (Writes(def)) return true;
        if (def.Name != "exec" || client.MultiQueue is null) return false;
        foreach (var queued in client.MultiQueue)
        {
            var q = Table.Find(queued[0]);
            if (q?.Subcommands is not null && queued.Length > 1) q = CommandTable.FindSub(q, queued[1]) ?? q;
            if (q is not null && Writes(q)) return true;
        }
        return false;
    }

    private void RunPostponed()
    {
        if (_postponed.Count == 0) return;
        var waiting = _postponed.ToArray();
        _postponed.Clear();
        foreach (var (client, args) in waiting)
        {
            var done = client.Unblocked;
            client.Flags &= ~ClientFlags.Blocked;
            client.Unblocked = null;
            client.CancelBlock = null;
            // Re-dispatch from the start, as Redis reprocesses an unblocked postponed client: it may be paused
            // again (a new pause) or block on a key; the connection keeps waiting on the first signal until then.
            Execute(client, args);
            if (client.Has(ClientFlags.Blocked) && client.Unblocked is { } again && done is not null)
                again.Task.ContinueWith(_ => done.TrySetResult(), TaskContinuationOptions.ExecuteSynchronously);
            else
                done?.TrySetResult();
            client.NotifyOutput();
        }
    }
}
