// One numbered Redis database: keys → values, plus a separate table of expiry times (like Redis's db->expires,
// so keys without a TTL pay nothing for it). Expiry is checked lazily on every lookup; Keyspace runs the
// active cycle. Not thread-safe: the node's ordering lock covers every call.
using System.Runtime.CompilerServices;

namespace RedisPanel.Storage;

/// <summary>
/// A value slot: the value object. Its last access time (Redis's 24-bit LRU clock, in seconds) lives beside it in
/// the key table's entry (KeyTable.Find with a clock, <see cref="RedisDatabase.TryGetAccessClock"/>), which keeps
/// an entry at 24 bytes.
/// </summary>
public struct ValueSlot
{
    public object Value;
}

public sealed class RedisDatabase
{
    private readonly Keyspace _owner;
    private KeyTable<ValueSlot> _main = new();
    private KeyTable<long> _expires = new();

    internal RedisDatabase(Keyspace owner, int index)
    {
        _owner = owner;
        Index = index;
    }

    public int Index { get; }

    public int Count => _main.Count;

    public int ExpiresCount => _expires.Count;

    /// <summary>Sum of keys with a TTL and their remaining ms, for INFO keyspace's avg_ttl.</summary>
    public KeyTable<ValueSlot> Main => _main;

    public KeyTable<long> Expires => _expires;

    /// <summary>
    /// The value of <paramref name="key"/>, or null when absent or expired. On a master an expired key is deleted
    /// (and reported through <see cref="Keyspace.KeyExpired"/>); on a replica it is only hidden, as in Redis,
    /// because the master's DEL will come through the stream.
    /// </summary>
    public object? Get(ReadOnlySpan<byte> key)
    {
        // Touches before the expiry check (one lookup): an expired key is deleted or hidden right after anyway.
        ref ValueSlot slot = ref _main.Find(key, _owner.LruClock);
        if (Unsafe.IsNullRef(ref slot)) return null;
        if (_expires.Count != 0 && IsExpired(key))
        {
            if (_owner.KeepsExpiredKeys) return null;
            ExpireNow(key);
            return null;
        }
        return slot.Value;
    }

    /// <summary>Like <see cref="Get"/> but does not touch the access time (TYPE, OBJECT IDLETIME, EXISTS in Redis touch; SCAN does not).</summary>
    public object? Peek(ReadOnlySpan<byte> key)
    {
        ref ValueSlot slot = ref _main.Find(key);
        if (Unsafe.IsNullRef(ref slot)) return null;
        if (_expires.Count != 0 && IsExpired(key))
        {
            if (_owner.KeepsExpiredKeys) return null;
            ExpireNow(key);
            return null;
        }
        return slot.Value;
    }

    /// <summary>
    /// The slot of a live key (expiry applied), or a null reference. Touches the key's access time, as Redis's
    /// lookupKeyWrite does (APPEND, SETRANGE, INCR* read-modify-write through this slot).
    /// </summary>
    public ref ValueSlot GetSlot(ReadOnlySpan<byte> key)
    {
        ref ValueSlot slot = ref _main.Find(key, _owner.LruClock);
        if (Unsafe.IsNullRef(ref slot)) return ref slot;
        if (_expires.Count != 0 && IsExpired(key))
        {
            if (!_owner.KeepsExpiredKeys) ExpireNow(key);
            return ref Unsafe.NullRef<ValueSlot>();
        }
        return ref slot;
    }

    public bool Exists(ReadOnlySpan<byte> key) => Peek(key) is not null;

    /// <summary>
    /// Copy-on-write for snapshots: when an open snapshot may share the value of <paramref name="key"/> (a
    /// collection or MutableString from an older snapshot epoch), replaces it with a private copy, so an in-place
    /// mutation that follows does not reach the snapshot. Costs one field read when no snapshot is open.
    /// Ignores expiry (a logically expired key is copied too; harmless).
    /// </summary>
    public void Unshare(ReadOnlySpan<byte> key)
    {
        if (_owner.ActiveSnapshots == 0) return;
        ref ValueSlot slot = ref _main.Find(key);
        if (!Unsafe.IsNullRef(ref slot)) _owner.UnshareSlot(ref slot);
    }

