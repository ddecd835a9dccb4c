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
}
