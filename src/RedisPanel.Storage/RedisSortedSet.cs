// A sorted set (Redis's zset) in Redis's two encodings. "listpack": one packed byte[] of (member, score) entries
// sorted by (score, member), while the set has at most zset-max-listpack-entries members of at most
// zset-max-listpack-value bytes — ~40 B for a 3-member set where the skiplist costs ~700 B. "skiplist": a ZSkiplist
// (skiplist with spans + member table) once a set outgrows either limit; never converted back except for freshly
// built results, as Redis's zsetConvertToListpackIfNeeded.
// The packed array is never written in place: every change makes a new exact-size array (as a listpack insert
// reallocs), so an array is an immutable version of the set. Node-based reads (ranges, ranks by node, ZSCAN) of a
// packed set walk a transient ZSkiplist built from that version and cached per thread by array identity, so a
// command's repeated walks build it once and a snapshot thread never sees a half-written set.
// Not thread-safe for writers: the node's ordering lock covers every mutating call.
using System.Buffers.Binary;

namespace RedisPanel.Storage;

/// <summary>Flags of <see cref="RedisSortedSet.Add"/> (Redis's ZADD_IN_*).</summary>
[Flags]
public enum ZAddFlags
{
    None = 0,
    Incr = 1,
    Nx = 2,
    Xx = 4,
    Gt = 8,
    Lt = 16,
}

/// <summary>Outcome of <see cref="RedisSortedSet.Add"/> (Redis's ZADD_OUT_*).</summary>
public enum ZAddResult
{
    /// <summary>Nothing done because of NX/XX/GT/LT.</summary>
    Nop,
    Added,
    Updated,
    /// <summary>The member existed with the same score: processed, nothing changed.</summary>
    Unchanged,
    /// <summary>The increment produced NaN; nothing changed.</summary>
    NaN,
}

public sealed class RedisSortedSet : RedisCollection
{
    public const int MaxLevel = 32;
    /// <summary>Redis's default zset-max-listpack-entries / zset-max-listpack-value.</summary>
    public const int DefaultListpackEntries = 128, DefaultListpackValue = 64;

    /// <summary>The listpack form (byte[]: entries <c>[varint member length][member][score]</c>) or a ZSkiplist.</summary>
    private object _repr;
    /// <summary>Entries in the listpack form.</summary>
    private int _packedCount;
    private readonly EncodingLimits _limits;

    /// <summary>A set with fixed thresholds (tests, loaders that do not know the node's limits).</summary>
    /// <param name="skiplist">Start in the skiplist encoding (Redis's createZsetObject, used for results that are
    /// converted with <see cref="ConvertToListpackIfSmall"/> once complete).</param>
    public RedisSortedSet(int maxListpackEntries = DefaultListpackEntries, int maxListpackValue = DefaultListpackValue, bool skiplist = false)
        : this(maxListpackEntries == DefaultListpackEntries && maxListpackValue == DefaultListpackValue
            ? FixedDefaults
            : new EncodingLimits { ZsetMaxListpackEntries = maxListpackEntries, ZsetMaxListpackValue = maxListpackValue }, skiplist)
    {
    }

    /// <summary>Default thresholds shared by sets built with the fixed-limit constructor; never mutated.</summary>
    private static readonly EncodingLimits FixedDefaults = new();

    /// <summary>A set that follows the node's live zset-max-listpack-* (<paramref name="limits"/> is shared, not copied).</summary>
    public RedisSortedSet(EncodingLimits limits, bool skiplist = false)
    {
        _limits = limits;
        _repr = skiplist || limits.ZsetMaxListpackEntries == 0 ? new ZSkiplist() : Array.Empty<byte>();
    }

    /// <summary>zset-max-listpack-entries as read now (clamped to int: no set gets that long).</summary>
    public int MaxListpackEntries => (int)Math.Min(_limits.ZsetMaxListpackEntries, int.MaxValue);

