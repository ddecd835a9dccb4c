// A Redis hash. Small hashes are one packed byte[] of field/value runs in insertion order, each string prefixed
// by its length as a 7-bit varint (what Redis's listpack is: HGETALL returns insertion order, a delete closes the
// gap); past hash-max-listpack-entries fields, or once a field/value longer than hash-max-listpack-value was
// written, the hash becomes a KeyTable ("hashtable") for good — Redis 7.0 never converts back.
// The packed form costs one array for the whole hash instead of one per field and per value (a 2-field hash of
// 2-byte strings: one 40 B array against ~220 B of arrays); reads copy the field/value out, as Redis decodes a
// listpack entry, and lookups scan linearly, bounded by hash-max-listpack-entries.
// A packed form of at most InlineBytes bytes lives inside the RedisHash object itself (like Redis's embstr keeps a
// short string in its object's allocation): a 2-field hash of 2-byte strings is one 48 B object, not a 48 B object
// plus a 40 B array. The field count of the packed form is not stored: it is counted by a scan (bounded like every
// packed lookup), which keeps the object at 48 B.
using System.Runtime.CompilerServices;

namespace RedisPanel.Storage;

public sealed class RedisHash : RedisCollection
{
    /// <summary>Packed bytes held inside the object before an array is needed.</summary>
    private const int InlineBytes = 16;

    [InlineArray(InlineBytes)]
    private struct InlineBuffer
    {
        private byte _first;
    }

    private object? _repr;          // null: packed in _inline; byte[]: packed in the array; KeyTable<byte[]>: hashtable
    private int _used;              // bytes of the packed form in use
    private InlineBuffer _inline;   // packed form while it fits: [len f0][f0][len v0][v0][len f1][f1]...

    /// <param name="capacity">Ignored by the packed form (it grows with what is written); kept for callers that
    /// know the field count.</param>
    public RedisHash(int capacity = 0)
    {
    }

    public override string TypeName => "hash";

    public override string Encoding => _repr is KeyTable<byte[]> ? "hashtable" : "listpack";

    public bool IsListpack => _repr is not KeyTable<byte[]>;

    public override long Count => _repr is KeyTable<byte[]> t ? t.Count : PackedCount();

    /// <summary>The hashtable form, or null while compact (HSCAN uses its ScanStep).</summary>
    public KeyTable<byte[]>? Table => _repr as KeyTable<byte[]>;

    // ---- packed form ----

    /// <summary>The packed form's storage (the inline buffer or the array); the first <see cref="_used"/> bytes count.</summary>
    private Span<byte> Storage => _repr is byte[] a ? a : _inline;

    private ReadOnlySpan<byte> Packed => Storage[.._used];

    /// <summary>Bytes one field/value run takes in the packed form.</summary>
    private static int RunSize(int fieldLength, int valueLength) =>
        Varint.Size((uint)fieldLength) + fieldLength + Varint.Size((uint)valueLength) + valueLength;

    /// <summary>One run of the packed form: where it starts, where its field and value are, where it ends.</summary>
    private readonly record struct Run(int Start, int Field, int FieldLength, int Value, int ValueLength, int End);

    private static Run ReadRun(ReadOnlySpan<byte> buf, int pos)
    {
        int start = pos;
        int fl = (int)Varint.Read(buf, ref pos);
        int f = pos;
        pos += fl;
        int vl = (int)Varint.Read(buf, ref pos);
        int v = pos;
        return new Run(start, f, fl, v, vl, v + vl);
    }

    private int PackedCount()
    {
        var buf = Packed;
        int n = 0;
        for (int pos = 0; pos < buf.Length; n++) pos = ReadRun(buf, pos).End;
        return n;
    }

    /// <summary>Finds <paramref name="field"/>; <paramref name="count"/> is the number of runs scanned (all of them on a miss).</summary>
    private bool TryFind(ReadOnlySpan<byte> field, out Run run, out int count)
    {
        var buf = Packed;
        int pos = 0;
        count = 0;
        while (pos < buf.Length)
        {
            run = ReadRun(buf, pos);
            count++;
            if (field.SequenceEqual(buf.Slice(run.Field, run.FieldLength))) return true;
            pos = run.End;
        }
        run = default;
        return false;
    }

