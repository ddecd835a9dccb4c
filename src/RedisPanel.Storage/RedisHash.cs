// A Redis hash. Small hashes are a compact array of alternating field/value byte[] in insertion order (Redis's
// "listpack": HGETALL returns insertion order, a delete closes the gap); past hash-max-listpack-entries
// fields, or once a field/value longer than hash-max-listpack-value was written, the hash becomes a KeyTable
// ("hashtable") for good — Redis 7.0 never converts back.
namespace RedisPanel.Storage;

public sealed class RedisHash : RedisCollection
{
    private byte[][]? _pairs;          // listpack form: [f0, v0, f1, v1, ...]
    private int _n;                     // fields in _pairs
    private KeyTable<byte[]>? _table;   // hashtable form

    public RedisHash(int capacity = 4) => _pairs = new byte[Math.Max(2, capacity * 2)][];

    public override string TypeName => "hash";

    public override string Encoding => _table is null ? "listpack" : "hashtable";

    public bool IsListpack => _table is null;

    public override long Count => _table?.Count ?? _n;

    /// <summary>The hashtable form, or null while compact (HSCAN uses its ScanStep).</summary>
    public KeyTable<byte[]>? Table => _table;

    private int IndexOf(ReadOnlySpan<byte> field)
    {
        var p = _pairs!;
        for (int i = 0; i < _n; i++)
            if (field.SequenceEqual(p[2 * i])) return i;
        return -1;
    }

    public byte[]? Get(ReadOnlySpan<byte> field)
    {
        if (_table is not null)
        {
            ref byte[] v = ref _table.Find(field);
            return System.Runtime.CompilerServices.Unsafe.IsNullRef(ref v) ? null : v;
        }
        int i = IndexOf(field);
        return i < 0 ? null : _pairs![2 * i + 1];
    }

    public bool Contains(ReadOnlySpan<byte> field) => _table?.ContainsKey(field) ?? IndexOf(field) >= 0;

    /// <summary>Converts to a hashtable if a field or value about to be written exceeds the listpack value limit
    /// (Redis's hashTypeTryConversion, run on the arguments before any write).</summary>
    public void ConvertIfLong(int length, EncodingLimits limits)
    {
        if (_table is null && length > limits.HashMaxListpackValue) ConvertToTable();
    }

    /// <summary>Sets a field; returns true when the field was new.</summary>
    public bool Set(ReadOnlySpan<byte> field, byte[] value, EncodingLimits limits)
    {
        // Redis's hashTypeSet converts before writing a field or value over hash-max-listpack-value: a no-op after
        // HSET's early check, but the only check for HINCRBY/HINCRBYFLOAT results.
        if (_table is null && (field.Length > limits.HashMaxListpackValue || value.Length > limits.HashMaxListpackValue)) ConvertToTable();
        if (_table is not null)
        {
            ref byte[] slot = ref _table.GetOrAdd(field, out bool exists);
            slot = value;
            return !exists;
        }
        int i = IndexOf(field);
        if (i >= 0)
        {
            _pairs![2 * i + 1] = value;
            // Redis's hashTypeSet checks the entry limit after an update too: a limit lowered by CONFIG SET
            // converts the hash on its next write, even one that adds nothing.
            if (_n > limits.HashMaxListpackEntries) ConvertToTable();
            return false;
        }
        if (2 * _n + 2 > _pairs!.Length) Array.Resize(ref _pairs, Math.Max(4, _pairs.Length * 2));
        _pairs[2 * _n] = field.ToArray();
        _pairs[2 * _n + 1] = value;
        _n++;
        if (_n > limits.HashMaxListpackEntries) ConvertToTable();
        return true;
    }

    public bool Remove(ReadOnlySpan<byte> field)
    {
        if (_table is not null) return _table.Remove(field);
        int i = IndexOf(field);
        if (i < 0) return false;
        Array.Copy(_pairs!, 2 * i + 2, _pairs!, 2 * i, 2 * (_n - i - 1));
        _n--;
        _pairs![2 * _n] = null!;
        _pairs[2 * _n + 1] = null!;
        return true;
    }

    private void ConvertToTable()
    {
        var t = new KeyTable<byte[]>(_n);
        for (int i = 0; i < _n; i++) t.Set(_pairs![2 * i], _pairs[2 * i + 1], _pairs[2 * i]);
        _table = t;
        _pairs = null;
        _n = 0;
    }

    /// <summary>Every field and value: insertion order when compact, table order otherwise.</summary>
    public IEnumerable<(byte[] Field, byte[] Value)> Entries()
    {
        if (_table is not null)
        {
            foreach (var kv in _table.Entries()) yield return (kv.Key, kv.Value);
            yield break;
        }
        for (int i = 0; i < _n; i++) yield return (_pairs![2 * i], _pairs[2 * i + 1]);
    }

    /// <summary>The i-th entry of the compact form (0 ≤ i &lt; Count); only while <see cref="IsListpack"/>.</summary>
    public (byte[] Field, byte[] Value) EntryAt(int i) => (_pairs![2 * i], _pairs[2 * i + 1]);

    /// <summary>A uniformly random entry (the hash must not be empty).</summary>
    public (byte[] Field, byte[] Value) Random(Random random)
    {
        if (_table is not null)
        {
            _table.TryGetRandom(random, out var k, out var v);
            return (k, v);
        }
        return EntryAt(random.Next(_n));
    }

    public override RedisCollection DeepClone()
    {
        var copy = new RedisHash(1);
        if (_table is not null)
        {
            copy._table = _table.Clone();
            copy._pairs = null;
        }
        else
        {
            copy._pairs = (byte[][])_pairs!.Clone();
            copy._n = _n;
        }
        return copy;
    }

    public override long EstimateBytes()
    {
        long n = 48;
        if (_table is not null)
        {
            n += 24L * _table.BucketCount;
            foreach (var kv in _table.Entries()) n += 48 + kv.Key.Length + kv.Value.Length;
        }
        else
        {
            n += 8L * _pairs!.Length;
            for (int i = 0; i < 2 * _n; i++) n += 24 + _pairs[i].Length;
        }
        return n;
    }
}

/// <summary>
/// Encoding thresholds of the compact forms, with Redis 7.0.15's built-in defaults (hash-max-listpack-entries 512
/// — redis.conf ships 128, the binary's default is 512 —, hash-max-listpack-value 64, set-max-intset-entries 512,
/// zset-max-listpack-entries 128, zset-max-listpack-value 64). One instance per node, owned by its ServerConfig:
/// CONFIG SET and the config file change it, and the value types read it at every insertion, as Redis reads
/// server.*_max_* (so a lowered limit converts an existing small value on its next insertion).
/// </summary>
public sealed class EncodingLimits
{
    public long HashMaxListpackEntries { get; set; } = 512;
    public long HashMaxListpackValue { get; set; } = 64;
    public long SetMaxIntsetEntries { get; set; } = 512;
    public long ZsetMaxListpackEntries { get; set; } = RedisSortedSet.DefaultListpackEntries;
    public long ZsetMaxListpackValue { get; set; } = RedisSortedSet.DefaultListpackValue;
}