    /// <summary>zset-max-listpack-value as read now, in bytes.</summary>
    public int MaxListpackValue => (int)Math.Min(_limits.ZsetMaxListpackValue, int.MaxValue);

    /// <summary>True once the set is in the skiplist encoding (Redis converted it from listpack).</summary>
    public bool IsSkiplist => _repr is ZSkiplist;

    public override string TypeName => "zset";
    public override string Encoding => IsSkiplist ? "skiplist" : "listpack";
    public override long Count => _repr is ZSkiplist s ? s.Length : _packedCount;

    /// <summary>The lowest element, or null when empty.</summary>
    public ZNode? First => Nodes.First;

    /// <summary>The highest element, or null when empty.</summary>
    public ZNode? Last => Nodes.Last;

    /// <summary>The member → node table (ZSCAN walks it with Redis's cursor when the set is a skiplist; of a
    /// listpack set it is the table of a transient copy, see the file header).</summary>
    public KeyTable<ZNode> Members => Nodes.Members;

    // ---- node view ----

    [ThreadStatic] private static byte[]? t_viewOf;
    [ThreadStatic] private static ZSkiplist? t_view;

    /// <summary>The skiplist, or for a listpack set a skiplist copy of its current version (see the file header).</summary>
    private ZSkiplist Nodes
    {
        get
        {
            var repr = _repr; // read once: a snapshot thread may call this while the owner replaces a version
            if (repr is ZSkiplist s) return s;
            var packed = (byte[])repr;
            if (ReferenceEquals(t_viewOf, packed) && t_view is { } cached) return cached;
            var view = ToSkiplist(packed);
            t_viewOf = packed;
            t_view = view;
            return view;
        }
    }

    private static ZSkiplist ToSkiplist(byte[] packed)
    {
        var list = new ZSkiplist();
        for (int pos = 0; pos < packed.Length;)
        {
            var e = ReadEntry(packed, pos);
            list.Insert(packed.AsSpan(e.Member, e.MemberLength).ToArray(), e.Score);
            pos = e.End;
        }
        return list;
    }

    public override RedisCollection DeepClone()
    {
        // A packed version is immutable, so the copy shares it.
        var copy = new RedisSortedSet(_limits, skiplist: _repr is ZSkiplist);
        if (_repr is ZSkiplist s)
        {
            for (var n = s.First; n is not null; n = n.Next) copy.Insert(n.Member, n.Score);
        }
        else
        {
            copy._repr = _repr;
            copy._packedCount = _packedCount;
        }
        return copy;
    }

    public override long EstimateBytes() => _repr is ZSkiplist s ? 64 + s.Length * 96 + s.MemberBytes : 40 + 24 + ((byte[])_repr).Length;

    public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
    {
        if (_repr is ZSkiplist s)
        {
            var node = s.Find(member);
            score = node?.Score ?? 0;
            return node is not null;
        }
        if (FindPacked(member, out var e, out _))
        {
            score = e.Score;
            return true;
        }
        score = 0;
        return false;
    }