    private bool TryFind(ReadOnlySpan<byte> field, out Run run) => TryFind(field, out run, out _);

    private static (byte[] Field, byte[] Value) Materialize(ReadOnlySpan<byte> buf, in Run run) =>
        (buf.Slice(run.Field, run.FieldLength).ToArray(), buf.Slice(run.Value, run.ValueLength).ToArray());

    /// <summary>Replaces <paramref name="removed"/> bytes at <paramref name="at"/> by room for <paramref name="added"/> (moving the tail).</summary>
    private void Splice(int at, int removed, int added)
    {
        var storage = Storage;
        int tail = _used - (at + removed);
        int needed = _used - removed + added;
        if (needed > storage.Length)
        {
            // Exact size while tiny (most hashes), 1.5x beyond so building a big listpack is not quadratic.
            int size = needed <= 64 ? needed : Math.Max(needed, storage.Length + storage.Length / 2);
            var grown = new byte[size];
            storage[..at].CopyTo(grown);
            storage.Slice(at + removed, tail).CopyTo(grown.AsSpan(at + added));
            _repr = grown;
        }
        else if (removed != added)
        {
            storage.Slice(at + removed, tail).CopyTo(storage[(at + added)..]);
        }
        _used = needed;
    }

    private void WriteRun(int pos, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        var buf = Storage;
        pos = Varint.Write(buf, pos, (uint)field.Length);
        field.CopyTo(buf[pos..]);
        pos += field.Length;
        pos = Varint.Write(buf, pos, (uint)value.Length);
        value.CopyTo(buf[pos..]);
    }

    // ---- operations ----

    public byte[]? Get(ReadOnlySpan<byte> field)
    {
        if (_repr is KeyTable<byte[]> table)
        {
            ref byte[] v = ref table.Find(field);
            return Unsafe.IsNullRef(ref v) ? null : v;
        }
        return TryFind(field, out var run) ? Packed.Slice(run.Value, run.ValueLength).ToArray() : null;
    }

    public bool Contains(ReadOnlySpan<byte> field) => _repr is KeyTable<byte[]> t ? t.ContainsKey(field) : TryFind(field, out _);

    /// <summary>Converts to a hashtable if a field or value about to be written exceeds the listpack value limit
    /// (Redis's hashTypeTryConversion, run on the arguments before any write).</summary>
    public void ConvertIfLong(int length, EncodingLimits limits)
    {
        if (IsListpack && length > limits.HashMaxListpackValue) ConvertToTable();
    }

    /// <summary>Sets a field; returns true when the field was new.</summary>
    public bool Set(ReadOnlySpan<byte> field, byte[] value, EncodingLimits limits)
    {
        // Redis's hashTypeSet converts before writing a field or value over hash-max-listpack-value: a no-op after
        // HSET's early check, but the only check for HINCRBY/HINCRBYFLOAT results.
        if (IsListpack && (field.Length > limits.HashMaxListpackValue || value.Length > limits.HashMaxListpackValue)) ConvertToTable();
        if (_repr is KeyTable<byte[]> table)
        {
            ref byte[] slot = ref table.GetOrAdd(field, out bool exists);
            slot = value;
            return !exists;
        }
        if (TryFind(field, out var run, out int n))
        {
            int oldSize = run.End - run.Start;
            Splice(run.Start, oldSize, RunSize(field.Length, value.Length));
            // The field bytes are rewritten from the argument: equal to the stored ones.
            WriteRun(run.Start, field, value);
            // Redis's hashTypeSet checks the entry limit after an update too: a limit lowered by CONFIG SET
            // converts the hash on its next write, even one that adds nothing.
            if (PackedCount() > limits.HashMaxListpackEntries) ConvertToTable();
            return false;
        }
        // A miss scanned every run: n is the field count before this one.
        int at = _used;
        Splice(at, 0, RunSize(field.Length, value.Length));
        WriteRun(at, field, value);
        if (n + 1 > limits.HashMaxListpackEntries) ConvertToTable();
        return true;
    }