    /// <summary><see cref="Get"/> for a caller about to mutate the value in place: never returns a value a snapshot shares.</summary>
    public object? GetForWrite(ReadOnlySpan<byte> key)
    {
        ref ValueSlot slot = ref GetSlot(key); // touches the access time
        if (Unsafe.IsNullRef(ref slot)) return null;
        if (_owner.ActiveSnapshots != 0) _owner.UnshareSlot(ref slot);
        return slot.Value;
    }

    /// <summary>
    /// The access clock of <paramref name="key"/> (24 bits of <see cref="Keyspace.LruClock"/>), without touching it
    /// or checking expiry (dictFind, as OBJECT IDLETIME and DEBUG OBJECT read robj.lru); false when absent.
    /// </summary>
    public bool TryGetAccessClock(ReadOnlySpan<byte> key, out uint clock) => _main.TryGetAccessClock(key, out clock);

    /// <summary>Sets the access clock of <paramref name="key"/> (RESTORE ... IDLETIME); false when absent.</summary>
    public bool SetAccessClock(ReadOnlySpan<byte> key, uint clock) => _main.SetAccessClock(key, clock);

    /// <summary>
    /// Seconds since <paramref name="clock"/> at <paramref name="now"/> (a <see cref="Keyspace.LruClock"/>), with
    /// the 24-bit clock's wrap-around as Redis's estimateObjectIdleTime.
    /// </summary>
    public static long IdleSeconds(uint now, uint clock)
    {
        now &= KeyTable<ValueSlot>.AccessClockMask;
        clock &= KeyTable<ValueSlot>.AccessClockMask;
        return now >= clock ? now - clock : now + (KeyTable<ValueSlot>.AccessClockMask - clock);
    }

    /// <summary>Frozen read-only views of the key and expiry tables (for a snapshot; see KeyTable.Freeze).</summary>
    internal (KeyTable<ValueSlot>, KeyTable<long>) FreezeTables(SnapshotCounter sharers)
        => (_main.Count == 0 ? new KeyTable<ValueSlot>() : _main.Freeze(sharers), _expires.Count == 0 ? new KeyTable<long>() : _expires.Freeze(sharers));

    /// <summary>Sets the value of a key; clears its TTL unless <paramref name="keepTtl"/>.</summary>
    public void Set(ReadOnlySpan<byte> key, object value, bool keepTtl = false)
    {
        ref ValueSlot slot = ref _main.GetOrAdd(key, _owner.LruClock, out bool existed);
        slot.Value = value;
        if (existed && !keepTtl && _expires.Count != 0) _expires.Remove(key);
        _owner.NotifyModified(Index, key);
    }