    /// <summary>
    /// Redis's zsetAdd: adds or updates <paramref name="member"/>. With <see cref="ZAddFlags.Incr"/> the score is an
    /// increment and <paramref name="score"/> returns the resulting score (on Added, Updated, Unchanged).
    /// </summary>
    public ZAddResult Add(ReadOnlySpan<byte> member, ref double score, ZAddFlags flags = ZAddFlags.None)
    {
        var list = _repr as ZSkiplist;
        ZNode? node = null;
        Entry entry = default;
        bool found = list is not null ? (node = list.Find(member)) is not null : FindPacked(member, out entry, out _);
        if (found)
        {
            if ((flags & ZAddFlags.Nx) != 0) return ZAddResult.Nop;
            double cur = node?.Score ?? entry.Score;
            double newScore = score;
            if ((flags & ZAddFlags.Incr) != 0)
            {
                newScore = cur + score;
                if (double.IsNaN(newScore)) return ZAddResult.NaN;
            }
            if (((flags & ZAddFlags.Lt) != 0 && newScore >= cur) || ((flags & ZAddFlags.Gt) != 0 && newScore <= cur))
                return ZAddResult.Nop;
            score = newScore;
            if (newScore == cur) return ZAddResult.Unchanged;
            if (node is not null) list!.UpdateScore(node, newScore);
            else
            {
                // A listpack update is a delete and a sorted insert (zzlDeleteRangeByRank + zzlInsert).
                var packed = (byte[])_repr;
                var without = Splice(packed, entry.Start, entry.End - entry.Start, 0);
                _packedCount--;
                InsertPacked(without, packed.AsSpan(entry.Member, entry.MemberLength), ListpackScore(newScore));
            }
            return ZAddResult.Updated;
        }
        if ((flags & ZAddFlags.Xx) != 0) return ZAddResult.Nop;
        if (list is null && !NeedsSkiplist(member.Length)) InsertPacked((byte[])_repr, member, ListpackScore(score));
        else Insert(member.ToArray(), score);
        return ZAddResult.Added;
    }

    /// <summary>Adds a member known to be absent (building results, loading RDB).</summary>
    public void Insert(byte[] member, double score)
    {
        if (_repr is byte[] packed)
        {
            // Redis converts before inserting the element that does not fit the listpack (zsetAdd).
            if (!NeedsSkiplist(member.Length))
            {
                InsertPacked(packed, member, ListpackScore(score));
                return;
            }
            _repr = ToSkiplist(packed);
            _packedCount = 0;
        }
        ((ZSkiplist)_repr).Insert(member, score);
    }

    private bool NeedsSkiplist(int memberLength) => _packedCount + 1 > MaxListpackEntries || memberLength > MaxListpackValue;

