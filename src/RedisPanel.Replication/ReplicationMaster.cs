// The master side of replication for one node (Redis 7.0's replication.c, master half): the backlog sink that
// turns propagated commands into the stream (emitting SELECT when the db changes), the replicas and their
// states, full syncs served from one copy-on-write snapshot per job, partial resyncs from the backlog, ACKs,
// the periodic ping, WAIT, and the INFO replication text. On a replica the same machinery serves sub-replicas
// (chained replication): the stream is then its master's, proxied by FeedFromMaster, never its own. A dump's
// history is restored at start (RestoreHistory). Everything runs under the node's ordering lock except the RDB
// serialisation of a sync job, which reads only its snapshot.
using System.Globalization;
using System.Text;
using RedisPanel.Engine;
using RedisPanel.Protocol;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Replication;

/// <summary>Master-side replication of one engine. Create once per engine; it registers itself as a sink.</summary>
public sealed partial class ReplicationMaster : IPropagationSink
{
    private static readonly byte[] PingCommand = "*1\r\n$4\r\nping\r\n"u8.ToArray();
    private static readonly byte[] GetAckCommand = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"u8.ToArray();

    private readonly RedisEngine _engine;
    private readonly List<ReplicaLink> _replicas = new();
    private readonly Dictionary<ClientSession, ReplicaLink> _byClient = new();
    private readonly ReplyBuffer _select = new(32);
    private ReplicationBacklog? _backlog;
    private SyncJob? _job;
    private int _selectedDb = -1;
    private long _lastPingMs;

    public ReplicationMaster(RedisEngine engine)
    {
        _engine = engine;
        engine.AddPropagationSink(this);
        engine.ClientClosed += OnClientClosed;
        engine.CronTick += Cron;
        engine.BatchEnded += OnBatchEnded;
        engine.ReplicationInfo = InfoSection;
        engine.ReplicationStreamDb = SaveStreamDb;
    }

    /// <summary>The engine's identity and offset (the engine stores them so RDB AUX fields and DEBUG see them).</summary>
    public ReplicationIds Ids
    {
        get => new(_engine.ReplId, _engine.ReplId2, _engine.ReplOffset, _engine.SecondReplOffset);
        private set
        {
            _engine.ReplId = value.ReplId;
            _engine.ReplId2 = value.ReplId2;
            _engine.ReplOffset = value.Offset;
            _engine.SecondReplOffset = value.SecondOffset;
        }
    }

    /// <summary>The backlog, null until the first replica asked to sync.</summary>
    public ReplicationBacklog? Backlog => _backlog;

    /// <summary>Attached replicas in attach order (not MONITOR clients).</summary>
    public IReadOnlyList<ReplicaLink> Replicas => _replicas;

    /// <summary>Number of full syncs that serialised a snapshot (one job may serve several replicas).</summary>
    public long SnapshotsTaken { get; private set; }

    /// <summary>Raised (on the serialising task) when a sync job could not produce its RDB.</summary>
    public event Action<Exception>? SyncFailed;

    /// <summary>Raised (under the lock) when a replica comes online after a full sync or a partial resync.</summary>
    public event Action<ReplicaLink, bool>? ReplicaOnline;

    /// <summary>Every replication event of this node, master and replica side (see <see cref="ReplicationEvent"/>).</summary>
    public event Action<ReplicationEvent>? Event;

    /// <summary>Raises <see cref="Event"/> stamped with the node's clock.</summary>
    internal void Raise(ReplicationEventKind kind, bool? partial, string? peer, string message) =>
        Event?.Invoke(new ReplicationEvent(kind, _engine.Keyspace.NowMs, partial, peer, message));

    // ---- the stream ----

    /// <inheritdoc />
    public bool IsListening => _backlog is not null && !_engine.Keyspace.IsReplica;

    /// <inheritdoc />
    public void Propagate(int db, ReadOnlySpan<byte> command)
    {
        // Redis 7.0 feeds (and counts) the stream only while a backlog exists. A replica's offset is the applied
        // stream's (ReplicationReplica); it builds no stream of its own.
        if (_backlog is null || _engine.Keyspace.IsReplica) return;
        if (db != _selectedDb)
        {
            _select.Clear();
            var w = new RespWriter(_select);
            w.ArrayHeader(2);
            w.Bulk("SELECT"u8);
            Span<byte> digits = stackalloc byte[11];
            db.TryFormat(digits, out int n, provider: CultureInfo.InvariantCulture);
            w.Bulk(digits[..n]);
            Feed(_select.WrittenSpan);
            _selectedDb = db;
        }
        Feed(command);
    }