    /// <summary>
    /// SET's store step: stores a copy of <paramref name="value"/> as the string value of <paramref name="key"/>
    /// and returns the stored array. When the key already holds a plain string of the same length, the bytes are
    /// copied into that array instead of a new one (Redis frees the old value at once; here a replaced 1 KB array
    /// would be garbage in the pinned heap until a gen2 GC). Only safe when nothing else can see the old array:
    /// no snapshot is open (snapshots share values) and the value is longer than
    /// <see cref="StringValue.MaxSharedLength"/> (shorter ones may be shared by COPY or carry an encoding mark).
    /// </summary>
    public byte[] SetString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool keepTtl = false)
    {
        ref ValueSlot slot = ref _main.GetOrAdd(key, _owner.LruClock, out bool existed);
        byte[] stored;
        if (existed && value.Length > StringValue.MaxSharedLength && slot.Value is byte[] old && old.Length == value.Length
            && _owner.ActiveSnapshots == 0)
        {
            value.CopyTo(old);
            stored = old;
        }
        else
        {
            stored = StringValue.NewArray(value);
            slot.Value = stored;
        }
        if (existed && !keepTtl && _expires.Count != 0) _expires.Remove(key);
        _owner.NotifyModified(Index, key);
        return stored;
    }

    /// <summary>Adds a key that is known to be absent (after a failed lookup). Returns the stored key array.</summary>
    public void Add(ReadOnlySpan<byte> key, object value) => Set(key, value, keepTtl: false);

    public bool Remove(ReadOnlySpan<byte> key)
    {
        if (!_main.Remove(key)) return false;
        if (_expires.Count != 0) _expires.Remove(key);
        _owner.NotifyModified(Index, key);
        return true;
    }

    /// <summary>Removes a key and returns its value (RENAME, MOVE, GETDEL).</summary>
    public bool Remove(ReadOnlySpan<byte> key, out object? value, out long expireAtMs)
    {
        expireAtMs = -1;
        if (!_main.Remove(key, out var slot))
        {
            value = null;
            return false;
        }
        value = slot.Value;
        if (_expires.Count != 0 && _expires.Remove(key, out long at)) expireAtMs = at;
        _owner.NotifyModified(Index, key);
        return true;
    }

    /// <summary>
    /// Reports an in-place change of a key's value (LPUSH on an existing list, APPEND ...), like Redis's
    /// signalModifiedKey: WATCH and the dirty/modification hooks see it. Set/Remove/SetExpire call it themselves.
    /// </summary>
    public void SignalModified(ReadOnlySpan<byte> key) => _owner.NotifyModified(Index, key);

    /// <summary>Absolute expiry in Unix ms, or -1 when the key has no TTL.</summary>
    public long GetExpire(ReadOnlySpan<byte> key)
    {
        if (_expires.Count == 0) return -1;
        return _expires.TryGetValue(key, out long at) ? at : -1;
    }

    /// <summary>Sets the absolute expiry (Unix ms) of an existing key.</summary>
    public void SetExpire(ReadOnlySpan<byte> key, long atMs)
    {
        byte[]? stored = _main.GetStoredKey(key);
        if (stored is null) return;
        _expires.Set(key, atMs, stored);
        _owner.NotifyModified(Index, key);
    }

    public bool RemoveExpire(ReadOnlySpan<byte> key)
    {
        if (_expires.Count == 0 || !_expires.Remove(key)) return false;
        _owner.NotifyModified(Index, key);
        return true;
    }

    /// <summary>Redis's keyIsExpired: a key expires once the clock is strictly past its expiry time
    /// (at exactly the expiry millisecond it is still alive, with TTL 0).</summary>
    public bool IsExpired(ReadOnlySpan<byte> key)
    {
        return _expires.TryGetValue(key, out long at) && at < _owner.NowMs;
    }

    /// <summary>Deletes an expired key and reports it (lazy or active expiry).</summary>
    internal void ExpireNow(ReadOnlySpan<byte> key)
    {
        byte[]? stored = _main.GetStoredKey(key);
        _main.Remove(key);
        _expires.Remove(key);
        _owner.OnExpired(Index, stored ?? key.ToArray());
    }

    /// <summary>Removes every key.</summary>
    public void Clear()
    {
        _main = new KeyTable<ValueSlot>();
        _expires = new KeyTable<long>();
    }

    /// <summary>Swaps the contents with another database (SWAPDB).</summary>
    internal void SwapWith(RedisDatabase other)
    {
        (_main, other._main) = (other._main, _main);
        (_expires, other._expires) = (other._expires, _expires);
    }

    /// <summary>A random live key, or null.</summary>
    public byte[]? RandomKey(Random random)
    {
        // Bounded like Redis's dbRandomKey: on a replica every key may be logically expired.
        for (int tries = 0; tries < 100 && _main.Count > 0; tries++)
        {
            if (!_main.TryGetRandom(random, out var key, out _)) return null;
            if (_expires.Count != 0 && IsExpired(key))
            {
                if (_owner.KeepsExpiredKeys) continue;
                ExpireNow(key);
                continue;
            }
            return key;
        }
        return _main.Count > 0 && _main.TryGetRandom(random, out var k, out _) ? k : null;
    }

    /// <summary>
    /// Active expiry for this database: samples keys with a TTL and deletes the expired ones.
    /// Returns (sampled, expired) so the caller can repeat while more than a quarter were expired.
    /// </summary>
    public (int Sampled, int Expired) ActiveExpireStep(Random random, int samples)
    {
        if (_expires.Count == 0) return (0, 0);
        int expired = 0, sampled = 0;
        long now = _owner.NowMs;
        for (int i = 0; i < samples && _expires.Count > 0; i++)
        {
            if (!_expires.TryGetRandom(random, out var key, out long at)) break;
            sampled++;
            if (at < now) // activeExpireCycleTryExpire: now > when
            {
                ExpireNow(key);
                expired++;
            }
        }
        return (sampled, expired);
    }
}