    /// <summary>A listpack stores scores as text that reads back -0 as 0; the skiplist keeps -0 (as Redis 7.0).</summary>
    private double ListpackScore(double score) => _repr is not ZSkiplist && score == 0 ? 0.0 : score;

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_repr is ZSkiplist s) return s.Remove(member);
        if (!FindPacked(member, out var e, out _)) return false;
        _repr = Splice((byte[])_repr, e.Start, e.End - e.Start, 0);
        _packedCount--;
        return true;
    }

    /// <summary>Redis's zsetConvertToListpackIfNeeded, for results built from scratch (ZUNIONSTORE ...).</summary>
    public void ConvertToListpackIfSmall()
    {
        if (_repr is not ZSkiplist s || s.Length > MaxListpackEntries) return;
        int size = 0;
        for (var n = s.First; n is not null; n = n.Next)
        {
            if (n.Member.Length > MaxListpackValue) return;
            size += EntrySize(n.Member.Length, n.Score == 0 ? 0.0 : n.Score);
        }
        var packed = new byte[size];
        int pos = 0;
        for (var n = s.First; n is not null; n = n.Next) pos = WriteEntry(packed, pos, n.Member, n.Score == 0 ? 0.0 : n.Score);
        _repr = packed;
        _packedCount = (int)s.Length;
    }

    /// <summary>0-based rank of a member in ascending order (descending when <paramref name="reverse"/>), or -1.</summary>
    public long RankOf(ReadOnlySpan<byte> member, bool reverse = false)
    {
        long rank; // 1-based
        if (_repr is ZSkiplist s)
        {
            if (s.Find(member) is not { } target) return -1;
            rank = s.RankOf(target);
        }
        else
        {
            if (!FindPacked(member, out _, out int index)) return -1;
            rank = index + 1;
        }
        return reverse ? Count - rank : rank - 1;
    }

    /// <summary>The element at 0-based ascending <paramref name="rank"/>, or null when out of range.</summary>
    public ZNode? ByRank(long rank) => rank < 0 || rank >= Count ? null : Nodes.ByRank(rank);

    /// <summary>The first (lowest) element inside the score range, or null.</summary>
    public ZNode? FirstInRange(in ScoreRange range) => Count == 0 ? null : Nodes.FirstInRange(range);

    /// <summary>The last (highest) element inside the score range, or null.</summary>
    public ZNode? LastInRange(in ScoreRange range) => Count == 0 ? null : Nodes.LastInRange(range);

    public ZNode? FirstInRange(in LexRange range) => Count == 0 ? null : Nodes.FirstInRange(range);

    public ZNode? LastInRange(in LexRange range) => Count == 0 ? null : Nodes.LastInRange(range);

    /// <summary>0-based ascending rank of a node that is in the set.</summary>
    public long RankOf(ZNode node) => RankOf(node.Member);

    /// <summary>Removes the elements with ascending ranks [start, end] (both inclusive, already clamped); returns how many.</summary>
    public long RemoveRangeByRank(long start, long end)
    {
        // Walks the current version's nodes (for a listpack set a transient copy that the removals do not touch).
        long removed = 0;
        var n = ByRank(start);
        while (n is not null && start + removed <= end)
        {
            var next = n.Next;
            Remove(n.Member);
            removed++;
            n = next;
        }
        return removed;
    }

    public long RemoveRange(in ScoreRange range)
    {
        long removed = 0;
        var n = FirstInRange(range);
        while (n is not null && range.LteMax(n.Score))
        {
            var next = n.Next;
            Remove(n.Member);
            removed++;
            n = next;
        }
        return removed;
    }

    public long RemoveRange(in LexRange range)
    {
        long removed = 0;
        var n = FirstInRange(range);
        while (n is not null && range.LteMax(n.Member))
        {
            var next = n.Next;
            Remove(n.Member);
            removed++;
            n = next;
        }
        return removed;
    }

    /// <summary>
    /// The listpack form's current version for allocation-free reads (the RDB writer: going through
    /// <see cref="Last"/> would build a transient skiplist per set); default (<see cref="PackedEntries.IsSet"/>
    /// false) when the set is a skiplist. The version is immutable, so the reader stays valid whatever the owner does.
    /// </summary>
    public PackedEntries Packed => _repr is byte[] packed ? new PackedEntries(packed) : default;

    /// <summary>A reader over one immutable packed version, ascending by (score, member).</summary>
    public readonly struct PackedEntries
    {
        private readonly byte[]? _packed;

        internal PackedEntries(byte[] packed) => _packed = packed;

        public bool IsSet => _packed is not null;

        /// <summary>The entry at byte offset <paramref name="pos"/> (start at 0), advancing it; false at the end.</summary>
        public bool Next(ref int pos, out ReadOnlySpan<byte> member, out double score)
        {
            if (_packed is null || pos >= _packed.Length)
            {
                member = default;
                score = 0;
                return false;
            }
            var e = ReadEntry(_packed, pos);
            member = _packed.AsSpan(e.Member, e.MemberLength);
            score = e.Score;
            pos = e.End;
            return true;
        }
    }

    /// <summary>Every element in ascending order.</summary>
    public IEnumerable<ZNode> Ascending()
    {
        for (var n = First; n is not null; n = n.Next) yield return n;
    }

    // ---- listpack form ----
    // Entry: [varint member length][member][varint code]; an even code is an integer score (zigzag(score) << 1,
    // for integral scores up to 2^50 in magnitude, -0 excluded), code 1 is followed by the 8-byte double. Redis's
    // listpack likewise stores integral scores as integers; a 3-member set of 1-byte members and small integer
    // scores is 9 bytes.

    /// <summary>One entry of the packed form: where it starts, where its member is, its score, where it ends.</summary>
    private readonly record struct Entry(int Start, int Member, int MemberLength, double Score, int End);

    private const double MaxIntScore = 1L << 50;

    private static ulong ScoreCode(double score)
    {
        if (score >= -MaxIntScore && score <= MaxIntScore && score == Math.Floor(score) && !(score == 0 && double.IsNegative(score)))
        {
            long l = (long)score;
            return (ulong)((l << 1) ^ (l >> 63)) << 1;
        }
        return 1;
    }

    private static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    private static int WriteVarint(byte[] buf, int pos, ulong value)
    {
        while (value >= 0x80)
        {
            buf[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buf[pos++] = (byte)value;
        return pos;
    }

    private static ulong ReadVarint(byte[] buf, ref int pos)
    {
        ulong value = 0;
        int shift = 0;
        while (true)
        {
            byte b = buf[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
            shift += 7;
        }
    }

    private static int EntrySize(int memberLength, double score)
    {
        ulong code = ScoreCode(score);
        return VarintSize((ulong)memberLength) + memberLength + (code == 1 ? 9 : VarintSize(code));
    }

    private static int WriteEntry(byte[] buf, int pos, ReadOnlySpan<byte> member, double score)
    {
        pos = WriteVarint(buf, pos, (ulong)member.Length);
        member.CopyTo(buf.AsSpan(pos));
        pos += member.Length;
        ulong code = ScoreCode(score);
        pos = WriteVarint(buf, pos, code);
        if (code == 1)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(buf.AsSpan(pos), score);
            pos += 8;
        }
        return pos;
    }

    private static Entry ReadEntry(byte[] buf, int pos)
    {
        int start = pos;
        int length = (int)ReadVarint(buf, ref pos);
        int member = pos;
        pos += length;
        ulong code = ReadVarint(buf, ref pos);
        double score;
        if (code == 1)
        {
            score = BinaryPrimitives.ReadDoubleLittleEndian(buf.AsSpan(pos));
            pos += 8;
        }
        else
        {
            ulong z = code >> 1;
            score = (long)(z >> 1) ^ -(long)(z & 1);
        }
        return new Entry(start, member, length, score, pos);
    }

    /// <summary>Finds <paramref name="member"/> in the packed form; <paramref name="index"/> is its 0-based rank.</summary>
    private bool FindPacked(ReadOnlySpan<byte> member, out Entry entry, out int index)
    {
        var packed = (byte[])_repr;
        index = 0;
        for (int pos = 0; pos < packed.Length; index++)
        {
            entry = ReadEntry(packed, pos);
            if (member.SequenceEqual(packed.AsSpan(entry.Member, entry.MemberLength))) return true;
            pos = entry.End;
        }
        entry = default;
        return false;
    }

    /// <summary>Makes the packed form <paramref name="packed"/> plus (member, score) at its sorted place.</summary>
    private void InsertPacked(byte[] packed, ReadOnlySpan<byte> member, double score)
    {
        int pos = 0;
        while (pos < packed.Length)
        {
            var e = ReadEntry(packed, pos);
            if (e.Score > score || (e.Score == score && packed.AsSpan(e.Member, e.MemberLength).SequenceCompareTo(member) > 0)) break;
            pos = e.End;
        }
        int size = EntrySize(member.Length, score);
        var grown = Splice(packed, pos, 0, size);
        WriteEntry(grown, pos, member, score);
        _repr = grown;
        _packedCount++;
    }

    /// <summary>A new array: <paramref name="packed"/> with <paramref name="removed"/> bytes at <paramref name="at"/>
    /// replaced by <paramref name="added"/> bytes of room.</summary>
    private static byte[] Splice(byte[] packed, int at, int removed, int added)
    {
        var result = new byte[packed.Length - removed + added];
        packed.AsSpan(0, at).CopyTo(result);
        packed.AsSpan(at + removed).CopyTo(result.AsSpan(at + added));
        return result;
    }
}

/// <summary>
/// Implemented by the plain set type so ZUNION/ZINTER/ZDIFF (and their STORE forms) can read a set as a sorted
/// set whose scores are all 1, as Redis accepts (RedisSet implements it).
/// </summary>
public interface IPlainSetMembers
{
    long Count { get; }
    bool Contains(ReadOnlySpan<byte> member);
    IEnumerable<byte[]> EnumerateMembers();
}
