// Full-sync transfers of the master (Redis 7.0's syncCommand tail, startBgsaveForReplication,
// replicationSetupSlaveForFullResync, rdbSaveToSlavesSockets, updateSlavesWaitingBgsave, sendBulkToSlave,
// replicaPutOnline / replicaStartCommandStream and shouldStartChildReplication).
//
// A "job" stands for Redis's RDB child: one copy-on-write snapshot taken under the lock, serialised on its own
// thread and sent to every replica set up for it. Two targets, as Redis chooses them:
//   * socket (diskless): `$EOF:<40 chars>\r\n`, the RDB streamed to all its replicas as it is produced, the mark.
//     Cannot be joined once started. The replicas go online at once but their stream is held until their first
//     REPLCONF ACK, so no byte follows the mark in the same read (a disk-loading 7.0 replica would miss the end).
//   * disk: the RDB is serialised completely (Redis writes dump.rdb; we keep it in memory), then `$<len>\r\n` and
//     the bytes go to each replica; it is online once the last byte left. A replica that asks while the snapshot
//     is being serialised joins it (same +FULLRESYNC offset, the stream buffered since the snapshot).
// Stream bytes produced after the snapshot collect in the job's shared buffer until each replica is online.
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using RedisPanel.Engine;
using RedisPanel.Protocol;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Replication;

public sealed partial class ReplicationMaster
{
    /// <summary>RDB bytes handed to the replicas at a time.</summary>
    private const int ChunkSize = 1 << 20;

    /// <summary>How much RDB may wait in a replica's output before the sender waits for its socket (Redis's child
    /// blocks on the pipe when a replica socket is not writable).</summary>
    private const int SendWindow = 4 << 20;

    private const int CapaEof = 1, CapaPsync2 = 2;

    // Jobs whose replicas are not all online yet: each collects the stream produced since its snapshot.
    private readonly List<SyncJob> _transfers = new();
    private long _jobSeq;
    private long _noReplicasSinceMs = -1;
    private long _lastReplCronMs;

    /// <summary>Replication log lines in Redis's words (warning = true for LL_WARNING); the node writes them to its log.</summary>
    public event Action<bool, string>? Log;

    /// <summary>Raised (under the lock) when a sync job finished sending: (job number, replicas served, RDB bytes, target, ms).</summary>
    public event Action<SyncJobReport>? SyncJobCompleted;

    /// <summary>Full-sync snapshots being produced or sent right now.</summary>
    public int TransfersInProgress => _transfers.Count;

    private void Notice(string text) => Log?.Invoke(false, text);
    private void Warn(string text) => Log?.Invoke(true, text);

    private sealed class SyncJob
    {
        public required long Number { get; init; }
        public required long Offset { get; init; }
        public required bool Diskless { get; init; }
        public required string? Filter { get; init; }
        public string? EofMark { get; init; }
        public ReplyBuffer Pending { get; } = new(4096);
        public List<ReplicaLink> Waiters { get; } = new();
        /// <summary>Disk target: the snapshot is fully serialised (the "child" exited); no one can join any more.</summary>
        public bool Serialised { get; set; }
        public long RdbBytes { get; set; }
        public long StartTicks { get; } = Stopwatch.GetTimestamp();
        public int Served { get; set; }
    }

    private static int Capa(ReplicaLink r) => (r.CapaEof ? CapaEof : 0) | (r.Psync2 ? CapaPsync2 : 0);

    private bool Alive(ReplicaLink r) => !r.Closing && _byClient.ContainsKey(r.Client);

    /// <summary>replicationGetSlaveName: ip:port, or the placeholder Redis prints when no port was announced.</summary>
    private static string Name(ReplicaLink r) => r.ListeningPort != 0 ? $"{r.Ip}:{r.ListeningPort}" : $"{r.Ip}:<unknown-replica-port>";

