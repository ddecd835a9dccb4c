// A Redis hash. Small hashes are one packed byte[] of field/value runs in insertion order, each string prefixed
// by its length as a 7-bit varint (what Redis's listpack is: HGETALL returns insertion order, a delete closes the
// gap); past hash-max-listpack-entries fields, or once a field/value longer than hash-max-listpack-value was
// written, the hash becomes a KeyTable ("hashtable") for good — Redis 7.0 never converts back.
// The packed form costs one array for the whole hash instead of one per field and per value (a 2-field hash of
// 2-byte strings: one 40 B array against ~220 B of arrays); reads copy the field/value out, as Redis decodes a
// listpack entry, and lookups scan linearly, bounded by hash-max-listpack-entries.
namespace RedisPanel.Storage;

public sealed class RedisHash : RedisCollection
{
    private byte[]? _lp;                // listpack form: [len f0][f0][len v0][v0][len f1][f1]...
    private int _used;                  // bytes of _lp in use
    private int _n;                     // fields in _lp
    private KeyTable<byte[]>? _table;   // hashtable form

    /// <param name="capacity">Ignored by the packed form (it grows with what is written); kept for callers that
    /// know the field count.</param>
    public RedisHash(int capacity = 0) => _lp = [];

    public override string TypeName => "hash";

    public override string Encoding => _table is null ? "listpack" : "hashtable";

    public bool IsListpack => _table is null;

    public override long Count => _table?.Count ?? _n;

    /// <summary>The hashtable form, or null while compact (HSCAN uses its ScanStep).</summary>
    public KeyTable<byte[]>? Table => _table;

    // ---- packed form ----

    private static int ReadLength(byte[] buf, ref int pos)
    {
        int value = 0, shift = 0;
        while (true)
        {
            byte b = buf[pos++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80) return value;
            shift += 7;
        }
    }

    private static int LengthSize(int length)
    {
        int size = 1;
        while (length >= 0x80)
        {
            length >>= 7;
            size++;
        }
        return size;
    }

    private static int WriteLength(byte[] buf, int pos, int length)
    {
        while (length >= 0x80)
        {
            buf[pos++] = (byte)(length | 0x80);
            length >>= 7;
        }
        buf[pos++] = (byte)length;
        return pos;
    }

    /// <summary>Bytes one field/value run takes in the packed form.</summary>
    private static int RunSize(int fieldLength, int valueLength) =>
        LengthSize(fieldLength) + fieldLength + LengthSize(valueLength) + valueLength;

    /// <summary>One run of the packed form: where it starts, where its field and value are, where it ends.</summary>
    private readonly record struct Run(int Start, int Field, int FieldLength, int Value, int ValueLength, int End);

    private Run ReadRun(int pos)
    {
        var buf = _lp!;
        int start = pos;
        int fl = ReadLength(buf, ref pos);
        int f = pos;
        pos += fl;
        int vl = ReadLength(buf, ref pos);
        int v = pos;
        return new Run(start, f, fl, v, vl, v + vl);
    }

    private bool TryFind(ReadOnlySpan<byte> field, out Run run)
    {
        int pos = 0;
        for (int i = 0; i < _n; i++)
        {
            run = ReadRun(pos);
            if (field.SequenceEqual(_lp.AsSpan(run.Field, run.FieldLength))) return true;
            pos = run.End;
        }
        run = default;
        return false;
    }

    private (byte[] Field, byte[] Value) Materialize(in Run run) =>
        (_lp.AsSpan(run.Field, run.FieldLength).ToArray(), _lp.AsSpan(run.Value, run.ValueLength).ToArray());

    /// <summary>Replaces <paramref name="removed"/> bytes at <paramref name="at"/> by room for <paramref name="added"/> (moving the tail).</summary>
    private void Splice(int at, int removed, int added)
    {
        int tail = _used - (at + removed);
        int needed = _used - removed + added;
        if (needed > _lp!.Length)
        {
            // Exact size while tiny (most hashes), 1.5x beyond so building a big listpack is not quadratic.
            int size = needed <= 64 ? needed : Math.Max(needed, _lp.Length + _lp.Length / 2);
            var grown = new byte[size];
            _lp.AsSpan(0, at).CopyTo(grown);
            _lp.AsSpan(at + removed, tail).CopyTo(grown.AsSpan(at + added));
            _lp = grown;
        }
        else if (removed != added)
        {
            _lp.AsSpan(at + removed, tail).CopyTo(_lp.AsSpan(at + added));
        }
        _used = needed;
    }