    /// <summary>
    /// A replica proxies what it applied from its master (Redis 7.0's replicationFeedStreamFromMasterStream): the
    /// bytes go verbatim into its backlog and to its own replicas, so the whole chain shares one replid and one
    /// offset space. Advances the node's offset (caller holds the lock).
    /// </summary>
    internal void FeedFromMaster(ReadOnlySpan<byte> bytes)
    {
        // A restarted replica that continued from its RDB's history has no backlog yet (createReplicationBacklog in
        // slaveTryPartialResynchronization): start one at the current offset, same history.
        if (_backlog is null || _backlog.Offset != _engine.ReplOffset)
            _backlog = new ReplicationBacklog(_engine.Config.ReplBacklogSize, _engine.ReplOffset);
        Feed(bytes);
    }

    /// <summary>Appends bytes to the stream: backlog, offset, the pending sync job, every online replica.</summary>
    private void Feed(ReadOnlySpan<byte> bytes)
    {
        var backlog = _backlog!;
        backlog.Append(bytes);
        _engine.ReplOffset = backlog.Offset;
        foreach (var job in _transfers) job.Pending.Write(bytes);
        foreach (var r in _replicas)
        {
            if (r.State != ReplicaState.Online || r.Closing) continue;
            if (r.StreamOnAck)
            {
                r.Held!.Write(bytes); // held until its first ACK after a diskless transfer
                continue;
            }
            r.Client.Writer.Raw(bytes);
            ScheduleReplicaFlush();
        }
        if (_replicas.Count > 0) CheckOutputLimits();
    }

    private void EnsureBacklog()
    {
        if (_backlog is not null) return;
        if (_engine.Keyspace.IsReplica)
        {
            // A replica never starts a history of its own: it serves its master's (normally it already has a backlog
            // from its own sync).
            _backlog = new ReplicationBacklog(_engine.Config.ReplBacklogSize, _engine.ReplOffset);
            return;
        }
        // createReplicationBacklog after changeReplicationId + clearReplicationId2: the first replica starts a new
        // history, so the node's master_replid changes at that moment (as observed on Redis 7.0).
        Ids = Ids.NewHistory(_engine.NewRandomId());
        _backlog = new ReplicationBacklog(_engine.Config.ReplBacklogSize, _engine.ReplOffset);
    }

    /// <summary>REPLICAOF NO ONE arithmetic applied to this node: shift replid to replid2, draw a new one, force SELECT.</summary>
    public void Promote()
    {
        Ids = Ids.Promote(_engine.NewRandomId());
        _selectedDb = -1;
        Raise(ReplicationEventKind.Promoted, null, null, $"promoted to master; replid2 {Ids.ReplId2} valid up to offset {Ids.SecondOffset - 1}");
        // Keep (or start) a backlog at the current offset without a new history, so a former sibling that asks for
        // offset+1 with the old id gets +CONTINUE.
        _backlog ??= new ReplicationBacklog(_engine.Config.ReplBacklogSize, _engine.ReplOffset);
    }

    /// <summary>The replica side, when the node has one (set by <see cref="ReplicationReplica"/>).</summary>
    internal ReplicationReplica? Replica { get; set; }

    internal void SetIds(ReplicationIds ids) => Ids = ids;

    /// <summary>
    /// disconnectSlaves: every replica of this node is dropped now (they reconnect and PSYNC). Used when this node's
    /// history changes under them: a full sync from its master, a new replid on +CONTINUE, promotion.
    /// </summary>
    internal void DisconnectReplicas()
    {
        foreach (var r in _replicas.ToArray())
        {
            _replicas.Remove(r);
            _byClient.Remove(r.Client);
            r.Client.RequestClose();
            Raise(ReplicationEventKind.ReplicaDisconnected, null, r.Endpoint, "replica disconnected: my replication history changed");
        }
        // A snapshot in progress belongs to the old history; nobody waits for it any more.
        _job = null;
        _transfers.Clear();
    }

    /// <summary>
    /// A replica's full sync from its master (replicationAttachToNewMaster, then the backlog recreated after loading):
    /// the old backlog is freed so no sub-replica can PSYNC into the old history; a new one starts at
    /// <paramref name="offset"/> with the master's replid.
    /// </summary>
    internal void ResetForFullSync(string replId, long offset)
    {
        DisconnectReplicas();
        Ids = new ReplicationIds(replId, ReplicationIds.NoId, offset, -1);
        _backlog = new ReplicationBacklog(_engine.Config.ReplBacklogSize, offset);
    }

