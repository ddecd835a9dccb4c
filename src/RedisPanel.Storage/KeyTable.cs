// A hash table keyed by byte strings, built for a Redis keyspace:
//  - lookups by ReadOnlySpan<byte> allocate nothing; the key array is allocated once, on insert;
//  - power-of-two buckets scanned with Redis's reverse-binary cursor (dictScan), so SCAN keeps Redis's
//    guarantee (every element present for the whole scan is returned) across grow and shrink;
//  - entries live in chunks of 1024 (buckets in chunks of 4096) with a free list, so a point-in-time view
//    (Freeze, for BGSAVE and full sync without fork, ARCHITECTURE §3.5) copies only the two small arrays of chunk
//    references: ~1 µs per 1M keys instead of cloning 28 MB under the node lock. After a freeze the live table
//    copies a chunk before its first write to it (copy-on-write at chunk granularity, like the pages a forked
//    Redis child shares with its parent); once every snapshot of the owner is released it stops copying.
// Not thread-safe: the owning node serialises access; a frozen view may be read by one other thread meanwhile.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace RedisPanel.Storage;

/// <summary>
/// Counts the open snapshots that may share chunks of a keyspace's tables. A table frozen for a snapshot copies
/// chunks before writing them only while <see cref="Active"/> is non-zero.
/// </summary>
public sealed class SnapshotCounter
{
    private int _active;

    /// <summary>Open snapshots; read from the writer's thread, changed from any thread.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Counts one more open snapshot (before freezing tables for it).</summary>
    public void Acquire() => Interlocked.Increment(ref _active);

    /// <summary>Ends one snapshot, from any thread, once its frozen views are no longer read.</summary>
    public void Release() => Interlocked.Decrement(ref _active);
}

public sealed class KeyTable<TValue>
{
    // 24 bytes with an 8-byte TValue (the keyspace's ValueSlot): two references and two ints. The full hash is not
    // stored (Resize recomputes it from the key); an 8-bit tag of it skips most foreign keys in a chain, and the
    // other 24 bits hold the key's LRU clock, as Redis's robj keeps a 24-bit lru field.
    private struct Entry
    {
        public byte[]? Key;   // null when the slot is free
        public TValue Value;
        public uint Meta;     // access clock << 8 | hash tag
        public int Next;      // index of the next entry in the chain, -1 at the end; free list link when free
    }

    /// <summary>Bits of the access clock an entry keeps (Redis's LRU_BITS); the clock wraps like Redis's.</summary>
    public const uint AccessClockMask = 0xFFFFFF;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint TagOf(int hash) => (uint)hash >> 24; // high bits: the bucket index uses the low ones

    // Entry chunks of 1024 stay below the large object heap (24 KB for the keyspace's 24-byte entries), so a
    // copy-on-write copy is cheap and short-lived; small tables have one chunk of their exact capacity.
    private const int EntryShift = 10;
    private const int EntryChunk = 1 << EntryShift;
    private const int EntryMask = EntryChunk - 1;
    private const int BucketShift = 12;
    private const int BucketChunk = 1 << BucketShift;
    private const int BucketMask = BucketChunk - 1;

    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();

    private int[][] _buckets;   // entry index + 1; 0 = empty bucket. One chunk of _bucketCount, or full chunks.
    private Entry[][] _entries; // one chunk of _capacity (< EntryChunk), or full chunks
    private int _bucketCount;
    private int _capacity;
    private int _count;
    private int _used;          // high-water mark of entry indexes
    private int _freeList = -1;

    // Copy-on-write state. A chunk is private when its stamp equals _epoch; null stamps mean every chunk is private
    // (never frozen, or rebuilt since). _readOnly marks a frozen view.
    private int[]? _entryStamps;
    private int[]? _bucketStamps;
    private int _epoch;
    private SnapshotCounter? _sharers;
    private bool _readOnly;

