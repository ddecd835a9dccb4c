// All databases of one node, with the node's clock. The engine is notified of modifications (WATCH, stats,
// dirty counter) and of expired keys (propagated as DEL, as Redis 7.0 does) through two hooks.
namespace RedisPanel.Storage;

/// <summary>A key event raised under the node lock; the span is only valid during the call.</summary>
public delegate void KeyEventHandler(int db, ReadOnlySpan<byte> key);

public sealed class Keyspace
{
    private RedisDatabase[] _dbs;
    private readonly TimeProvider _time;
    private readonly long _startTicks;

    public Keyspace(int databases, TimeProvider time)
    {
        _time = time;
        _startTicks = time.GetTimestamp();
        _dbs = new RedisDatabase[databases];
        for (int i = 0; i < databases; i++) _dbs[i] = new RedisDatabase(this, i);
    }

    public int DatabaseCount => _dbs.Length;

    public RedisDatabase this[int index] => _dbs[index];

    public TimeProvider Time => _time;

    /// <summary>Unix time in milliseconds from the node's clock.</summary>
    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Seconds since the keyspace was created; the access clock of OBJECT IDLETIME.</summary>
    /// <remarks>Every GET/SET stamps it, so with the system clock it is recomputed at most once per coarse tick
    /// (1-4 ms), like Redis's server.lruclock cached by serverCron; other clocks (tests) are read every time.</remarks>
    public uint LruClock
    {
        get
        {
            if (!ReferenceEquals(_time, TimeProvider.System)) return (uint)_time.GetElapsedTime(_startTicks).TotalSeconds;
            long tick = Environment.TickCount64;
            if (tick != _lruTick)
            {
                _lruTick = tick;
                _lruClock = (uint)_time.GetElapsedTime(_startTicks).TotalSeconds;
            }
            return _lruClock;
        }
    }

    private long _lruTick = long.MinValue;
    private uint _lruClock;

    /// <summary>On a replica expired keys are hidden but not deleted (the master sends DEL).</summary>
    public bool IsReplica { get; set; }

    /// <summary>Set while clients are paused (CLIENT PAUSE, FAILOVER): a master keeps its dataset static, so expired
    /// keys are hidden but not deleted until the pause ends (Redis 7.0's expireIfNeeded).</summary>
    public bool ExpiryPaused { get; set; }

    /// <summary>Expired keys are hidden, not deleted: on a replica, or while expiry is paused.</summary>
    public bool KeepsExpiredKeys => IsReplica || ExpiryPaused;

    /// <summary>Called (under the node lock) when a key is deleted because it expired: (db, key).</summary>
    public Action<int, byte[]>? KeyExpired { get; set; }

    /// <summary>Called (under the node lock) whenever a key is written or deleted: (db, key).</summary>
    public KeyEventHandler? KeyModified { get; set; }

    /// <summary>Counts expired keys (INFO stats expired_keys).</summary>
    public long ExpiredKeys { get; set; }

    internal void OnExpired(int db, byte[] key)
    {
        ExpiredKeys++;
        KeyModified?.Invoke(db, key);
        KeyExpired?.Invoke(db, key);
    }

    internal void NotifyModified(int db, ReadOnlySpan<byte> key)
    {
        KeyModified?.Invoke(db, key);
    }

    public long TotalKeys()
    {
        long n = 0;
        foreach (var db in _dbs) n += db.Count;
        return n;
    }

    public void FlushAll()
    {
        foreach (var db in _dbs) db.Clear();
    }

    public void Swap(int a, int b) => _dbs[a].SwapWith(_dbs[b]);

    /// <summary>
    /// Replaces every database's contents with those of <paramref name="loaded"/> (a keyspace filled by a loader),
    /// leaving <paramref name="loaded"/> with the old contents. Used to swap a fully loaded dataset in at once.
    /// </summary>
    public void ReplaceContents(Keyspace loaded)
    {
        for (int i = 0; i < _dbs.Length; i++)
        {
            if (i < loaded._dbs.Length) _dbs[i].SwapWith(loaded._dbs[i]);
            else _dbs[i].Clear();
        }
    }

    // ---- snapshots (copy-on-write at value granularity, see KeyspaceSnapshot) ----

    private int _activeSnapshots;

    /// <summary>The epoch of the newest snapshot; mutable values older than it may be shared with one.</summary>
    public int SnapshotEpoch { get; private set; }

    /// <summary>Number of open snapshots; writers copy shared values only while it is non-zero.</summary>
    public int ActiveSnapshots => Volatile.Read(ref _activeSnapshots);

    /// <summary>
    /// Takes a point-in-time view of every database (call under the node lock). Cost: two array copies per
    /// non-empty db. Dispose it when done, from any thread.
    /// </summary>
    public KeyspaceSnapshot TakeSnapshot()
    {
        SnapshotEpoch++;
        Interlocked.Increment(ref _activeSnapshots);
        var dbs = new (KeyTable<ValueSlot>, KeyTable<long>)[_dbs.Length];
        for (int i = 0; i < _dbs.Length; i++) dbs[i] = _dbs[i].CloneTables();
        return new KeyspaceSnapshot(this, dbs, NowMs);
    }

    internal void ReleaseSnapshot() => Interlocked.Decrement(ref _activeSnapshots);

    /// <summary>
    /// Replaces a mutable value that an open snapshot may share with a private copy. A value is trusted as
    /// private only when this method made it in the current epoch: values stored by other paths may have moved
    /// from a key the snapshot holds (RENAME, MOVE), so they are never stamped elsewhere.
    /// </summary>
    internal void UnshareSlot(ref ValueSlot slot)
    {
        switch (slot.Value)
        {
            case RedisCollection c when c.SnapshotEpoch != SnapshotEpoch:
                var copy = c.DeepClone();
                copy.SnapshotEpoch = SnapshotEpoch;
                slot.Value = copy;
                break;
            case MutableString m when m.SnapshotEpoch != SnapshotEpoch:
                slot.Value = new MutableString(m.Span) { SnapshotEpoch = SnapshotEpoch };
                break;
        }
    }
}
