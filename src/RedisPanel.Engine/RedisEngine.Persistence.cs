// RDB persistence of the engine: SAVE (blocking), BGSAVE (a background task writing a copy-on-write snapshot,
// one at a time, BGSAVE SCHEDULE), save points checked by the cron, DEBUG RELOAD and loading a dump (at node
// start) into a fresh keyspace that is swapped in only when complete. Mirrors Redis 7.0's rdb.c/server.c
// bookkeeping (dirty counter, lastsave, lastbgsave_status) that INFO persistence and LASTSAVE report.
using System.Diagnostics;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Engine;

public sealed partial class RedisEngine
{
    private Task? _bgsave;
    private KeyspaceSnapshot? _bgsaveSnapshot;
    private long _bgsaveStartMs;
    private long _lastBgsaveTryMs;

    /// <summary>dir + dbfilename.</summary>
    public string RdbPath => Path.Combine(Config.Dir, Config.DbFilename);

    public bool BgsaveInProgress => _bgsave is not null;

    /// <summary>BGSAVE SCHEDULE (or BGSAVE inside MULTI) asked for a save the cron starts when possible.</summary>
    public bool BgsaveScheduled { get; private set; }

    /// <summary>rdb_last_bgsave_status: true after a successful save (and before any).</summary>
    public bool LastBgsaveOk { get; private set; } = true;

    /// <summary>rdb_last_bgsave_time_sec (-1 before the first).</summary>
    public long LastBgsaveSeconds { get; private set; } = -1;

    /// <summary>rdb_saves.</summary>
    public long RdbSaves { get; private set; }

    /// <summary>Snapshots for replication being produced (Redis's RDB child for SYNC): shown in rdb_bgsave_in_progress.</summary>
    public int ReplicationSavesInProgress { get; set; }

    /// <summary>A snapshot for replication started: Redis counts it in rdb_saves like a BGSAVE.</summary>
    public void CountReplicationSave() => RdbSaves++;

    /// <summary>How long the node was held to take the latest snapshot (INFO's latest_fork_usec).</summary>
    public double LastSnapshotPauseMs { get; private set; }

    /// <summary>Snapshots taken (INFO's total_forks: each stands where Redis forks a child).</summary>
    public long SnapshotsTaken { get; private set; }

    /// <summary>rdb_current_bgsave_time_sec: seconds the running save has taken, -1 when none runs.</summary>
    public long CurrentBgsaveSeconds => _bgsave is null ? -1 : (Keyspace.NowMs - _bgsaveStartMs) / 1000;

    public long LastLoadKeysLoaded { get; private set; }
    public long LastLoadKeysExpired { get; private set; }

    /// <summary>(keys written, keys total) of the save in progress, for INFO current_save_keys_*.</summary>
    public (long Processed, long Total) CurrentSaveProgress
        => _bgsaveSnapshot is { } s ? (s.KeysWritten, s.TotalKeys) : (0, 0);

    /// <summary>Raised (on the saving thread, after the bookkeeping) when a background save ends: ok or not.</summary>
    public event Action<bool>? BackgroundSaveCompleted;

    /// <summary>Warnings from loading (skipped records), for the host's log.</summary>
    public event Action<string>? PersistenceWarning;

    /// <summary>
    /// writeCommandsDeniedByDiskError's RDB part (called only while the last background save failed): with
    /// stop-writes-on-bgsave-error and at least one save point, write commands and PING get -MISCONF, except from
    /// our master (Redis obeys its master whatever its disk says). Reads keep working; a successful save clears it.
    /// </summary>
    private bool DeniedByBgsaveError(ClientSession client, CommandDef def)
        => Config.StopWritesOnBgsaveError && Config.SavePoints.Count > 0 && !client.Has(ClientFlags.Master)
            && (def.IsWrite || (def.Parent ?? def).Name == "ping" || (def.Name == "exec" && QueuesWrite(client)));

    /// <summary>
    /// processCommand's is_write_command for EXEC: a transaction holding a write (queued before the save failed, or
    /// before the node turned read-only replica) is a write, so EXEC itself is refused (and aborts the transaction)
    /// rather than running it.
    /// </summary>
    public bool QueuesWrite(ClientSession client)
    {
        if (client.MultiQueue is not { } queue) return false;
        foreach (var queued in queue)
        {
            var q = Table.Find(queued[0]);
            if (q?.Subcommands is not null && queued.Length > 1) q = CommandTable.FindSub(q, queued[1]) ?? q;
            if (q is not null && q.IsWrite) return true;
        }
        return false;
    }

    /// <summary>
    /// Set by the replication layer: the repl-stream-db a dump written now records, or null when the node is in no
    /// replication chain (rdbPopulateSaveInfo returns NULL), in which case the dump has no repl-* AUX fields.
    /// </summary>
    public Func<int?>? ReplicationStreamDb { get; set; }

    /// <summary>The AUX fields of a dump written now.</summary>
    public RdbSaveInfo CreateSaveInfo() => new()
    {
        CtimeSeconds = Keyspace.NowMs / 1000,
        UsedMemory = GC.GetTotalMemory(false),
        ReplStreamDb = ReplicationStreamDb is { } streamDb ? streamDb() : 0,
        ReplId = ReplId,
        ReplOffset = ReplOffset,
    };

