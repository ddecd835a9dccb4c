// A Redis set. While every member is a canonical 64-bit integer and there are at most set-max-intset-entries
// members, it is a sorted long[] (Redis's "intset": SMEMBERS comes out in ascending order); otherwise a
// "hashtable", for good — Redis 7.0 never converts back and has no set listpack.
// A small hashtable set (at most PackedMaxEntries members of at most PackedMaxValue bytes) is stored as one packed
// byte[] of varint-length-prefixed members instead of a KeyTable: OBJECT ENCODING still says "hashtable" (what
// Redis 7.0 reports), but 3 short members cost one 32 B array instead of ~400 B of table, chunk arrays and member
// arrays. Lookups scan linearly (bounded by PackedMaxEntries); SSCAN returns such a set whole with cursor 0, as
// Redis does for its compact encodings. Past the bounds it becomes a KeyTable for good.
using System.Buffers.Text;

namespace RedisPanel.Storage;

public sealed class RedisSet : RedisCollection, IPlainSetMembers
{
    /// <summary>Most members the packed hashtable form holds (linear lookups stay a few cache lines).</summary>
    private const int PackedMaxEntries = 16;

    /// <summary>Longest member the packed hashtable form holds.</summary>
    private const int PackedMaxValue = 64;

    private long[]? _ints;      // intset form (sorted), _n used
    private byte[]? _packed;    // small hashtable form: [varint len][member]..., exact size, _n members
    private int _n;
    private KeyTable<byte>? _table;

    public RedisSet() => _ints = new long[4];

    private RedisSet(bool intset)
    {
        if (intset) _ints = new long[4];
        else _packed = [];
    }

    /// <summary>A set starting in the encoding Redis's setTypeCreate picks for its first member.</summary>
    public static RedisSet CreateFor(ReadOnlySpan<byte> firstMember) => new(TryParseMember(firstMember, out _));

    public override string TypeName => "set";

    public override string Encoding => _ints is not null ? "intset" : "hashtable";

    public bool IsIntset => _ints is not null;

    public override long Count => _table?.Count ?? _n;

    /// <summary>The hashtable form, or null while an intset or packed (SSCAN uses its ScanStep).</summary>
    public KeyTable<byte>? Table => _table;

    /// <summary>Redis's string2ll: the member is stored as an integer only when it prints back identically.</summary>
    public static bool TryParseMember(ReadOnlySpan<byte> member, out long value)
    {
        value = 0;
        if (member.Length is 0 or > 20) return false;
        return StringValue.IsCanonicalInteger(member) && Utf8Parser.TryParse(member, out value, out _);
    }

    private int Search(long v) => Array.BinarySearch(_ints!, 0, _n, v);

    public bool Contains(ReadOnlySpan<byte> member)
    {
        if (_table is not null) return _table.ContainsKey(member);
        if (_packed is not null) return FindPacked(member, out _, out _);
        return TryParseMember(member, out long v) && Search(v) >= 0;
    }

    // ---- packed form ----


    /// <summary>Finds <paramref name="member"/>: its run's start and end in the packed array.</summary>
    private bool FindPacked(ReadOnlySpan<byte> member, out int start, out int end)
    {
        var buf = _packed!;
        int pos = 0;
        while (pos < buf.Length)
        {
            start = pos;
            int len = (int)Varint.Read(buf, ref pos);
            end = pos + len;
            if (member.SequenceEqual(buf.AsSpan(pos, len))) return true;
            pos = end;
        }
        start = end = 0;
        return false;
    }

    private void AddPacked(ReadOnlySpan<byte> member)
    {
        var old = _packed!;
        // Exact size: a new array per add (at most PackedMaxEntries of them), like a listpack's realloc.
        var grown = new byte[old.Length + Varint.Size((uint)member.Length) + member.Length];
        old.CopyTo(grown, 0);
        int pos = old.Length;
        pos = Varint.Write(grown, pos, (uint)member.Length);
        member.CopyTo(grown.AsSpan(pos));
        _packed = grown;
        _n++;
    }

    private static bool FitsPacked(ReadOnlySpan<byte> member) => member.Length <= PackedMaxValue;

    /// <summary>The members of the packed form as spans, in insertion order.</summary>
    private List<(int Offset, int Length)> PackedRuns()
    {
        var runs = new List<(int, int)>(_n);
        var buf = _packed!;
        int pos = 0;
        while (pos < buf.Length)
        {
            int len = (int)Varint.Read(buf, ref pos);
            runs.Add((pos, len));
            pos += len;
        }
        return runs;
    }

    private void ConvertPackedToTable()
    {
        var t = new KeyTable<byte>(_n + 1);
        foreach (var (offset, length) in PackedRuns()) t.Set(_packed.AsSpan(offset, length), 0);
        _table = t;
        _packed = null;
        _n = 0;
    }