    public bool Remove(ReadOnlySpan<byte> field)
    {
        if (_repr is KeyTable<byte[]> table) return table.Remove(field);
        if (!TryFind(field, out var run)) return false;
        Splice(run.Start, run.End - run.Start, 0);
        return true;
    }

    private void ConvertToTable()
    {
        var buf = Packed;
        var t = new KeyTable<byte[]>(PackedCount());
        for (int pos = 0; pos < buf.Length;)
        {
            var run = ReadRun(buf, pos);
            var (f, v) = Materialize(buf, run);
            t.Set(f, v, f);
            pos = run.End;
        }
        _repr = t;
        _used = 0;
        _inline = default;
    }

    /// <summary>Every field and value: insertion order when compact, table order otherwise.</summary>
    public IEnumerable<(byte[] Field, byte[] Value)> Entries()
    {
        if (_repr is KeyTable<byte[]> table)
        {
            foreach (var kv in table.Entries()) yield return (kv.Key, kv.Value);
            yield break;
        }
        for (int pos = 0; pos < _used;)
        {
            var (entry, end) = EntryFrom(pos);
            pos = end;
            yield return entry;
        }
    }

    /// <summary>The packed run at <paramref name="pos"/>, copied out, and where the next one starts (no spans in iterators).</summary>
    private ((byte[] Field, byte[] Value) Entry, int End) EntryFrom(int pos)
    {
        var buf = Packed;
        var run = ReadRun(buf, pos);
        return (Materialize(buf, run), run.End);
    }

    /// <summary>
    /// Allocation-free walk of the compact form in insertion order (what <see cref="Entries"/> yields, without
    /// copying each field and value out): the run at byte offset <paramref name="pos"/> (start at 0), advancing
    /// it; false at the end or when the hash is a table. For the RDB writer, which must not allocate per entry.
    /// </summary>
    public bool NextPacked(ref int pos, out ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        if (_repr is KeyTable<byte[]> || pos >= _used)
        {
            field = value = default;
            return false;
        }
        var buf = Packed;
        var run = ReadRun(buf, pos);
        field = buf.Slice(run.Field, run.FieldLength);
        value = buf.Slice(run.Value, run.ValueLength);
        pos = run.End;
        return true;
    }

    /// <summary>The i-th entry of the compact form (0 ≤ i &lt; Count); only while <see cref="IsListpack"/>.</summary>
    public (byte[] Field, byte[] Value) EntryAt(int i)
    {
        var buf = Packed;
        int pos = 0;
        for (int k = 0; k < i; k++) pos = ReadRun(buf, pos).End;
        return Materialize(buf, ReadRun(buf, pos));
    }

    /// <summary>A uniformly random entry (the hash must not be empty).</summary>
    public (byte[] Field, byte[] Value) Random(Random random)
    {
        if (_repr is KeyTable<byte[]> table)
        {
            table.TryGetRandom(random, out var k, out var v);
            return (k, v);
        }
        return EntryAt(random.Next(PackedCount()));
    }

    public override RedisCollection DeepClone()
    {
        var copy = new RedisHash();
        if (_repr is KeyTable<byte[]> table) copy._repr = table.Clone();
        else
        {
            if (_repr is byte[] a) copy._repr = a.AsSpan(0, _used).ToArray();
            else copy._inline = _inline;
            copy._used = _used;
        }
        return copy;
    }

    public override long EstimateBytes()
    {
        long n = 48;
        if (_repr is KeyTable<byte[]> table)
        {
            n += 24L * table.BucketCount;
            foreach (var kv in table.Entries()) n += 48 + kv.Key.Length + kv.Value.Length;
        }
        else if (_repr is byte[] a)
        {
            n += 24 + a.Length;
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
