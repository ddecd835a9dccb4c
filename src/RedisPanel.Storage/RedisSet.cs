// A Redis set. While every member is a canonical 64-bit integer and there are at most set-max-intset-entries
// members, it is a sorted long[] (Redis's "intset": SMEMBERS comes out in ascending order); otherwise a
// KeyTable of members ("hashtable"), for good — Redis 7.0 never converts back and has no set listpack.
using System.Buffers.Text;

namespace RedisPanel.Storage;

public sealed class RedisSet : RedisCollection, IPlainSetMembers
{
    private long[]? _ints;
    private int _n;
    private KeyTable<byte>? _table;

    public RedisSet() => _ints = new long[4];

    private RedisSet(bool table)
    {
        if (table) _table = new KeyTable<byte>();
        else _ints = new long[4];
    }

    /// <summary>A set starting in the encoding Redis's setTypeCreate picks for its first member.</summary>
    public static RedisSet CreateFor(ReadOnlySpan<byte> firstMember) => new(!TryParseMember(firstMember, out _));

    public override string TypeName => "set";

    public override string Encoding => _table is null ? "intset" : "hashtable";

    public bool IsIntset => _table is null;

    public override long Count => _table?.Count ?? _n;

    /// <summary>The hashtable form, or null while an intset (SSCAN uses its ScanStep).</summary>
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
        return TryParseMember(member, out long v) && Search(v) >= 0;
    }

    /// <summary>Adds a member; returns false when it was already there.</summary>
    public bool Add(ReadOnlySpan<byte> member, EncodingLimits limits)
    {
        if (_table is null)
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
                if (_n > Math.Min(limits.SetMaxIntsetEntries, 1L << 30)) ConvertToTable();
                return true;
            }
            ConvertToTable();
        }
        _table!.GetOrAdd(member, out bool exists);
        return !exists;
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_table is not null) return _table.Remove(member);
        if (!TryParseMember(member, out long v)) return false;
        int i = Search(v);
        if (i < 0) return false;
        Array.Copy(_ints!, i + 1, _ints!, i, _n - i - 1);
        _n--;
        return true;
    }

    private void ConvertToTable()
    {
        var t = new KeyTable<byte>(_n + 1);
        Span<byte> buf = stackalloc byte[20];
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
        for (int i = 0; i < _n; i++) yield return FormatInt(_ints![i]);
    }

    /// <summary>The members of the intset form, ascending (empty when a table): read without formatting each one.</summary>
    public ReadOnlySpan<long> IntMembers => _table is null ? _ints.AsSpan(0, _n) : default;

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
        return FormatInt(_ints![random.Next(_n)]);
    }

    public override RedisCollection DeepClone()
    {
        var copy = new RedisSet(_table is not null);
        if (_table is not null) copy._table = _table.Clone();
        else
        {
            copy._ints = (long[])_ints!.Clone();
            copy._n = _n;
        }
        return copy;
    }

    public override long EstimateBytes()
    {
        if (_table is null) return 48 + 8L * _ints!.Length;
        long n = 48 + 24L * _table.BucketCount;
        foreach (var kv in _table.Entries()) n += 48 + kv.Key.Length;
        return n;
    }
}