    /// <summary>Adds a member; returns false when it was already there.</summary>
    public bool Add(ReadOnlySpan<byte> member, EncodingLimits limits)
    {
        if (_ints is not null)
        {
            if (TryParseMember(member, out long v))
            {
                int i = Search(v);
                if (i >= 0) return false;
                i = ~i;
                if (_n == _ints!.Length) Array.Resize(ref _ints, _n * 2);
                Array.Copy(_ints, i, _ints, i + 1, _n - i);
                _ints[i] = v;
                _n++;
                // Redis caps the limit at 2^30 entries (intset internals) before comparing.
                if (_n > Math.Min(limits.SetMaxIntsetEntries, 1L << 30)) ConvertToTable(default);
                return true;
            }
            ConvertToTable(member);
        }
        if (_packed is not null)
        {
            if (FindPacked(member, out _, out _)) return false;
            if (_n < PackedMaxEntries && FitsPacked(member))
            {
                AddPacked(member);
                return true;
            }
            ConvertPackedToTable();
        }
        _table!.GetOrAdd(member, out bool exists);
        return !exists;
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_table is not null) return _table.Remove(member);
        if (_packed is not null)
        {
            if (!FindPacked(member, out int start, out int end)) return false;
            var shrunk = new byte[_packed.Length - (end - start)];
            _packed.AsSpan(0, start).CopyTo(shrunk);
            _packed.AsSpan(end).CopyTo(shrunk.AsSpan(start));
            _packed = shrunk;
            _n--;
            return true;
        }
        if (!TryParseMember(member, out long v)) return false;
        int i = Search(v);
        if (i < 0) return false;
        Array.Copy(_ints!, i + 1, _ints!, i, _n - i - 1);
        _n--;
        return true;
    }

    /// <summary>
    /// Leaves the intset form (Redis's setTypeConvert to a hashtable): packed when the members plus
    /// <paramref name="next"/> (about to be added; empty when none) fit it, else a table.
    /// </summary>
    private void ConvertToTable(ReadOnlySpan<byte> next)
    {
        Span<byte> buf = stackalloc byte[20];
        if (_n + 1 <= PackedMaxEntries && FitsPacked(next))
        {
            int n = _n;
            var ints = _ints!;
            _ints = null;
            _packed = [];
            _n = 0;
            for (int i = 0; i < n; i++)
            {
                Utf8Formatter.TryFormat(ints[i], buf, out int len);
                AddPacked(buf[..len]);
            }
            return;
        }
        var t = new KeyTable<byte>(_n + 1);
        for (int i = 0; i < _n; i++)
        {
            Utf8Formatter.TryFormat(_ints![i], buf, out int len);
            t.Set(buf[..len], 0);
        }
        _table = t;
        _ints = null;
        _n = 0;
    }

    /// <summary>Every member (ascending for an intset, table order otherwise), as new or stored arrays.</summary>
    public IEnumerable<byte[]> Members()
    {
        if (_table is not null)
        {
            foreach (var kv in _table.Entries()) yield return kv.Key;
            yield break;
        }
        if (_packed is not null)
        {
            var packed = _packed; // an add or remove replaces the array; this walk keeps its version
            int pos = 0;
            while (pos < packed.Length)
            {
                int len = (int)Varint.Read(packed, ref pos);
                yield return packed.AsSpan(pos, len).ToArray();
                pos += len;
            }
            yield break;
        }
        for (int i = 0; i < _n; i++) yield return FormatInt(_ints![i]);
    }

    /// <summary>The members of the intset form, ascending (empty when a table): read without formatting each one.</summary>
    public ReadOnlySpan<long> IntMembers => _ints is not null ? _ints.AsSpan(0, _n) : default;

    /// <summary>
    /// Allocation-free walk of the packed hashtable form (the RDB writer's): the member at byte offset
    /// <paramref name="pos"/> (start at 0), advancing it; false at the end or when not packed.
    /// </summary>
    public bool NextPacked(ref int pos, out ReadOnlySpan<byte> member)
    {
        if (_packed is null || pos >= _packed.Length)
        {
            member = default;
            return false;
        }
        int len = (int)Varint.Read(_packed, ref pos);
        member = _packed.AsSpan(pos, len);
        pos += len;
        return true;
    }

    /// <summary>ZUNION/ZINTER/ZDIFF read a plain set as a sorted set whose scores are all 1 (Redis's zuiInitIterator).</summary>
    IEnumerable<byte[]> IPlainSetMembers.EnumerateMembers() => Members();

    private static byte[] FormatInt(long v)
    {
        Span<byte> buf = stackalloc byte[20];
        Utf8Formatter.TryFormat(v, buf, out int len);
        return buf[..len].ToArray();
    }

    /// <summary>A uniformly random member (the set must not be empty).</summary>
    public byte[] RandomMember(Random random)
    {
        if (_table is not null)
        {
            _table.TryGetRandom(random, out var k, out _);
            return k;
        }
        if (_packed is not null)
        {
            int pick = random.Next(_n), pos = 0;
            while (true)
            {
                int len = (int)Varint.Read(_packed, ref pos);
                if (pick-- == 0) return _packed.AsSpan(pos, len).ToArray();
                pos += len;
            }
        }
        return FormatInt(_ints![random.Next(_n)]);
    }

    public override RedisCollection DeepClone()
    {
        var copy = new RedisSet(_ints is not null);
        if (_table is not null)
        {
            copy._packed = null;
            copy._table = _table.Clone();
        }
        else if (_packed is not null)
        {
            copy._packed = _packed; // never written in place: an add or remove makes a new array
            copy._n = _n;
        }
        else
        {
            copy._ints = (long[])_ints!.Clone();
            copy._n = _n;
        }
        return copy;
    }

    public override long EstimateBytes()
    {
        if (_packed is not null) return 48 + 24 + _packed.Length;
        if (_table is null) return 48 + 8L * _ints!.Length;
        long n = 48 + 24L * _table.BucketCount;
        foreach (var kv in _table.Entries()) n += 48 + kv.Key.Length;
        return n;
    }
}