    /// <summary>syncCommand's full-sync tail: attach to a disk job in progress, wait (diskless delay / a job that
    /// cannot be joined), or start a job now. Caller holds the lock; the replica is attached and the backlog exists.</summary>
    private void BeginFullSync(ReplicaLink replica)
    {
        replica.State = ReplicaState.WaitBgsaveStart;
        replica.WaitSinceMs = _engine.Keyspace.NowMs;
        Notice($"Full resync requested by replica {Name(replica)}");
        if (_job is { } job)
        {
            if (!job.Diskless && !job.Serialised)
            {
                ReplicaLink? first = null;
                foreach (var w in job.Waiters)
                    if (w.State == ReplicaState.WaitBgsaveEnd && Alive(w) && (!w.RdbOnly || replica.RdbOnly)) { first = w; break; }
                if (first is not null && (Capa(replica) & Capa(first)) == Capa(first) && replica.RdbFilter == first.RdbFilter)
                {
                    SetupForFullResync(replica, job);
                    Notice("Waiting for end of BGSAVE for SYNC");
                    return;
                }
                Notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
                return;
            }
            Notice("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
            return;
        }
        if (_engine.Config.ReplDisklessSync && replica.CapaEof && _engine.Config.ReplDisklessSyncDelay > 0)
        {
            Notice("Delay next BGSAVE for diskless SYNC");
            return;
        }
        StartJob(Capa(replica), replica.RdbFilter);
    }

    /// <summary>shouldStartChildReplication + replicationStartPendingFork: no job running and replicas waiting to start
    /// one; with diskless sync, only once the longest waiter waited repl-diskless-sync-delay seconds or
    /// repl-diskless-sync-max-replicas of them are waiting.</summary>
    private void StartPendingJob()
    {
        if (_job is not null) return;
        long nowSec = _engine.Keyspace.NowMs / 1000;
        long maxIdle = 0;
        int waiting = 0, mincapa = 0;
        string? filter = null;
        bool first = true;
        foreach (var r in _replicas)
        {
            if (r.State != ReplicaState.WaitBgsaveStart || r.Closing) continue;
            if (first) filter = r.RdbFilter;
            else if (filter != r.RdbFilter) continue;
            maxIdle = Math.Max(maxIdle, nowSec - r.WaitSinceMs / 1000);
            waiting++;
            mincapa = first ? Capa(r) : mincapa & Capa(r);
            first = false;
        }
        var c = _engine.Config;
        if (waiting > 0 && (!c.ReplDisklessSync || (c.ReplDisklessSyncMaxReplicas > 0 && waiting >= c.ReplDisklessSyncMaxReplicas)
                            || maxIdle >= c.ReplDisklessSyncDelay))
            StartJob(mincapa, filter);
    }

    /// <summary>replicationSetupSlaveForFullResync: +FULLRESYNC with the snapshot's offset (none for a legacy SYNC).</summary>
    private void SetupForFullResync(ReplicaLink r, SyncJob job)
    {
        r.State = ReplicaState.WaitBgsaveEnd;
        r.Transfer = job;
        job.Waiters.Add(r);
        if (!r.PrePsync) r.Client.Writer.Raw(Encoding.ASCII.GetBytes($"+FULLRESYNC {_engine.ReplId} {job.Offset}\r\n"));
        r.Client.NotifyOutput();
    }

    /// <summary>
    /// startBgsaveForReplication: picks the target (socket when diskless sync is on, or a filter is asked, and every
    /// replica can read an EOF-marked payload), sets up every waiting replica with the same requirements, takes the
    /// snapshot and serialises it on its own thread.
    /// </summary>
    private void StartJob(int mincapa, string? filter)
    {
        bool diskless = (_engine.Config.ReplDisklessSync || filter is not null) && (mincapa & CapaEof) != 0;
        var job = new SyncJob
        {
            Number = ++_jobSeq,
            Offset = _engine.ReplOffset,
            Diskless = diskless,
            Filter = filter,
            EofMark = diskless ? _engine.NewRandomId() : null,
        };
        Notice($"Starting BGSAVE for SYNC with target: {(diskless ? "replicas sockets" : "disk")}");
        // The stream after the snapshot must start with SELECT (Redis resets slaveseldb at snapshot start).
        _selectedDb = -1;
        foreach (var r in _replicas)
            if (r.State == ReplicaState.WaitBgsaveStart && !r.Closing && r.RdbFilter == filter) SetupForFullResync(r, job);
        if (diskless)
        {
            byte[] head = Encoding.ASCII.GetBytes($"$EOF:{job.EofMark}\r\n");
            foreach (var r in job.Waiters)
            {
                r.Client.Writer.Raw(head);
                r.Client.NotifyOutput();
            }
        }
        _job = job;
        _transfers.Add(job);
        // A filtered snapshot (rdb-filter-only "", as redis-cli --replica asks) carries no keys: no snapshot needed.
        var snapshot = filter is null ? _engine.TakeSnapshot() : null;
        var info = _engine.CreateSaveInfo();
        bool compress = _engine.Config.RdbCompression, checksum = _engine.Config.RdbChecksum;
        SnapshotsTaken++;
        _engine.ReplicationSavesInProgress++;
        _engine.CountReplicationSave();
        Task.Factory.StartNew(() => RunJob(job, snapshot, info, compress, checksum), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The job's thread: serialise (streaming the chunks when diskless), then send (disk) and put online.</summary>
    private void RunJob(SyncJob job, KeyspaceSnapshot? snapshot, RdbSaveInfo info, bool compress, bool checksum)
    {
        List<(byte[] Buffer, int Length)>? chunks = job.Diskless ? null : new();
        bool ok = true;
        try
        {
            using var sink = new ChunkSink(job.Diskless
                ? (buf, len) => { if (!Deliver(job, buf.AsSpan(0, len))) throw new TransferAbandonedException(); }
                : (buf, len) =>
                {
                    var copy = ArrayPool<byte>.Shared.Rent(len);
                    buf.AsSpan(0, len).CopyTo(copy);
                    chunks!.Add((copy, len));
                });
            var w = new RdbWriter(sink, compress);
            w.WriteHeader(info);
            if (snapshot is not null) w.WriteDatabases(snapshot);
            w.WriteEnd(checksum);
            sink.Flush();
            job.RdbBytes = sink.Total;
            if (job.Diskless) Deliver(job, Encoding.ASCII.GetBytes(job.EofMark!));
        }
        catch (TransferAbandonedException)
        {
            // Every replica of a socket transfer went away: Redis kills the child ("last replica dropped").
            Warn("Diskless rdb transfer, last replica dropped, killing fork child.");
            ok = false;
        }
        catch (Exception e)
        {
            // Whatever failed, the job must end: its replicas get Redis's error and are closed (as when the child
            // fails), and the next full sync starts a new job.
            ok = false;
            SyncFailed?.Invoke(e);
        }
        finally
        {
            snapshot?.Dispose();
        }

        lock (_engine.SyncRoot) SnapshotDone(job, ok);
        if (!ok) return;
        if (chunks is not null)
        {
            foreach (var (buffer, length) in chunks)
            {
                Deliver(job, buffer.AsSpan(0, length));
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        PutOnlineWhenSent(job);
    }

    /// <summary>The "child" finished (checkChildrenDone → updateSlavesWaitingBgsave): disk replicas move to SEND_BULK with
    /// their `$len` preamble, a failed job closes its replicas, and a pending job may start now.</summary>
    private void SnapshotDone(SyncJob job, bool ok)
    {
        if (_job == job) _job = null;
        job.Serialised = true;
        _engine.ReplicationSavesInProgress--;
        if (!ok)
        {
            _transfers.Remove(job);
            foreach (var r in job.Waiters)
            {
                r.Transfer = null;
                if (!Alive(r)) continue;
                Warn("SYNC failed. BGSAVE child returned an error");
                r.Client.Writer.Error("ERR BGSAVE failed, replication can't continue");
                r.Client.NotifyOutput();
                r.Closing = true;
                r.Client.RequestClose();
            }
        }
        else if (!job.Diskless)
        {
            byte[] preamble = Encoding.ASCII.GetBytes($"${job.RdbBytes}\r\n");
            foreach (var r in job.Waiters)
            {
                if (!Alive(r)) continue;
                r.State = ReplicaState.SendBulk;
                r.Client.Writer.Raw(preamble);
                r.Client.NotifyOutput();
            }
        }
        StartPendingJob();
    }

    /// <summary>Hands one piece of RDB to every live replica of the job, waiting while any of them has a full send
    /// window. False when none is left.</summary>
    private bool Deliver(SyncJob job, ReadOnlySpan<byte> data)
    {
        // Bounded: a replica that does not drain its window for repl-timeout seconds is disconnected, as
        // replicationCron does for a socket transfer that made no progress ("Disconnecting timedout replica (full sync)").
        long blockedSince = 0;
        while (true)
        {
            lock (_engine.SyncRoot)
            {
                bool any = false, room = true;
                foreach (var r in job.Waiters)
                {
                    if (!Alive(r)) continue;
                    any = true;
                    if (r.Client.PendingOutput > SendWindow) room = false;
                }
                if (!any) return false;
                if (!room)
                {
                    if (blockedSince == 0) blockedSince = Stopwatch.GetTimestamp();
                    else if (Stopwatch.GetElapsedTime(blockedSince).TotalSeconds > Math.Max(1, _engine.Config.ReplTimeout))
                    {
                        foreach (var r in job.Waiters)
                        {
                            if (!Alive(r) || r.Client.PendingOutput <= SendWindow) continue;
                            Warn($"Disconnecting timedout replica (full sync): {Name(r)}");
                            r.Closing = true;
                            r.Client.RequestClose();
                        }
                        blockedSince = 0;
                        continue;
                    }
                }
                if (room)
                {
                    foreach (var r in job.Waiters)
                    {
                        if (!Alive(r)) continue;
                        r.Client.Writer.Raw(data);
                        r.Client.NotifyOutput();
                    }
                    return true;
                }
            }
            Thread.Sleep(1); // the socket pump drains the window meanwhile
        }
    }

    /// <summary>
    /// After the last RDB byte: a diskless replica is online at once with its stream held until its first ACK; a disk
    /// replica once its output drained to the socket (Redis puts it online when sendBulkToSlave wrote the last byte),
    /// so what it has queued from then on is stream only (what its output limit measures).
    /// </summary>
    private void PutOnlineWhenSent(SyncJob job)
    {
        while (true)
        {
            lock (_engine.SyncRoot)
            {
                bool remaining = false;
                foreach (var r in job.Waiters)
                {
                    if (!Alive(r) || r.Transfer != job) continue;
                    if (!job.Diskless && r.Client.PendingOutput > 0)
                    {
                        remaining = true;
                        continue;
                    }
                    PutOnline(r, job);
                }
                if (!remaining)
                {
                    _transfers.Remove(job);
                    double ms = Stopwatch.GetElapsedTime(job.StartTicks).TotalMilliseconds;
                    var report = new SyncJobReport(job.Number, job.Served, job.RdbBytes, job.Diskless ? "socket" : "disk", ms, job.Offset);
                    Notice($"Full sync job {report.Number} done: one snapshot ({report.RdbBytes} bytes, {report.Target} target, offset {report.Offset}) served {report.Replicas} replica(s) in {report.Milliseconds:F0} ms");
                    Raise(ReplicationEventKind.ReplicaSyncServed, false, null,
                        $"snapshot #{report.Number} ({report.Target}, {report.RdbBytes} bytes) served {report.Replicas} replica(s)");
                    SyncJobCompleted?.Invoke(report);
                    return;
                }
            }
            Thread.Sleep(1); // the socket pump is writing the tail
        }
    }

    /// <summary>replicaPutOnline (+ the stream held for diskless replicas until their ACK).</summary>
    private void PutOnline(ReplicaLink r, SyncJob job)
    {
        r.Transfer = null;
        job.Served++;
        if (r.RdbOnly)
        {
            // Not a replica: it wanted the snapshot only. Redis closes it; redis-cli closes first anyway, so we stop
            // feeding it and let it go.
            r.Closing = true;
            Notice($"RDB transfer completed, rdb only replica ({Name(r)}) should be disconnected asap");
            return;
        }
        r.State = ReplicaState.Online;
        r.AckTimeMs = _engine.Keyspace.NowMs;
        if (job.Diskless)
        {
            r.StreamOnAck = true;
            r.Held = new ReplyBuffer(Math.Max(4096, job.Pending.Length));
            r.Held.Write(job.Pending.WrittenSpan);
            Notice($"Streamed RDB transfer with replica {Name(r)} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming");
        }
        else
        {
            r.Client.Writer.Raw(job.Pending.WrittenSpan);
            r.Client.NotifyOutput();
        }
        Notice($"Synchronization with replica {Name(r)} succeeded");
        ReplicaOnline?.Invoke(r, false);
        Raise(ReplicationEventKind.ReplicaOnline, false, r.Endpoint, "replica online after full sync");
    }

    /// <summary>replicaStartCommandStream: the first ACK after a diskless transfer releases the held stream.</summary>
    private static void StartCommandStream(ReplicaLink r)
    {
        r.StreamOnAck = false;
        var held = r.Held;
        r.Held = null;
        if (held is null || held.Length == 0) return;
        r.Client.Writer.Raw(held.WrittenSpan);
        r.Client.NotifyOutput();
    }

    /// <summary>What a replica's output buffer holds of the stream, as checkClientOutputBufferLimits counts it: queued
    /// stream bytes (the snapshot itself is not counted), including what piled up while it waited for its snapshot.</summary>
    public long OutputBufferBytes(ReplicaLink r) => r.State switch
    {
        ReplicaState.Online => r.StreamOnAck ? r.Held?.Length ?? 0 : r.Client.PendingOutput,
        ReplicaState.WaitBgsaveEnd or ReplicaState.SendBulk => (r.Transfer as SyncJob)?.Pending.Length ?? 0,
        _ => 0,
    };

    /// <summary>
    /// checkClientOutputBufferLimits for the replica class: the hard limit (never below repl-backlog-size) at once, the
    /// soft limit once exceeded continuously for more than its seconds. A replica over a limit is closed
    /// asynchronously with Redis's log line.
    /// </summary>
    private void CheckOutputLimits()
    {
        var limits = _engine.Config.ClientOutputBufferLimits;
        if (limits.Length < 2) return;
        var lim = limits[1];
        if (lim.HardBytes == 0 && lim.SoftBytes == 0) return;
        List<ReplicaLink>? over = null;
        long now = _engine.Keyspace.NowMs;
        foreach (var r in _replicas)
        {
            if (r.Closing) continue;
            long used = OutputBufferBytes(r);
            long hardLimit = lim.HardBytes;
            long backlogSize = _backlog?.Size ?? Math.Max(ReplicationBacklog.MinSize, _engine.Config.ReplBacklogSize);
            if (hardLimit > 0 && hardLimit < backlogSize) hardLimit = backlogSize;
            bool hard = lim.HardBytes > 0 && used >= hardLimit;
            bool soft = lim.SoftBytes > 0 && used >= lim.SoftBytes;
            if (soft)
            {
                if (r.ObufSoftSinceMs == 0)
                {
                    r.ObufSoftSinceMs = now;
                    soft = false;
                }
                else if (now / 1000 - r.ObufSoftSinceMs / 1000 <= lim.SoftSeconds)
                {
                    soft = false;
                }
            }
            else
            {
                r.ObufSoftSinceMs = 0;
            }
            if (soft || hard) (over ??= new()).Add(r);
        }
        if (over is null) return;
        foreach (var r in over)
        {
            long used = OutputBufferBytes(r);
            r.Closing = true;
            Warn($"Client id={r.Client.Id} addr={r.Client.Address} laddr={r.Client.LocalAddress} name={r.Client.Name} flags=S db={r.Client.Db} omem={used} cmd={r.Client.LastCommand} scheduled to be closed ASAP for overcoming of output buffer limits.");
            Raise(ReplicationEventKind.ReplicaDisconnected, null, r.Endpoint,
                $"replica closed for overcoming of output buffer limits ({used.ToString(CultureInfo.InvariantCulture)} bytes)");
            r.Client.RequestClose();
        }
    }

    /// <summary>The 1 Hz part of replicationCron for transfers: keepalive newlines, pending jobs, output limits and
    /// repl-backlog-ttl.</summary>
    private void TransferCron(long now)
    {
        if (now - _lastReplCronMs < 1000) return;
        _lastReplCronMs = now;
        // A bare "\n" to replicas waiting for a snapshot to start, and to those waiting for a disk snapshot (none
        // during a socket transfer: those bytes belong to the RDB stream). Not counted in the offset.
        foreach (var r in _replicas)
        {
            if (r.Closing) continue;
            bool keepalive = r.State == ReplicaState.WaitBgsaveStart
                || (r.State == ReplicaState.WaitBgsaveEnd && r.Transfer is SyncJob { Diskless: false });
            if (!keepalive) continue;
            r.Client.Writer.Raw("\n"u8);
            r.Client.NotifyOutput();
        }
        StartPendingJob();
        CheckOutputLimits();
        BacklogTtl(now);
    }

    /// <summary>repl-backlog-ttl: a master without replicas for that long frees its backlog, taking a new replid and
    /// clearing replid2 (so it cannot accept a PSYNC into a history it has diverged from). Replicas keep theirs.</summary>
    private void BacklogTtl(long now)
    {
        if (_replicas.Count > 0 || _engine.Keyspace.IsReplica || _noReplicasSinceMs < 0)
        {
            // Redis restarts repl_no_slaves_since when the last replica leaves and on promotion: being a replica (or
            // having replicas) keeps the clock fresh.
            _noReplicasSinceMs = now;
            return;
        }
        int ttl = _engine.Config.ReplBacklogTtl;
        if (ttl <= 0 || _backlog is null) return;
        if ((now - _noReplicasSinceMs) / 1000 <= ttl) return;
        Ids = Ids.NewHistory(_engine.NewRandomId());
        _backlog = null;
        Notice($"Replication backlog freed after {ttl} seconds without connected replicas.");
    }

    // ---- writing the stream to online replicas ----

    // Least time between two replica flushes under a sustained load: short enough that a replica trails by well
    // under a millisecond, long enough that one flush carries tens of commands at 100k writes/s (a send per command
    // doubles the master's CPU per write and quadruples the replica's).
    private static readonly long FlushGapTicks = Stopwatch.Frequency / 4000; // 250 µs

    private bool _flushQueued; // a flush is due at the end of the current batch
    private bool _tailRegistered; // with ReplicaTailFlusher, for output appended inside the gap
    private long _lastFlushTicks;
    private long _lastFeedTicks;
    private readonly List<ClientSession> _flushTargets = new();

    /// <summary>
    /// The stream reaches online replicas in batches: every command appends to their output at once, but their
    /// sockets are written once for everything appended since the last flush (Redis writes replica buffers in
    /// beforeSleep, once per event-loop turn, not once per command). The write happens on the thread that ran the
    /// batch, at its end (<see cref="RedisEngine.BatchEnded"/>): handing it to the thread pool cost a thread wake per
    /// flush, a second thread contending for the lock, and the pool's spinning. Caller holds the lock.
    /// </summary>
    private void ScheduleReplicaFlush()
    {
        long now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _lastFeedTicks, now);
        if (_flushQueued) return;
        if (now - _lastFlushTicks >= FlushGapTicks)
        {
            // The first write after a quiet spell, or the first one a gap after the last flush: this batch's end
            // writes; under load, the propagations themselves pace the flushes (no timer latency on the way). Fed
            // outside a connection's batch (cron ping, expiry, a chained replica proxying its master): now.
            FlushSoon();
            return;
        }
        // Inside the gap: a later write flushes once the gap has passed; if the writes stop here, the tail flusher.
        if (_tailRegistered) return;
        _tailRegistered = true;
        ReplicaTailFlusher.Register(this);
    }

    /// <summary>Writes the replicas at the end of this batch (now outside one), whatever the gap (caller holds the lock).</summary>
    private void FlushSoon()
    {
        if (_engine.InBatch) _flushQueued = true;
        else WriteReplicas();
    }

    private void OnBatchEnded()
    {
        SendQueuedGetAck();
        if (_flushQueued) WriteReplicas();
    }

    /// <summary>
    /// Called by <see cref="ReplicaTailFlusher"/> every 1-4 ms while registered: once the writes paused for
    /// a gap, writes what is still unflushed and unregisters. While writes go on, it takes no lock.
    /// </summary>
    /// <returns>False while the writes go on (it stays registered).</returns>
    internal bool FlushTail()
    {
        if (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastFeedTicks) < FlushGapTicks) return false;
        lock (_engine.SyncRoot)
        {
            if (Stopwatch.GetTimestamp() - _lastFeedTicks < FlushGapTicks) return false;
            if (_lastFlushTicks < _lastFeedTicks || _flushQueued) WriteReplicas();
            _tailRegistered = false;
            ReplicaTailFlusher.Unregister(this);
            return true;
        }
    }

    /// <summary>Wakes the pump of every online replica with output pending; it sends inline (caller holds the lock).</summary>
    private void WriteReplicas()
    {
        _flushQueued = false;
        _lastFlushTicks = Stopwatch.GetTimestamp();
        foreach (var r in _replicas)
            if (r.State == ReplicaState.Online && !r.Closing && r.Client.PendingOutput > 0) _flushTargets.Add(r.Client);
        // A send that fails may close its connection, and so edit _replicas, before NotifyOutput returns.
        try
        {
            foreach (var c in _flushTargets) c.NotifyOutput();
        }
        finally
        {
            _flushTargets.Clear();
        }
    }

    private sealed class TransferAbandonedException : Exception;

    /// <summary>A write-only stream cutting what the RDB writer produces into chunks for a callback (one reused buffer).</summary>
    private sealed class ChunkSink : Stream
    {
        private readonly Action<byte[], int> _chunk;
        private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        private int _length;

        public ChunkSink(Action<byte[], int> chunk) => _chunk = chunk;

        public long Total { get; private set; }

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                int n = Math.Min(data.Length, _buffer.Length - _length);
                data[..n].CopyTo(_buffer.AsSpan(_length));
                _length += n;
                Total += n;
                data = data[n..];
                if (_length == _buffer.Length) Flush();
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void WriteByte(byte value) => Write([value]);

        public override void Flush()
        {
            if (_length == 0) return;
            int n = _length;
            _length = 0;
            _chunk(_buffer, n);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) ArrayPool<byte>.Shared.Return(_buffer);
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Total;
        public override long Position { get => Total; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>One finished full-sync job: one snapshot and the replicas it served.</summary>
/// <param name="Number">Job number since the node started.</param>
/// <param name="Replicas">Replicas that received the snapshot completely.</param>
/// <param name="RdbBytes">Size of the RDB payload.</param>
/// <param name="Target">"socket" (diskless, EOF-marked) or "disk" (`$len`).</param>
/// <param name="Milliseconds">From the snapshot to the last replica online.</param>
/// <param name="Offset">The +FULLRESYNC offset of the snapshot.</param>
public readonly record struct SyncJobReport(long Number, int Replicas, long RdbBytes, string Target, double Milliseconds, long Offset);