    /// <summary>
    /// The replication stream db a dump written now records (rdbPopulateSaveInfo): a master's last SELECTed db (0
    /// when none) but only while it has a backlog; a replica's master-client db; null when the node is in no chain,
    /// so the dump carries no repl-id/repl-offset at all.
    /// </summary>
    private int? SaveStreamDb()
    {
        if (Replica is { IsReplica: true } replica) return replica.StreamDb;
        if (_backlog is null) return null;
        return _selectedDb == -1 ? 0 : _selectedDb;
    }

    /// <summary>
    /// loadDataFromDisk: a dump with repl-id/repl-offset/repl-stream-db restores the history. A replica takes them as
    /// its own replid/offset and caches its master from them (so it PSYNCs id offset+1); a master keeps its fresh
    /// replid, honours the old one as replid2 up to offset+1, rebases its offset and keeps a backlog there, so its
    /// former replicas continue after its restart.
    /// </summary>
    /// <param name="replId">The dump's repl-id AUX field, if any.</param>
    /// <param name="offset">Its repl-offset.</param>
    /// <param name="streamDb">Its repl-stream-db.</param>
    /// <param name="expiredKeys">Keys a master dropped at load because they had expired: each becomes a DEL in the
    /// backlog after the restored offset, as Redis feeds them while loading.</param>
    public void RestoreHistory(string? replId, long? offset, int? streamDb, IReadOnlyList<(int Db, byte[] Key)>? expiredKeys = null)
    {
        bool valid = replId is not null && offset is long && streamDb is >= 0;
        if (Replica is { IsReplica: true } replica)
        {
            if (!valid) return;
            Ids = new ReplicationIds(replId!, Ids.ReplId2, offset!.Value, Ids.SecondOffset);
            replica.CacheMasterFromDump(replId!, streamDb!.Value);
            return;
        }
        if (valid) Ids = new ReplicationIds(_engine.ReplId, replId!, offset!.Value, offset.Value + 1);
        // loadDataFromDisk: a master loads with a backlog so the DELs of expired keys are fed into it; without a
        // history in the dump the backlog is dropped again (the DELs still counted in the offset, as in Redis).
        _backlog = new ReplicationBacklog(_engine.Config.ReplBacklogSize, _engine.ReplOffset);
        if (expiredKeys is not null)
        {
            var command = new ReplyBuffer(64);
            foreach (var (db, key) in expiredKeys)
            {
                command.Clear();
                var w = new RespWriter(command);
                w.ArrayHeader(2);
                w.Bulk("DEL"u8);
                w.Bulk(key);
                Propagate(db, command.WrittenSpan);
            }
        }
        if (!valid) _backlog = null;
    }

    // ---- SYNC / PSYNC ----

    /// <summary>PSYNC replid offset (legacy = false) or SYNC (legacy = true) from <paramref name="client"/>; writes the reply.</summary>
    internal void HandleSync(ClientSession client, string requestedId, long requestedOffset, bool legacy)
    {
        var reply = client.Writer;
        if (FailoverState != FailoverState.NoFailover)
        {
            reply.Error("NOMASTERLINK Can't SYNC while failing over");
            return;
        }
        // syncCommand: a replica serves its own replicas (chained replication) only while its link is up; they get
        // its master's history and offsets, proxied verbatim (FeedFromMaster).
        if (_engine.Keyspace.IsReplica && Replica is not { State: MasterLinkState.Connected })
        {
            reply.Error("NOMASTERLINK Can't SYNC while not connected with my master");
            return;
        }
        if (!legacy)
        {
            var backlog = _backlog;
            var outcome = PsyncDecision.Decide(requestedId, requestedOffset, Ids,
                backlog is not null, backlog?.FirstByteOffset ?? 0, backlog?.HistLen ?? 0);
            if (outcome == PsyncOutcome.Continue && backlog!.TryCopyFrom(requestedOffset, out var missing))
            {
                var link = Attach(client);
                link.State = ReplicaState.Online;
                link.AckTimeMs = _engine.Keyspace.NowMs;
                reply.Raw(Encoding.ASCII.GetBytes(link.Psync2 ? $"+CONTINUE {_engine.ReplId}\r\n" : "+CONTINUE\r\n"));
                reply.Raw(missing);
                _engine.Stats.SyncPartialOk++;
                ReplicaOnline?.Invoke(link, true);
                Raise(ReplicationEventKind.ReplicaSyncServed, true, link.Endpoint, $"partial resync of {missing.Length} bytes from the backlog");
                return;
            }
            if (PsyncDecision.CountsAsPartialError(outcome)) _engine.Stats.SyncPartialErr++;
        }
        _engine.Stats.SyncFull++;
        var replica = Attach(client);
        replica.PrePsync = legacy;
        EnsureBacklog();
        // A legacy SYNC gets the payload without the +FULLRESYNC line (see ReplicationMaster.Sync.cs).
        BeginFullSync(replica);
        Raise(ReplicationEventKind.ReplicaSyncServed, false, replica.Endpoint, legacy ? "full sync (SYNC)" : "full sync");
    }