    private void WriteRun(int pos, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        var buf = _lp!;
        pos = WriteLength(buf, pos, field.Length);
        field.CopyTo(buf.AsSpan(pos));
        pos += field.Length;
        pos = WriteLength(buf, pos, value.Length);
        value.CopyTo(buf.AsSpan(pos));
    }

    // ---- operations ----

    public byte[]? Get(ReadOnlySpan<byte> field)
    {
        if (_table is not null)
        {
            ref byte[] v = ref _table.Find(field);
            return System.Runtime.CompilerServices.Unsafe.IsNullRef(ref v) ? null : v;
        }
        return TryFind(field, out var run) ? _lp.AsSpan(run.Value, run.ValueLength).ToArray() : null;
    }

    public bool Contains(ReadOnlySpan<byte> field) => _table?.ContainsKey(field) ?? TryFind(field, out _);

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
        if (TryFind(field, out var run))
        {
            int oldSize = run.End - run.Start;
            Splice(run.Start, oldSize, RunSize(field.Length, value.Length));
            // The field bytes are rewritten from the argument: equal to the stored ones.
            WriteRun(run.Start, field, value);
            // Redis's hashTypeSet checks the entry limit after an update too: a limit lowered by CONFIG SET
            // converts the hash on its next write, even one that adds nothing.
            if (_n > limits.HashMaxListpackEntries) ConvertToTable();
            return false;
        }
        int at = _used;
        Splice(at, 0, RunSize(field.Length, value.Length));
        WriteRun(at, field, value);
        _n++;
        if (_n > limits.HashMaxListpackEntries) ConvertToTable();
        return true;
    }

    public bool Remove(ReadOnlySpan<byte> field)
    {
        if (_table is not null) return _table.Remove(field);
        if (!TryFind(field, out var run)) return false;
        Splice(run.Start, run.End - run.Start, 0);
        _n--;
        return true;
    }

    private void ConvertToTable()
    {
        var t = new KeyTable<byte[]>(_n);
        int pos = 0;
        for (int i = 0; i < _n; i++)
        {
            var run = ReadRun(pos);
            var (f, v) = Materialize(run);
            t.Set(f, v, f);
            pos = run.End;
        }
        _table = t;
        _lp = null;
        _used = 0;
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
        int pos = 0;
        for (int i = 0; i < _n; i++)
        {
            var run = ReadRun(pos);
            pos = run.End;
            yield return Materialize(run);
        }
    }

    /// <summary>
    /// Allocation-free walk of the compact form in insertion order (what <see cref="Entries"/> yields, without
    /// copying each field and value out): the run at byte offset <paramref name="pos"/> (start at 0), advancing
    /// it; false at the end or when the hash is a table. For the RDB writer, which must not allocate per entry.
    /// </summary>
    public bool NextPacked(ref int pos, out ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        if (_table is not null || pos >= _used)
        {
            field = value = default;
            return false;
        }
        var run = ReadRun(pos);
        field = _lp.AsSpan(run.Field, run.FieldLength);
        value = _lp.AsSpan(run.Value, run.ValueLength);
        pos = run.End;
        return true;
    }

    /// <summary>The i-th entry of the compact form (0 ≤ i &lt; Count); only while <see cref="IsListpack"/>.</summary>
    public (byte[] Field, byte[] Value) EntryAt(int i)
    {
        int pos = 0;
        for (int k = 0; k < i; k++) pos = ReadRun(pos).End;
        return Materialize(ReadRun(pos));
    }

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
        var copy = new RedisHash();
        if (_table is not null)
        {
            copy._table = _table.Clone();
            copy._lp = null;
        }
        else
        {
            copy._lp = _lp.AsSpan(0, _used).ToArray();
            copy._used = _used;
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
            n += 24 + _lp!.Length;
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
