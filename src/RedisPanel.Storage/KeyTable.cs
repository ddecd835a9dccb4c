// A hash table keyed by byte strings, built for a Redis keyspace:
//  - lookups by ReadOnlySpan<byte> allocate nothing; the key array is allocated once, on insert;
//  - power-of-two buckets scanned with Redis's reverse-binary cursor (dictScan), so SCAN keeps Redis's
//    guarantee (every element present for the whole scan is returned) across grow and shrink;
//  - entries live in one array with a free list, so a shallow copy (snapshots) is two array copies.
// Not thread-safe: the owning node serialises access.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RedisPanel.Storage;

public sealed class KeyTable<TValue>
{
    private struct Entry
    {
        public byte[]? Key;   // null when the slot is free
        public TValue Value;
        public int Hash;
        public int Next;      // index of the next entry in the chain, -1 at the end; free list link when free
    }

    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();

    private int[] _buckets;   // entry index + 1; 0 = empty bucket
    private Entry[] _entries;
    private int _count;
    private int _used;        // high-water mark in _entries
    private int _freeList = -1;

    public KeyTable(int capacity = 4)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, capacity));
        _buckets = new int[size];
        _entries = new Entry[size];
    }

    public int Count => _count;

    /// <summary>Number of buckets (for SCAN and INFO-like statistics).</summary>
    public int BucketCount => _buckets.Length;

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

    /// <summary>A reference to the value of <paramref name="key"/>, or a null reference when absent.</summary>
    public ref TValue Find(ReadOnlySpan<byte> key)
    {
        int hash = HashOf(key);
        int i = _buckets[hash & (_buckets.Length - 1)] - 1;
        var entries = _entries;
        while ((uint)i < (uint)entries.Length)
        {
            ref Entry e = ref entries[i];
            if (e.Hash == hash && key.SequenceEqual(e.Key)) return ref e.Value;
            i = e.Next;
        }
        return ref Unsafe.NullRef<TValue>();
    }

    public bool ContainsKey(ReadOnlySpan<byte> key) => !Unsafe.IsNullRef(ref Find(key));

    /// <summary>The stored key array equal to <paramref name="key"/> (to share it between tables), or null.</summary>
    public byte[]? GetStoredKey(ReadOnlySpan<byte> key)
    {
        int hash = HashOf(key);
        int i = _buckets[hash & (_buckets.Length - 1)] - 1;
        while (i >= 0)
        {
            ref Entry e = ref _entries[i];
            if (e.Hash == hash && key.SequenceEqual(e.Key)) return e.Key;
            i = e.Next;
        }
        return null;
    }

    /// <summary>
    /// A reference to the value slot of <paramref name="key"/>, adding it (with a default value) when absent.
    /// <paramref name="keyArray"/> is used as the stored key when given (it must equal <paramref name="key"/>).
    /// </summary>
    public ref TValue GetOrAdd(ReadOnlySpan<byte> key, out bool exists, byte[]? keyArray = null)
    {
        int hash = HashOf(key);
        int b = hash & (_buckets.Length - 1);
        int i = _buckets[b] - 1;
        while (i >= 0)
        {
            ref Entry e = ref _entries[i];
            if (e.Hash == hash && key.SequenceEqual(e.Key))
            {
                exists = true;
                return ref e.Value;
            }
            i = e.Next;
        }
        exists = false;
        if (_count >= _buckets.Length)
        {
            Resize(_buckets.Length * 2);
            b = hash & (_buckets.Length - 1);
        }
        int index;
        if (_freeList >= 0)
        {
            index = _freeList;
            _freeList = _entries[index].Next;
        }
        else
        {
            if (_used == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
            index = _used++;
        }
        ref Entry n = ref _entries[index];
        n.Key = keyArray ?? key.ToArray();
        n.Hash = hash;
        n.Value = default!;
        n.Next = _buckets[b] - 1;
        _buckets[b] = index + 1;
        _count++;
        return ref n.Value;
    }

    public void Set(ReadOnlySpan<byte> key, TValue value, byte[]? keyArray = null) => GetOrAdd(key, out _, keyArray) = value;

    public bool Remove(ReadOnlySpan<byte> key) => Remove(key, out _);

    public bool Remove(ReadOnlySpan<byte> key, out TValue value)
    {
        int hash = HashOf(key);
        int b = hash & (_buckets.Length - 1);
        int prev = -1;
        int i = _buckets[b] - 1;
        while (i >= 0)
        {
            ref Entry e = ref _entries[i];
            if (e.Hash == hash && key.SequenceEqual(e.Key))
            {
                if (prev < 0) _buckets[b] = e.Next + 1;
                else _entries[prev].Next = e.Next;
                value = e.Value;
                e.Key = null;
                e.Value = default!;
                e.Next = _freeList;
                _freeList = i;
                _count--;
                if (_buckets.Length > 64 && _count * 8 < _buckets.Length) Resize(_buckets.Length / 4);
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
        _buckets = new int[4];
        _entries = new Entry[4];
        _count = 0;
        _used = 0;
        _freeList = -1;
    }

    private void Resize(int bucketCount)
    {
        bucketCount = Math.Max(4, bucketCount);
        // Compact live entries so the entry array shrinks with the buckets.
        var entries = new Entry[Math.Max(bucketCount, _count)];
        var buckets = new int[bucketCount];
        int mask = bucketCount - 1;
        int n = 0;
        for (int i = 0; i < _used; i++)
        {
            ref Entry old = ref _entries[i];
            if (old.Key is null) continue;
            ref Entry e = ref entries[n];
            e = old;
            int b = e.Hash & mask;
            e.Next = buckets[b] - 1;
            buckets[b] = n + 1;
            n++;
        }
        _entries = entries;
        _buckets = buckets;
        _used = n;
        _freeList = -1;
    }

    /// <summary>
    /// One step of Redis's dictScan: visits every entry of the bucket named by <paramref name="cursor"/> and
    /// returns the next cursor (0 when the scan is complete).
    /// </summary>
    public ulong ScanStep(ulong cursor, Action<byte[], TValue> visit)
    {
        ulong mask = (ulong)_buckets.Length - 1;
        int i = _buckets[(int)(cursor & mask)] - 1;
        while (i >= 0)
        {
            ref Entry e = ref _entries[i];
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
            ref Entry e = ref _entries[i];
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
            var e = _entries[i];
            if (e.Key is not null) yield return new KeyValuePair<byte[], TValue>(e.Key, e.Value);
        }
    }

    /// <summary>A shallow copy that shares keys and values (for point-in-time snapshots).</summary>
    public KeyTable<TValue> Clone()
    {
        var copy = new KeyTable<TValue>(4)
        {
            _buckets = (int[])_buckets.Clone(),
            _entries = (Entry[])_entries.Clone(),
            _count = _count,
            _used = _used,
            _freeList = _freeList,
        };
        return copy;
    }
}