    private ReplicaLink Attach(ClientSession client)
    {
        var a = ReplicaAnnouncement.Of(client);
        client.Flags |= ClientFlags.Replica;
        var link = new ReplicaLink(client)
        {
            ListeningPort = a.ListeningPort, AnnouncedIp = a.Ip, Psync2 = a.Psync2,
            CapaEof = a.Eof, RdbOnly = a.RdbOnly, RdbFilter = a.RdbFilter,
        };
        _replicas.Add(link);
        _byClient[client] = link;
        return link;
    }

    // ---- REPLCONF ----

    /// <summary>REPLCONF ACK: raises the replica's acknowledged offset (never lowers it), refreshes its ACK time.</summary>
    internal void HandleAck(ClientSession client, long offset)
    {
        if (!_byClient.TryGetValue(client, out var link)) return;
        if (offset > link.AckOffset) link.AckOffset = offset;
        link.AckTimeMs = _engine.Keyspace.NowMs;
        if (link.StreamOnAck && link.State == ReplicaState.Online) StartCommandStream(link);
        ServeWaiters();
    }

    private void OnClientClosed(ClientSession client)
    {
        if (!_byClient.Remove(client, out var link)) return;
        _replicas.Remove(link);
        if (_replicas.Count == 0) _noReplicasSinceMs = _engine.Keyspace.NowMs; // repl_no_slaves_since
        Raise(ReplicationEventKind.ReplicaDisconnected, null, link.Endpoint, "replica disconnected");
        // The backlog stays (repl-backlog-ttl), so the replica can come back with PSYNC and CONTINUE.
    }

    // ---- cron ----

    private void Cron()
    {
        long now = _engine.Keyspace.NowMs;
        WriteSafetyCron(now);
        // replicationCron: ping the replicas every repl-ping-replica-period seconds; the ping is part of the stream.
        int period = Math.Max(1, _engine.Config.ReplPingReplicaPeriod);
        // A replica never pings its own replicas: they get its master's pings, proxied.
        if (_replicas.Count > 0 && _backlog is not null && !_engine.Keyspace.IsReplica && now - _lastPingMs >= period * 1000L
            && !PingHeldByFailover)
        {
            _lastPingMs = now;
            Feed(PingCommand);
        }
        TransferCron(now);
        ExpireWaiters(now);
        // replicationCron: an online replica silent for repl-timeout is dropped ("Disconnecting timedout replica
        // (streaming sync)"); it comes back with PSYNC and continues from the backlog.
        long timeoutMs = Math.Max(1, _engine.Config.ReplTimeout) * 1000L;
        foreach (var r in _replicas)
            if (r.State == ReplicaState.Online && !r.PrePsync && now - r.AckTimeMs > timeoutMs) r.Client.RequestClose();
    }

    /// <summary>Sends REPLCONF GETACK * to the replicas (WAIT), counted in the stream.</summary>
    private void RequestAcks()
    {
        // Redis sends no GETACK while clients are paused (it would move the offset a FAILOVER compares): later.
        if (_engine.PauseKind != PauseKind.Off)
        {
            _ackPending = true;
            return;
        }
        if (_backlog is null || _replicas.Count == 0) return;
        if (_engine.InBatch)
        {
            // Redis sets get_ack_from_slaves and sends one GETACK in beforeSleep, after the command: the WAIT's
            // client woff (taken right after the call) does not include its own GETACK. See OnBatchEnded.
            _getAckQueued = true;
            return;
        }
        Feed(GetAckCommand);
        // A waiting client: out at this batch's end even inside the flush gap (Redis sends it in beforeSleep).
        FlushSoon();
    }

    private bool _getAckQueued; // a WAIT of the current batch asked for ACKs: GETACK goes out when the batch ends

    /// <summary>The GETACK a WAIT of the batch asked for (caller holds the lock; the batch is ending).</summary>
    private void SendQueuedGetAck()
    {
        if (!_getAckQueued) return;
        _getAckQueued = false;
        if (_engine.PauseKind != PauseKind.Off)
        {
            _ackPending = true;
            return;
        }
        if (_backlog is null || _replicas.Count == 0 || _engine.Keyspace.IsReplica) return;
        Feed(GetAckCommand);
        _flushQueued = true;
    }
}