    public KeyTable(int capacity = 4)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, capacity));
        _buckets = NewBuckets(size);
        _bucketCount = size;
        _entries = NewEntries(size);
        _capacity = size;
    }

    public int Count => _count;

    /// <summary>Number of buckets (for SCAN and INFO-like statistics).</summary>
    public int BucketCount => _bucketCount;

    /// <summary>True for a view made by <see cref="Freeze"/>: it must not be written.</summary>
    public bool IsReadOnly => _readOnly;

    public static int HashOf(ReadOnlySpan<byte> key)
    {
        // A 64-bit multiply-xorshift over 8-byte words with a per-process seed (hash flooding resistance
        // comparable to a seeded non-cryptographic hash; Redis uses SipHash with a random seed).
        ulong h = Seed ^ ((ulong)key.Length * 0x9E3779B97F4A7C15UL);
        int i = 0;
        while (i + 8 <= key.Length)
        {
            h = (h ^ MemoryMarshal.Read<ulong>(key[i..])) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
            i += 8;
        }
        if (i < key.Length)
        {
            ulong tail = 0;
            for (int s = 0; i < key.Length; i++, s += 8) tail |= (ulong)key[i] << s;
            h = (h ^ tail) * 0x94D049BB133111EBUL;
        }
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 32;
        return (int)h;
    }

    private static int[][] NewBuckets(int count)
    {
        if (count <= BucketChunk) return [new int[count]];
        var chunks = new int[count >> BucketShift][];
        for (int c = 0; c < chunks.Length; c++) chunks[c] = new int[BucketChunk];
        return chunks;
    }

    private static Entry[][] NewEntries(int capacity)
    {
        if (capacity <= EntryChunk) return [new Entry[capacity]];
        var chunks = new Entry[(capacity + EntryMask) >> EntryShift][];
        for (int c = 0; c < chunks.Length; c++) chunks[c] = new Entry[EntryChunk];
        return chunks;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int BucketRef(int b) => ref _buckets[b >> BucketShift][b & BucketMask];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry EntryRef(int i) => ref _entries[i >> EntryShift][i & EntryMask];

    // The lookup loops skip the bounds check inside a chunk (the chunk reference itself stays checked): a bucket
    // b < _bucketCount lies in a chunk of min(_bucketCount, BucketChunk) ints, and an entry index taken from a
    // bucket or a chain is < _used, inside a chunk of min(_capacity, EntryChunk) entries. Keeps a GET at the
    // cost of the flat arrays this table had before chunking.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BucketAt(int[][] buckets, int b)
        => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buckets[b >> BucketShift]), b & BucketMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref Entry EntryAt(Entry[][] entries, int i)
        => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries[i >> EntryShift]), i & EntryMask);

    /// <summary>The bucket slot for writing: its chunk is copied first when a snapshot may share it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int OwnedBucket(int b)
    {
        int c = b >> BucketShift;
        var stamps = _bucketStamps;
        int[] chunk = stamps is not null && stamps[c] != _epoch ? CopyBucketChunk(c) : _buckets[c];
        return ref chunk[b & BucketMask];
    }

    /// <summary>The entry for writing: its chunk is copied first when a snapshot may share it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry OwnedEntry(int i)
    {
        int c = i >> EntryShift;
        var stamps = _entryStamps;
        Entry[] chunk = stamps is not null && stamps[c] != _epoch ? CopyEntryChunk(c) : _entries[c];
        return ref chunk[i & EntryMask];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int[] CopyBucketChunk(int c)
    {
        if (!StillShared()) return _buckets[c];
        var copy = (int[])_buckets[c].Clone();
        _buckets[c] = copy;
        _bucketStamps![c] = _epoch;
        return copy;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Entry[] CopyEntryChunk(int c)
    {
        if (!StillShared()) return _entries[c];
        var copy = (Entry[])_entries[c].Clone();
        _entries[c] = copy;
        _entryStamps![c] = _epoch;
        return copy;
    }

    /// <summary>False (and the table private again) once no snapshot that could share its chunks is open.</summary>
    private bool StillShared()
    {
        if (_readOnly) throw new InvalidOperationException("A frozen key table view is read only.");
        if (_sharers is { Active: > 0 }) return true;
        _entryStamps = null;
        _bucketStamps = null;
        _sharers = null;
        return false;
    }

    /// <summary>Index of the entry of <paramref name="key"/>, or -1.</summary>
    private int IndexOf(ReadOnlySpan<byte> key)
    {
        int hash = HashOf(key);
        uint tag = TagOf(hash);
        int b = hash & (_bucketCount - 1);
        int i = BucketAt(_buckets, b) - 1;
        var entries = _entries;
        while (i >= 0)
        {
            ref Entry e = ref EntryAt(entries, i);
            if ((e.Meta & 0xFF) == tag && key.SequenceEqual(e.Key)) return i;
            i = e.Next;
        }
        return -1;
    }

    /// <summary>
    /// A writable reference to the value of <paramref name="key"/>, or a null reference when absent. On a table
    /// shared with a snapshot this copies the entry's chunk: use <see cref="TryGetValue"/> to only read.
    /// </summary>
    public ref TValue Find(ReadOnlySpan<byte> key) => ref Find(key, touch: false, 0);

    /// <summary>
    /// <see cref="Find(ReadOnlySpan{byte})"/> that also records <paramref name="accessClock"/> (low 24 bits) as the
    /// entry's access time, as Redis's lookupKey updates robj.lru: one lookup for a read that touches the key.
    /// </summary>
    public ref TValue Find(ReadOnlySpan<byte> key, uint accessClock) => ref Find(key, touch: true, accessClock);

    // IndexOf's loop written out, so the common case (no snapshot ever) returns the reference it holds; inlined
    // into both public forms, so the constant `touch` leaves no branch behind.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref TValue Find(ReadOnlySpan<byte> key, bool touch, uint accessClock)
    {
        int hash = HashOf(key);
        uint tag = TagOf(hash);
        int b = hash & (_bucketCount - 1);
        int i = BucketAt(_buckets, b) - 1;
        var entries = _entries;
        while (i >= 0)
        {
            ref Entry e = ref EntryAt(entries, i);
            if ((e.Meta & 0xFF) == tag && key.SequenceEqual(e.Key))
            {
                ref Entry w = ref _entryStamps is not null ? ref OwnedEntry(i) : ref e;
                if (touch) w.Meta = (accessClock << 8) | tag;
                return ref w.Value;
            }
            i = e.Next;
        }
        return ref Unsafe.NullRef<TValue>();
    }

    /// <summary>The access clock recorded for <paramref name="key"/> (see <see cref="AccessClockMask"/>); reads only.</summary>
    public bool TryGetAccessClock(ReadOnlySpan<byte> key, out uint accessClock)
    {
        int i = IndexOf(key);
        accessClock = i < 0 ? 0 : EntryRef(i).Meta >> 8;
        return i >= 0;
    }

    /// <summary>Records <paramref name="accessClock"/> (low 24 bits) as the access time of <paramref name="key"/>; false when absent.</summary>
    public bool SetAccessClock(ReadOnlySpan<byte> key, uint accessClock)
    {
        int i = IndexOf(key);
        if (i < 0) return false;
        ref Entry e = ref OwnedEntry(i);
        e.Meta = (accessClock << 8) | (e.Meta & 0xFF);
        return true;
    }

    // ---- Group prefetch ----
    // A lookup in a big table is a chain of dependent cache misses (bucket, entry, key bytes, then the value):
    // each waits for the one before, so a pipelined batch of 16 GETs pays ~64 misses one after the other (Redis
    // 7.0 too: dictFind and its callers are half of its GET profile). When the keys of a batch are known before it
    // runs, the dispatcher calls these steps over the whole group, one step for every key before the next step, so
    // the misses of all its keys overlap. Hints only: nothing is written or returned for use, and a key that is
    // absent, collides or moves meanwhile just wastes a prefetch. No-ops where the CPU has no prefetch instruction.

    /// <summary>Prefetch step 1: the bucket of <paramref name="hash"/> (<see cref="HashOf"/> of the key).</summary>
    public unsafe void PrefetchBucket(int hash)
    {
        if (!Sse.IsSupported) return;
        int b = hash & (_bucketCount - 1);
        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buckets[b >> BucketShift]), b & BucketMask)));
    }

    /// <summary>Prefetch step 2 (after step 1 for the group): the first entry of the bucket's chain.</summary>
    public unsafe void PrefetchEntry(int hash)
    {
        if (!Sse.IsSupported) return;
        int i = BucketAt(_buckets, hash & (_bucketCount - 1)) - 1;
        if (i >= 0) Sse.Prefetch0(Unsafe.AsPointer(ref EntryAt(_entries, i)));
    }

    /// <summary>
    /// Prefetch step 3 (after step 2 for the group): the stored key of the chain's first entry. Returns that entry's
    /// value (perhaps another key's, on a collision) so the caller can prefetch what it references, or a null
    /// reference when the bucket is empty.
    /// </summary>
    public unsafe ref readonly TValue PrefetchKey(int hash)
    {
        int i = BucketAt(_buckets, hash & (_bucketCount - 1)) - 1;
        if (i < 0) return ref Unsafe.NullRef<TValue>();
        ref Entry e = ref EntryAt(_entries, i);
        if (Sse.IsSupported && e.Key is { } k) Sse.Prefetch0(Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(k)));
        return ref e.Value;
    }

    /// <summary>Reads the value of <paramref name="key"/> without writing anything (safe on a frozen view).</summary>
    public bool TryGetValue(ReadOnlySpan<byte> key, out TValue value)
    {
        int i = IndexOf(key);
        if (i < 0)
        {
            value = default!;
            return false;
        }
        value = EntryRef(i).Value;
        return true;
    }

    public bool ContainsKey(ReadOnlySpan<byte> key) => IndexOf(key) >= 0;

    /// <summary>The stored key array equal to <paramref name="key"/> (to share it between tables), or null.</summary>
    public byte[]? GetStoredKey(ReadOnlySpan<byte> key)
    {
        int i = IndexOf(key);
        return i < 0 ? null : EntryRef(i).Key;
    }

    /// <summary>
    /// A reference to the value slot of <paramref name="key"/>, adding it (with a default value) when absent.
    /// <paramref name="keyArray"/> is used as the stored key when given (it must equal <paramref name="key"/>).
    /// </summary>
    public ref TValue GetOrAdd(ReadOnlySpan<byte> key, out bool exists, byte[]? keyArray = null)
        => ref GetOrAdd(key, out exists, keyArray, touch: false, 0);

    /// <summary>
    /// <see cref="GetOrAdd(ReadOnlySpan{byte}, out bool, byte[])"/> that also records <paramref name="accessClock"/>
    /// (low 24 bits) as the entry's access time, whether found or added.
    /// </summary>
    public ref TValue GetOrAdd(ReadOnlySpan<byte> key, uint accessClock, out bool exists)
        => ref GetOrAdd(key, out exists, null, touch: true, accessClock);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref TValue GetOrAdd(ReadOnlySpan<byte> key, out bool exists, byte[]? keyArray, bool touch, uint accessClock)
    {
        int hash = HashOf(key);
        uint tag = TagOf(hash);
        int b = hash & (_bucketCount - 1);
        int i = BucketAt(_buckets, b) - 1;
        var entries = _entries;
        while (i >= 0)
        {
            ref Entry e = ref EntryAt(entries, i);
            if ((e.Meta & 0xFF) == tag && key.SequenceEqual(e.Key))
            {
                exists = true;
                ref Entry w = ref _entryStamps is not null ? ref OwnedEntry(i) : ref e;
                if (touch) w.Meta = (accessClock << 8) | tag;
                return ref w.Value;
            }
            i = e.Next;
        }
        exists = false;
        if (_count >= _bucketCount)
        {
            Resize(_bucketCount * 2);
            b = hash & (_bucketCount - 1);
        }
        int index;
        if (_freeList >= 0)
        {
            index = _freeList;
            _freeList = EntryRef(index).Next;
        }
        else
        {
            if (_used == _capacity) GrowEntries();
            index = _used++;
        }
        ref Entry n = ref OwnedEntry(index);
        ref int bucket = ref OwnedBucket(b);
        n.Key = keyArray ?? key.ToArray();
        n.Meta = (accessClock << 8) | tag;
        n.Value = default!;
        n.Next = bucket - 1;
        bucket = index + 1;
        _count++;
        return ref n.Value;
    }

    /// <summary>Room for one more entry: doubles a small table's only chunk, or appends a full chunk.</summary>
    private void GrowEntries()
    {
        if (_capacity < EntryChunk)
        {
            var grown = new Entry[Math.Min(_capacity * 2, EntryChunk)];
            _entries[0].AsSpan(0, _used).CopyTo(grown);
            _entries[0] = grown; // a new array: private even while the old one is shared
            if (_entryStamps is not null) _entryStamps[0] = _epoch;
            _capacity = grown.Length;
            return;
        }
        int c = _entries.Length;
        Array.Resize(ref _entries, c + 1);
        _entries[c] = new Entry[EntryChunk];
        if (_entryStamps is not null)
        {
            Array.Resize(ref _entryStamps, c + 1);
            _entryStamps[c] = _epoch;
        }
        _capacity += EntryChunk;
    }

    /// <summary>Grows the buckets (one rehash) so <paramref name="count"/> entries fit without further rehashing.</summary>
    public void EnsureCapacity(int count)
    {
        if (count <= _bucketCount) return;
        Resize((int)BitOperations.RoundUpToPowerOf2((uint)count));
    }

    public void Set(ReadOnlySpan<byte> key, TValue value, byte[]? keyArray = null) => GetOrAdd(key, out _, keyArray) = value;

    public bool Remove(ReadOnlySpan<byte> key) => Remove(key, out _);

    public bool Remove(ReadOnlySpan<byte> key, out TValue value)
    {
        int hash = HashOf(key);
        uint tag = TagOf(hash);
        int b = hash & (_bucketCount - 1);
        int prev = -1;
        int i = BucketRef(b) - 1;
        while (i >= 0)
        {
            ref Entry e = ref EntryRef(i);
            if ((e.Meta & 0xFF) == tag && key.SequenceEqual(e.Key))
            {
                int next = e.Next;
                if (prev < 0) OwnedBucket(b) = next + 1;
                else OwnedEntry(prev).Next = next;
                ref Entry gone = ref OwnedEntry(i);
                value = gone.Value;
                gone.Key = null;
                gone.Value = default!;
                gone.Next = _freeList;
                _freeList = i;
                _count--;
                if (_bucketCount > 64 && _count * 8 < _bucketCount) Resize(_bucketCount / 4);
                return true;
            }
            prev = i;
            i = e.Next;
        }
        value = default!;
        return false;
    }

    public void Clear()
    {
        if (_readOnly) throw new InvalidOperationException("A frozen key table view is read only.");
        _buckets = NewBuckets(4);
        _bucketCount = 4;
        _entries = NewEntries(4);
        _capacity = 4;
        _count = 0;
        _used = 0;
        _freeList = -1;
        _entryStamps = null;
        _bucketStamps = null;
        _sharers = null;
    }

    private void Resize(int bucketCount)
    {
        if (_readOnly) throw new InvalidOperationException("A frozen key table view is read only.");
        bucketCount = Math.Max(4, bucketCount);
        // Compact live entries so the entry array shrinks with the buckets. Everything is new, so nothing is
        // shared with a snapshot afterwards (the old chunks stay with it). A chunked table gets chunks for its
        // entries plus one free chunk; GrowEntries appends more as keys come, so a table just past a doubling
        // does not hold up to twice the entries it needs (Redis's dict only doubles the bucket array).
        int capacity = bucketCount <= EntryChunk ? Math.Max(bucketCount, _count) : (_count + EntryChunk) & ~EntryMask;
        var entries = NewEntries(capacity);
        var buckets = NewBuckets(bucketCount);
        int mask = bucketCount - 1;
        int n = 0;
        for (int i = 0; i < _used; i++)
        {
            ref Entry old = ref EntryRef(i);
            if (old.Key is null) continue;
            ref Entry e = ref entries[n >> EntryShift][n & EntryMask];
            e = old;
            int b = HashOf(old.Key) & mask; // the entry keeps only a tag of the hash
            ref int bucket = ref buckets[b >> BucketShift][b & BucketMask];
            e.Next = bucket - 1;
            bucket = n + 1;
            n++;
        }
        _entries = entries;
        _capacity = capacity <= EntryChunk ? capacity : entries.Length << EntryShift;
        _buckets = buckets;
        _bucketCount = bucketCount;
        _used = n;
        _freeList = -1;
        _entryStamps = null;
        _bucketStamps = null;
        _sharers = null;
    }

    /// <summary>
    /// One step of Redis's dictScan: visits every entry of the bucket named by <paramref name="cursor"/> and
    /// returns the next cursor (0 when the scan is complete).
    /// </summary>
    public ulong ScanStep(ulong cursor, Action<byte[], TValue> visit)
    {
        ulong mask = (ulong)_bucketCount - 1;
        int i = BucketRef((int)(cursor & mask)) - 1;
        while (i >= 0)
        {
            ref Entry e = ref EntryRef(i);
            visit(e.Key!, e.Value);
            i = e.Next;
        }
        cursor |= ~mask;
        cursor = ReverseBits(cursor);
        cursor++;
        return ReverseBits(cursor);
    }

    private static ulong ReverseBits(ulong v)
    {
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        v = ((v >> 8) & 0x00FF00FF00FF00FFUL) | ((v & 0x00FF00FF00FF00FFUL) << 8);
        v = ((v >> 16) & 0x0000FFFF0000FFFFUL) | ((v & 0x0000FFFF0000FFFFUL) << 16);
        return (v >> 32) | (v << 32);
    }

    /// <summary>A uniformly random live entry, or false when empty.</summary>
    public bool TryGetRandom(Random random, out byte[] key, out TValue value)
    {
        if (_count == 0)
        {
            key = null!;
            value = default!;
            return false;
        }
        while (true)
        {
            int i = random.Next(_used);
            ref Entry e = ref EntryRef(i);
            if (e.Key is not null)
            {
                key = e.Key;
                value = e.Value;
                return true;
            }
        }
    }

    /// <summary>Every live entry, in storage order. The table must not change during the enumeration.</summary>
    public IEnumerable<KeyValuePair<byte[], TValue>> Entries()
    {
        for (int i = 0; i < _used; i++)
        {
            var e = EntryRef(i);
            if (e.Key is not null) yield return new KeyValuePair<byte[], TValue>(e.Key, e.Value);
        }
    }

    /// <summary>
    /// Allocation-free walk in storage order (what <see cref="Entries"/> yields, without its iterator object): the
    /// first live entry at an index ≥ <paramref name="index"/>; advances <paramref name="index"/> past it. Start at
    /// 0; false at the end. The RDB writer walks a million tables this way (one iterator each would be GC work
    /// during BGSAVE). The table must not change during the walk.
    /// </summary>
    public bool NextEntry(ref int index, out byte[] key, out TValue value)
    {
        while (index < _used)
        {
            ref Entry e = ref EntryRef(index++);
            if (e.Key is not null)
            {
                key = e.Key;
                value = e.Value;
                return true;
            }
        }
        key = null!;
        value = default!;
        return false;
    }

    /// <summary>A shallow copy that shares keys and values but no chunks (copies every chunk).</summary>
    public KeyTable<TValue> Clone()
    {
        var entries = new Entry[_entries.Length][];
        for (int c = 0; c < entries.Length; c++) entries[c] = (Entry[])_entries[c].Clone();
        var buckets = new int[_buckets.Length][];
        for (int c = 0; c < buckets.Length; c++) buckets[c] = (int[])_buckets[c].Clone();
        return new KeyTable<TValue>(4)
        {
            _buckets = buckets,
            _bucketCount = _bucketCount,
            _entries = entries,
            _capacity = _capacity,
            _count = _count,
            _used = _used,
            _freeList = _freeList,
        };
    }

    /// <summary>
    /// A read-only point-in-time view that shares every chunk with this table (call under the owner's lock; cost
    /// proportional to the number of chunks, ~1/1000 of the keys). Until <paramref name="sharers"/> drops to zero,
    /// this table copies a chunk before writing it, so the view never changes; the view may be read from another
    /// thread meanwhile. Release the snapshot through <paramref name="sharers"/> when the view is no longer read.
    /// </summary>
    public KeyTable<TValue> Freeze(SnapshotCounter sharers)
    {
        if (_readOnly) return this;
        var view = new KeyTable<TValue>(4)
        {
            _buckets = (int[][])_buckets.Clone(),
            _bucketCount = _bucketCount,
            _entries = (Entry[][])_entries.Clone(),
            _capacity = _capacity,
            _count = _count,
            _used = _used,
            _freeList = _freeList,
            _readOnly = true,
        };
        // Stale stamps on the view route any write to CopyEntryChunk/CopyBucketChunk, which refuse it.
        view._epoch = 1;
        view._entryStamps = new int[view._entries.Length];
        view._bucketStamps = new int[view._buckets.Length];
        // Every chunk now belongs to the view too: a new epoch makes all existing stamps stale. Fresh stamp arrays
        // start at 0, below any epoch after the increment.
        _epoch++;
        _entryStamps ??= new int[_entries.Length];
        _bucketStamps ??= new int[_buckets.Length];
        _sharers = sharers;
        return view;
    }
}