    /// <summary>Takes a snapshot, measuring the pause (caller holds the lock).</summary>
    public KeyspaceSnapshot TakeSnapshot()
    {
        long t0 = Stopwatch.GetTimestamp();
        var snap = Keyspace.TakeSnapshot();
        LastSnapshotPauseMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        SnapshotsTaken++;
        return snap;
    }

    /// <summary>SAVE: writes the dump synchronously (caller holds the lock). Null on success, else the reason.</summary>
    public string? SaveNow()
    {
        using var snap = TakeSnapshot();
        try
        {
            RdbFile.Save(RdbPath, snap, CreateSaveInfo(), Config.RdbCompression, Config.RdbChecksum);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // rdbSave sets lastbgsave_status only on success: a failed SAVE leaves it as it was.
            return e.Message;
        }
        RdbSaves++;
        Dirty = 0;
        LastSaveUnixSeconds = Keyspace.NowMs / 1000;
        LastBgsaveOk = true;
        return null;
    }

    /// <summary>
    /// BGSAVE: takes a snapshot now and writes it on a background task. Caller holds the lock. Returns null when
    /// started, or Redis's error text.
    /// </summary>
    public string? StartBackgroundSave()
    {
        if (_bgsave is not null) return "ERR Background save already in progress";
        var snap = TakeSnapshot();
        var info = CreateSaveInfo();
        string path = RdbPath;
        bool compress = Config.RdbCompression, checksum = Config.RdbChecksum;
        long dirtyAtStart = Dirty;
        _bgsaveStartMs = _lastBgsaveTryMs = Keyspace.NowMs;
        _bgsaveSnapshot = snap;
        BgsaveScheduled = false;
        var started = new TaskCompletionSource();
        // Its own thread, as the replication snapshot: the save keeps a thread busy for its whole length (~1 s per
        // million keys), and the pool's workers (as many as cores) are the ones serving every connection.
        _bgsave = Task.Factory.StartNew(() =>
        {
            started.Task.Wait(); // _bgsave is assigned before the task can finish
            bool ok = true;
            try
            {
                RdbFile.Save(path, snap, info, compress, checksum);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ok = false;
                PersistenceWarning?.Invoke($"Background saving error: {e.Message}");
            }
            finally
            {
                snap.Dispose();
            }
            lock (SyncRoot)
            {
                _bgsave = null;
                _bgsaveSnapshot = null;
                RdbSaves++;
                long now = Keyspace.NowMs;
                LastBgsaveSeconds = (now - _bgsaveStartMs) / 1000;
                LastBgsaveOk = ok;
                if (ok)
                {
                    // Writes that arrived during the save are still unsaved (server.dirty - dirty_before_bgsave).
                    Dirty = Math.Max(0, Dirty - dirtyAtStart);
                    LastSaveUnixSeconds = now / 1000;
                }
            }
            BackgroundSaveCompleted?.Invoke(ok);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        started.SetResult();
        return null;
    }

    /// <summary>The running background save, or a completed task (await it outside the lock).</summary>
    public Task BackgroundSaveTask => _bgsave ?? Task.CompletedTask;

    /// <summary>BGSAVE SCHEDULE / BGSAVE in MULTI: the cron starts it.</summary>
    public void ScheduleBackgroundSave() => BgsaveScheduled = true;

    /// <summary>serverCron's save part: a scheduled BGSAVE, then the `save` points (retrying a failed save after 5 s).</summary>
    private void PersistenceCron()
    {
        if (_bgsave is not null || _aofRewrite is not null) return; // one background job at a time, as Redis's child
        if (BgsaveScheduled)
        {
            StartBackgroundSave();
            return;
        }
        long now = Keyspace.NowMs;
        foreach (var (seconds, changes) in Config.SavePoints)
        {
            if (Dirty >= changes && now / 1000 - LastSaveUnixSeconds > seconds
                && (now - _lastBgsaveTryMs > 5000 || LastBgsaveOk))
            {
                StartBackgroundSave();
                return;
            }
        }
    }

    /// <summary>SHUTDOWN's save (prepareForShutdown): true when the node may stop.</summary>
    public bool SaveBeforeShutdown(ShutdownFlags flags)
    {
        bool save = (flags & ShutdownFlags.Save) != 0 || (Config.SavePoints.Count > 0 && (flags & ShutdownFlags.NoSave) == 0);
        if (!save) return true;
        if (SaveNow() is { } error)
        {
            PersistenceWarning?.Invoke($"Error trying to save the DB, can't exit: {error}");
            return (flags & ShutdownFlags.Force) != 0;
        }
        return true;
    }

    /// <summary>
    /// Loads a dump file into a fresh keyspace (no lock held while parsing) and swaps it in under the lock.
    /// Throws <see cref="RdbFormatException"/> / IO errors with the current dataset untouched.
    /// </summary>
    public RdbLoadResult LoadDump(string path)
    {
        var fresh = new Keyspace(Keyspace.DatabaseCount, Time);
        var options = new RdbLoadOptions
        {
            SkipExpired = !Keyspace.IsReplica, // a master drops keys already expired, as rdbLoad does
            NowMs = Keyspace.NowMs,
            VerifyChecksum = Config.RdbChecksum,
            Limits = EncodingLimits,
            Warning = w => PersistenceWarning?.Invoke(w),
        };
        var result = RdbFile.Load(path, fresh, options);
        lock (SyncRoot)
        {
            Keyspace.ReplaceContents(fresh);
            LastLoadKeysLoaded = result.KeysLoaded;
            LastLoadKeysExpired = result.KeysExpired;
        }
        return result;
    }
}
