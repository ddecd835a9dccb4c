// A sorted set (Redis's zset) in Redis's two encodings. "listpack": one packed byte[] of (member, score) entries
// sorted by (score, member), while the set has at most zset-max-listpack-entries members of at most
// zset-max-listpack-value bytes — ~40 B for a 3-member set where the skiplist costs ~700 B. "skiplist": a ZSkiplist
// (skiplist with spans + member table) once a set outgrows either limit; never converted back except for freshly
// built results, as Redis's zsetConvertToListpackIfNeeded.
// A packed form of at most InlineBytes bytes lives inside the RedisSortedSet object itself (as RedisHash does):
// the measured `ZADD z 1 a 2 b 3 c` (9 B of entries) is one 56 B object instead of a 40 B object plus a 40 B array.
// (Not 48 B like the hash: with two references — the version and the node's limits — the runtime places the
// buffer after them, 8-aligned, so the only gap left is the 4 bytes after the base's epoch, where the length goes.)
// The member count of the packed form is not stored but scanned (bounded by zset-max-listpack-entries).
// A packed array is never written in place: every change makes a new exact-size array (as a listpack insert
// reallocs), or moves the version back inline once it fits, so an array is an immutable version of the set that
// clones share. The inline bytes are written in place, but they belong to one object: a clone copies them, and a
// snapshot keeps the original object, which its owner never writes again (Keyspace.UnshareSlot).
// Node-based reads (ranges, ranks by node, ZSCAN) of a packed set walk a transient ZSkiplist built from the current
// version and cached per thread: by array identity for an array, by content for the inline form (its bytes change
// in place, so the object's identity does not name a version; equal bytes are the same set), so a command's
// repeated walks build it once and a snapshot thread never sees a half-written set.
// Not thread-safe for writers: the node's ordering lock covers every mutating call.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

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

    /// <summary>Packed bytes held inside the object before an array is needed (the object is 56 B: header, the
    /// base's epoch and the length byte in one 8-byte slot, two references, this buffer).</summary>
    private const int InlineBytes = 16;

    [InlineArray(InlineBytes)]
    private struct InlineBuffer
    {
        private byte _first;
    }

    /// <summary>The listpack form (null: packed in <see cref="_inline"/>; byte[]: packed in that exact-size array;
    /// entries <c>[varint member length][member][score]</c>) or a ZSkiplist.</summary>
    private object? _repr;
    private readonly EncodingLimits _limits;
    /// <summary>Bytes of the packed form in <see cref="_inline"/> (while <see cref="_repr"/> is null).</summary>
    private byte _used;
    private InlineBuffer _inline;

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
        if (skiplist || limits.ZsetMaxListpackEntries == 0) _repr = new ZSkiplist();
    }

    /// <summary>zset-max-listpack-entries as read now (clamped to int: no set gets that long).</summary>
    public int MaxListpackEntries => (int)Math.Min(_limits.ZsetMaxListpackEntries, int.MaxValue);

    /// <summary>zset-max-listpack-value as read now, in bytes.</summary>
    public int MaxListpackValue => (int)Math.Min(_limits.ZsetMaxListpackValue, int.MaxValue);

    /// <summary>True once the set is in the skiplist encoding (Redis converted it from listpack).</summary>
    public bool IsSkiplist => _repr is ZSkiplist;

    public override string TypeName => "zset";
    public override string Encoding => IsSkiplist ? "skiplist" : "listpack";
    public override long Count => _repr is ZSkiplist s ? s.Length : PackedCount();

    /// <summary>The lowest element, or null when empty.</summary>
    public ZNode? First => Nodes.First;

    /// <summary>The highest element, or null when empty.</summary>
    public ZNode? Last => Nodes.Last;

    /// <summary>The member → node table (ZSCAN walks it with Redis's cursor when the set is a skiplist; of a
    /// listpack set it is the table of a transient copy, see the file header).</summary>
    public KeyTable<ZNode> Members => Nodes.Members;

    // ---- node view ----

    /// <summary>The array version the cached view was built from, or null when it was built from inline bytes.</summary>
    [ThreadStatic] private static byte[]? t_viewOf;
    /// <summary>When <see cref="t_viewOf"/> is null: the inline bytes the view was built from (length, then bytes).</summary>
    [ThreadStatic] private static byte[]? t_viewInline;
    [ThreadStatic] private static ZSkiplist? t_view;

    /// <summary>The skiplist, or for a listpack set a skiplist copy of its current version (see the file header).</summary>
    private ZSkiplist Nodes
    {
        get
        {
            var repr = _repr; // read once: a version is named by the array read here, never by this object
            if (repr is ZSkiplist s) return s;
            ZSkiplist view;
            if (repr is byte[] packed)
            {
                if (ReferenceEquals(t_viewOf, packed) && t_view is { } cached) return cached;
                view = ToSkiplist(packed);
                t_viewOf = packed;
                t_view = view;
                return view;
            }
            // Inline: its bytes change in place, so the version is named by its content.
            ReadOnlySpan<byte> inline = InlineSpan;
            var key = t_viewInline;
            if (t_viewOf is null && t_view is { } hit && key is not null && key[0] == inline.Length
                && inline.SequenceEqual(key.AsSpan(1, inline.Length)))
                return hit;
            view = ToSkiplist(inline);
            key ??= t_viewInline = new byte[1 + InlineBytes];
            key[0] = (byte)inline.Length;
            inline.CopyTo(key.AsSpan(1));
            t_viewOf = null;
            t_view = view;
            return view;
        }
    }

    private static ZSkiplist ToSkiplist(ReadOnlySpan<byte> packed)
    {
        var list = new ZSkiplist();
        for (int pos = 0; pos < packed.Length;)
        {
            var e = ReadEntry(packed, pos);
            list.Insert(packed.Slice(e.Member, e.MemberLength).ToArray(), e.Score);
            pos = e.End;
        }
        return list;
    }

    public override RedisCollection DeepClone()
    {
        // A packed array is immutable, so the copy shares it; inline bytes are copied (they are written in place).
        var copy = new RedisSortedSet(_limits, skiplist: _repr is ZSkiplist);
        if (_repr is ZSkiplist s)
        {
            for (var n = s.First; n is not null; n = n.Next) copy.Insert(n.Member, n.Score);
        }
        else
        {
            copy._repr = _repr;
            copy._inline = _inline;
            copy._used = _used;
        }
        return copy;
    }

    public override long EstimateBytes() => _repr switch
    {
        ZSkiplist s => 64 + s.Length * 96 + s.MemberBytes,
        byte[] a => 56 + 24 + a.Length,
        _ => 56,
    };

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
        int index = 0; // packed: the entry's rank when found, the member count on a miss
        bool found = list is not null ? (node = list.Find(member)) is not null : FindPacked(member, out entry, out index);
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
            else UpdatePacked(entry, ListpackScore(newScore));
            return ZAddResult.Updated;
        }
        if ((flags & ZAddFlags.Xx) != 0) return ZAddResult.Nop;
        if (list is null && !NeedsSkiplist(index, member.Length)) InsertPacked(member, ListpackScore(score));
        else Insert(member.ToArray(), score);
        return ZAddResult.Added;
    }

    /// <summary>Adds a member known to be absent (building results, loading RDB).</summary>
    public void Insert(byte[] member, double score)
    {
        if (_repr is not ZSkiplist)
        {
            // Redis converts before inserting the element that does not fit the listpack (zsetAdd).
            if (!NeedsSkiplist(PackedCount(), member.Length))
            {
                InsertPacked(member, ListpackScore(score));
                return;
            }
            _repr = ToSkiplist(PackedSpan);
            _used = 0;
            _inline = default;
        }
        ((ZSkiplist)_repr).Insert(member, score);
    }

    private bool NeedsSkiplist(int packedCount, int memberLength) => packedCount + 1 > MaxListpackEntries || memberLength > MaxListpackValue;

    /// <summary>A listpack stores scores as text that reads back -0 as 0; the skiplist keeps -0 (as Redis 7.0).</summary>
    private double ListpackScore(double score) => _repr is not ZSkiplist && score == 0 ? 0.0 : score;

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_repr is ZSkiplist s) return s.Remove(member);
        if (!FindPacked(member, out var e, out _)) return false;
        var old = PackedSpan;
        int size = old.Length - (e.End - e.Start);
        var array = size > InlineBytes ? new byte[size] : null;
        Span<byte> dest = array is not null ? array : stackalloc byte[InlineBytes];
        old[..e.Start].CopyTo(dest);
        old[e.End..].CopyTo(dest[e.Start..]);
        Commit(array, dest[..size]);
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
        var array = size > InlineBytes ? new byte[size] : null;
        Span<byte> dest = array is not null ? array : stackalloc byte[InlineBytes];
        int pos = 0;
        for (var n = s.First; n is not null; n = n.Next) pos = WriteEntry(dest, pos, n.Member, n.Score == 0 ? 0.0 : n.Score);
        Commit(array, dest[..size]);
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
    /// false) when the set is a skiplist. An array version is immutable, so its reader stays valid whatever the
    /// owner does; an inline version is read from the object, so its reader is for a set nobody writes meanwhile
    /// (the snapshot thread's objects, see the file header, or the owner's own thread).
    /// </summary>
    public PackedEntries Packed => _repr switch
    {
        ZSkiplist => default,
        byte[] packed => new PackedEntries(packed, null),
        _ => new PackedEntries(null, this),
    };

    /// <summary>A reader over one packed version, ascending by (score, member).</summary>
    public readonly struct PackedEntries
    {
        private readonly byte[]? _packed;
        private readonly RedisSortedSet? _inlineOwner;

        internal PackedEntries(byte[]? packed, RedisSortedSet? inlineOwner)
        {
            _packed = packed;
            _inlineOwner = inlineOwner;
        }

        public bool IsSet => _packed is not null || _inlineOwner is not null;

        /// <summary>The entry at byte offset <paramref name="pos"/> (start at 0), advancing it; false at the end.</summary>
        public bool Next(ref int pos, out ReadOnlySpan<byte> member, out double score)
        {
            ReadOnlySpan<byte> buf = _packed is not null ? _packed : _inlineOwner is not null ? _inlineOwner.InlineSpan : default;
            if (pos >= buf.Length)
            {
                member = default;
                score = 0;
                return false;
            }
            var e = ReadEntry(buf, pos);
            member = buf.Slice(e.Member, e.MemberLength);
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

    private static int EntrySize(int memberLength, double score)
    {
        ulong code = ScoreCode(score);
        return Varint.Size((ulong)memberLength) + memberLength + (code == 1 ? 9 : Varint.Size(code));
    }

    private static int WriteEntry(Span<byte> buf, int pos, ReadOnlySpan<byte> member, double score)
    {
        pos = Varint.Write(buf, pos, (ulong)member.Length);
        member.CopyTo(buf[pos..]);
        pos += member.Length;
        ulong code = ScoreCode(score);
        pos = Varint.Write(buf, pos, code);
        if (code == 1)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(buf[pos..], score);
            pos += 8;
        }
        return pos;
    }

    private static Entry ReadEntry(ReadOnlySpan<byte> buf, int pos)
    {
        int start = pos;
        int length = (int)Varint.Read(buf, ref pos);
        int member = pos;
        pos += length;
        ulong code = Varint.Read(buf, ref pos);
        double score;
        if (code == 1)
        {
            score = BinaryPrimitives.ReadDoubleLittleEndian(buf[pos..]);
            pos += 8;
        }
        else
        {
            ulong z = code >> 1;
            score = (long)(z >> 1) ^ -(long)(z & 1);
        }
        return new Entry(start, member, length, score, pos);
    }

    /// <summary>The inline packed bytes in use (only meaningful while <see cref="_repr"/> is null).</summary>
    private ReadOnlySpan<byte> InlineSpan => ((ReadOnlySpan<byte>)_inline)[.._used];

    /// <summary>The current packed version (inline bytes or the array); only while not a skiplist.</summary>
    private ReadOnlySpan<byte> PackedSpan => _repr is byte[] a ? a : InlineSpan;

    /// <summary>Members in the packed form, by a scan (not stored, see the file header).</summary>
    private int PackedCount()
    {
        var packed = PackedSpan;
        int n = 0;
        for (int pos = 0; pos < packed.Length; n++) pos = ReadEntry(packed, pos).End;
        return n;
    }

    /// <summary>Finds <paramref name="member"/> in the packed form; <paramref name="index"/> is its 0-based rank, or
    /// the member count when absent.</summary>
    private bool FindPacked(ReadOnlySpan<byte> member, out Entry entry, out int index)
    {
        var packed = PackedSpan;
        index = 0;
        for (int pos = 0; pos < packed.Length; index++)
        {
            entry = ReadEntry(packed, pos);
            if (member.SequenceEqual(packed.Slice(entry.Member, entry.MemberLength))) return true;
            pos = entry.End;
        }
        entry = default;
        return false;
    }

    /// <summary>Byte offset in <paramref name="packed"/> where (member, score) sorts, skipping the entry at
    /// [<paramref name="skipStart"/>, <paramref name="skipEnd"/>) (the one being updated; pass 0, 0 for none).</summary>
    private static int SortedPosition(ReadOnlySpan<byte> packed, ReadOnlySpan<byte> member, double score, int skipStart, int skipEnd)
    {
        int pos = 0;
        while (pos < packed.Length)
        {
            if (pos == skipStart && skipEnd > skipStart)
            {
                pos = skipEnd;
                continue;
            }
            var e = ReadEntry(packed, pos);
            if (e.Score > score || (e.Score == score && packed.Slice(e.Member, e.MemberLength).SequenceCompareTo(member) > 0)) break;
            pos = e.End;
        }
        return pos;
    }

    /// <summary>Makes the current packed version plus (member, score) at its sorted place the new version.</summary>
    private void InsertPacked(ReadOnlySpan<byte> member, double score)
    {
        var old = PackedSpan;
        int at = SortedPosition(old, member, score, 0, 0);
        int entrySize = EntrySize(member.Length, score);
        int size = old.Length + entrySize;
        var array = size > InlineBytes ? new byte[size] : null;
        Span<byte> dest = array is not null ? array : stackalloc byte[InlineBytes];
        old[..at].CopyTo(dest);
        // The member may live in the old version (an update): it is copied before the old bytes are replaced.
        WriteEntry(dest, at, member, score);
        old[at..].CopyTo(dest[(at + entrySize)..]);
        Commit(array, dest[..size]);
    }

    /// <summary>A listpack update is a delete and a sorted insert (zzlDeleteRangeByRank + zzlInsert): one new
    /// version with <paramref name="entry"/> moved to <paramref name="score"/>'s place.</summary>
    private void UpdatePacked(in Entry entry, double score)
    {
        var old = PackedSpan;
        var member = old.Slice(entry.Member, entry.MemberLength);
        int at = SortedPosition(old, member, score, entry.Start, entry.End);
        int entrySize = EntrySize(member.Length, score);
        int size = old.Length - (entry.End - entry.Start) + entrySize;
        var array = size > InlineBytes ? new byte[size] : null;
        Span<byte> dest = array is not null ? array : stackalloc byte[InlineBytes];
        int pos;
        if (at <= entry.Start)
        {
            // [..at] new [at..start] [end..]
            old[..at].CopyTo(dest);
            pos = WriteEntry(dest, at, member, score);
            old[at..entry.Start].CopyTo(dest[pos..]);
            pos += entry.Start - at;
            old[entry.End..].CopyTo(dest[pos..]);
        }
        else
        {
            // [..start] [end..at] new [at..]
            old[..entry.Start].CopyTo(dest);
            pos = entry.Start;
            old[entry.End..at].CopyTo(dest[pos..]);
            pos += at - entry.End;
            pos = WriteEntry(dest, pos, member, score);
            old[at..].CopyTo(dest[pos..]);
        }
        Commit(array, dest[..size]);
    }

    /// <summary>Makes <paramref name="version"/> the packed form: <paramref name="array"/> when it was built in a
    /// new exact-size array, else (≤ <see cref="InlineBytes"/>) copied into the inline buffer. The old array, if
    /// any, is left untouched (clones may share it).</summary>
    private void Commit(byte[]? array, ReadOnlySpan<byte> version)
    {
        if (array is not null)
        {
            _repr = array;
            _used = 0;
            return;
        }
        version.CopyTo(_inline);
        _used = (byte)version.Length;
        _repr = null;
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
