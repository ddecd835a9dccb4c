// A sorted set (Redis's zset): a skiplist with spans ordered by (score, member) — so rank queries are O(log n)
// like Redis's zslGetRank — plus a member → node table for O(1) ZSCORE. Redis keeps small sets in a listpack;
// we always use the skiplist but report the encoding Redis would have (listpack until a set grows past
// zset-max-listpack-entries or gets a member longer than zset-max-listpack-value; never converted back,
// except for freshly built results, as Redis's zsetConvertToListpackIfNeeded).
// Not thread-safe: the node's ordering lock covers every call.
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

/// <summary>One level of a skiplist node: the next node on that level and how many elements the link skips.</summary>
internal struct ZLevel
{
    public ZNode? Forward;
    public long Span;
}

/// <summary>One element of a sorted set. Members are immutable once inserted.</summary>
/// <remarks>
/// Level 0 lives inline in the node and only levels 1.. take an array: three nodes in four have a single level
/// (p = 1/4, as ZSKIPLIST_P), so most nodes are one object. The header's upper array grows with the set's
/// current max level instead of being preallocated to <see cref="RedisSortedSet.MaxLevel"/>.
/// </remarks>
public sealed class ZNode
{
    internal ZNode(int levels, byte[] member, double score)
    {
        if (levels > 1) _upper = new ZLevel[levels - 1];
        Member = member;
        Score = score;
    }

    public byte[] Member { get; }
    public double Score { get; internal set; }
    private ZLevel _level0;
    private ZLevel[]? _upper;
    internal ZNode? Backward;

    /// <summary>Level <paramref name="i"/> (0 ≤ i &lt; the node's level count).</summary>
    internal ref ZLevel L(int i)
    {
        if (i == 0) return ref _level0;
        return ref _upper![i - 1];
    }

    /// <summary>How many levels the node has.</summary>
    internal int LevelCount => 1 + (_upper?.Length ?? 0);

    /// <summary>Grows the header to <paramref name="levels"/> levels (new levels empty).</summary>
    internal void GrowTo(int levels)
    {
        if (levels - 1 > (_upper?.Length ?? 0)) Array.Resize(ref _upper, levels - 1);
    }

    /// <summary>The next element in ascending order, or null.</summary>
    public ZNode? Next => _level0.Forward;

    /// <summary>The previous element in ascending order, or null.</summary>
    public ZNode? Previous => Backward;
}

public sealed class RedisSortedSet : RedisCollection
{
    public const int MaxLevel = 32;
    /// <summary>Redis's default zset-max-listpack-entries / zset-max-listpack-value.</summary>
    public const int DefaultListpackEntries = 128, DefaultListpackValue = 64;

    private readonly ZNode _header = new(1, [], 0);
    /// <summary>Sets up to this many members have no member table: lookups walk level 0 (a few compares), as Redis
    /// scans a small listpack. Saves the table's ≈ 210 B on every small set.</summary>
    private const int TablelessMembers = 8;

    private KeyTable<ZNode>? _dict;
    private ZNode? _tail;
    private int _level = 1;
    private long _length;
    private long _memberBytes;
    private ulong _rng;

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
        _rng = (ulong)Random.Shared.NextInt64() | 1;
        IsSkiplist = skiplist || limits.ZsetMaxListpackEntries == 0;
    }

    /// <summary>zset-max-listpack-entries as read now (clamped to int: no set gets that long).</summary>
    public int MaxListpackEntries => (int)Math.Min(_limits.ZsetMaxListpackEntries, int.MaxValue);

    /// <summary>zset-max-listpack-value as read now, in bytes.</summary>
    public int MaxListpackValue => (int)Math.Min(_limits.ZsetMaxListpackValue, int.MaxValue);

    /// <summary>True once Redis would have converted this set from listpack to skiplist.</summary>
    public bool IsSkiplist { get; private set; }

    public override string TypeName => "zset";
    public override string Encoding => IsSkiplist ? "skiplist" : "listpack";
    public override long Count => _length;

    /// <summary>The lowest element, or null when empty.</summary>
    public ZNode? First => _header.Next;

    /// <summary>The highest element, or null when empty.</summary>
    public ZNode? Last => _tail;

    /// <summary>The member → node table (ZSCAN walks it with Redis's cursor when the set is a skiplist); built on
    /// first use for a set small enough to have none, and kept from then on.</summary>
    public KeyTable<ZNode> Members => _dict ??= BuildTable();

    private KeyTable<ZNode> BuildTable()
    {
        var table = new KeyTable<ZNode>((int)Math.Min(_length, 1 << 30));
        for (var n = First; n is not null; n = n.Next) table.Set(n.Member, n, n.Member);
        return table;
    }

    /// <summary>The node of <paramref name="member"/>, or null.</summary>
    private ZNode? FindNode(ReadOnlySpan<byte> member)
    {
        if (_dict is not null)
        {
            ref ZNode node = ref _dict.Find(member);
            return System.Runtime.CompilerServices.Unsafe.IsNullRef(ref node) ? null : node;
        }
        for (var n = First; n is not null; n = n.Next)
            if (member.SequenceEqual(n.Member)) return n;
        return null;
    }

    public override RedisCollection DeepClone()
    {
        var copy = new RedisSortedSet(_limits) { IsSkiplist = IsSkiplist };
        for (var n = First; n is not null; n = n.Next) copy.Insert(n.Member, n.Score);
        return copy;
    }

    public override long EstimateBytes() => 64 + _length * 96 + _memberBytes;

    public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
    {
        var node = FindNode(member);
        if (node is null)
        {
            score = 0;
            return false;
        }
        score = node.Score;
        return true;
    }

    /// <summary>
    /// Redis's zsetAdd: adds or updates <paramref name="member"/>. With <see cref="ZAddFlags.Incr"/> the score is an
    /// increment and <paramref name="score"/> returns the resulting score (on Added, Updated, Unchanged).
    /// </summary>
    public ZAddResult Add(ReadOnlySpan<byte> member, ref double score, ZAddFlags flags = ZAddFlags.None)
    {
        bool incr = (flags & ZAddFlags.Incr) != 0;
        if (FindNode(member) is { } node)
        {
            if ((flags & ZAddFlags.Nx) != 0) return ZAddResult.Nop;
            double cur = node.Score;
            double newScore = score;
            if (incr)
            {
                newScore = cur + score;
                if (double.IsNaN(newScore)) return ZAddResult.NaN;
            }
            if (((flags & ZAddFlags.Lt) != 0 && newScore >= cur) || ((flags & ZAddFlags.Gt) != 0 && newScore <= cur))
                return ZAddResult.Nop;
            score = newScore;
            if (newScore == cur) return ZAddResult.Unchanged;
            UpdateScore(node, ListpackScore(newScore));
            return ZAddResult.Updated;
        }
        if ((flags & ZAddFlags.Xx) != 0) return ZAddResult.Nop;
        Insert(member.ToArray(), score);
        return ZAddResult.Added;
    }

    /// <summary>Adds a member known to be absent (building results, loading RDB).</summary>
    public void Insert(byte[] member, double score)
    {
        // Redis converts before inserting the element that does not fit the listpack (zsetAdd).
        if (!IsSkiplist && (_length + 1 > MaxListpackEntries || member.Length > MaxListpackValue)) IsSkiplist = true;
        var node = SkiplistInsert(ListpackScore(score), member);
        if (_dict is null && _length > TablelessMembers) _dict = BuildTable();
        else _dict?.Set(member, node, member);
        _memberBytes += member.Length;
    }

    /// <summary>A listpack stores scores as text that reads back -0 as 0; the skiplist keeps -0 (as Redis 7.0).</summary>
    private double ListpackScore(double score) => !IsSkiplist && score == 0 ? 0.0 : score;

    public bool Remove(ReadOnlySpan<byte> member)
    {
        ZNode? node;
        if (_dict is not null)
        {
            if (!_dict.Remove(member, out node)) return false;
        }
        else if ((node = FindNode(member)) is null) return false;
        SkiplistDelete(node);
        _memberBytes -= node.Member.Length;
        return true;
    }

    /// <summary>Redis's zsetConvertToListpackIfNeeded, for results built from scratch (ZUNIONSTORE ...).</summary>
    public void ConvertToListpackIfSmall()
    {
        if (!IsSkiplist || _length > MaxListpackEntries) return;
        for (var n = First; n is not null; n = n.Next)
            if (n.Member.Length > MaxListpackValue) return;
        IsSkiplist = false;
        for (var n = First; n is not null; n = n.Next)
            if (n.Score == 0) n.Score = 0.0;
    }

    /// <summary>0-based rank of a member in ascending order (descending when <paramref name="reverse"/>), or -1.</summary>
    public long RankOf(ReadOnlySpan<byte> member, bool reverse = false)
    {
        if (FindNode(member) is not { } target) return -1;
        long rank = 0;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.L(i).Forward is { } f && (f.Score < target.Score || (f.Score == target.Score && Compare(f.Member, target.Member) <= 0)))
            {
                rank += x.L(i).Span;
                x = f;
            }
            if (x == target) break;
        }
        // rank is 1-based here
        return reverse ? _length - rank : rank - 1;
    }

    /// <summary>The element at 0-based ascending <paramref name="rank"/>, or null when out of range.</summary>
    public ZNode? ByRank(long rank)
    {
        if (rank < 0 || rank >= _length) return null;
        long target = rank + 1, traversed = 0;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.L(i).Forward is { } f && traversed + x.L(i).Span <= target)
            {
                traversed += x.L(i).Span;
                x = f;
            }
            if (traversed == target) return x;
        }
        return null;
    }

    /// <summary>The first (lowest) element inside the score range, or null.</summary>
    public ZNode? FirstInRange(in ScoreRange range)
    {
        if (!range.CanContainAny || _tail is null || !range.GteMin(_tail.Score) || !range.LteMax(First!.Score)) return null;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
            while (x.L(i).Forward is { } f && !range.GteMin(f.Score)) x = f;
        var n = x.L(0).Forward;
        return n is not null && range.LteMax(n.Score) ? n : null;
    }

    /// <summary>The last (highest) element inside the score range, or null.</summary>
    public ZNode? LastInRange(in ScoreRange range)
    {
        if (!range.CanContainAny || _tail is null || !range.GteMin(_tail.Score) || !range.LteMax(First!.Score)) return null;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
            while (x.L(i).Forward is { } f && range.LteMax(f.Score)) x = f;
        return x != _header && range.GteMin(x.Score) ? x : null;
    }

    public ZNode? FirstInRange(in LexRange range)
    {
        if (!range.CanContainAny || _tail is null || !range.GteMin(_tail.Member) || !range.LteMax(First!.Member)) return null;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
            while (x.L(i).Forward is { } f && !range.GteMin(f.Member)) x = f;
        var n = x.L(0).Forward;
        return n is not null && range.LteMax(n.Member) ? n : null;
    }

    public ZNode? LastInRange(in LexRange range)
    {
        if (!range.CanContainAny || _tail is null || !range.GteMin(_tail.Member) || !range.LteMax(First!.Member)) return null;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
            while (x.L(i).Forward is { } f && range.LteMax(f.Member)) x = f;
        return x != _header && range.GteMin(x.Member) ? x : null;
    }

    /// <summary>0-based ascending rank of a node that is in the set.</summary>
    public long RankOf(ZNode node) => RankOf(node.Member);

    /// <summary>Removes the elements with ascending ranks [start, end] (both inclusive, already clamped); returns how many.</summary>
    public long RemoveRangeByRank(long start, long end)
    {
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

    /// <summary>Every element in ascending order.</summary>
    public IEnumerable<ZNode> Ascending()
    {
        for (var n = First; n is not null; n = n.Next) yield return n;
    }

    // ---- skiplist internals (Redis's zslInsert / zslDeleteNode / zslUpdateScore) ----

    // Scratch for the update path of insert/delete: nodes of different engines run on different threads.
    [ThreadStatic] private static ZNode[]? t_update;

    private static int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    private int RandomLevel()
    {
        // p = 1/4 per level, as ZSKIPLIST_P.
        int level = 1;
        while (level < MaxLevel)
        {
            _rng ^= _rng << 13;
            _rng ^= _rng >> 7;
            _rng ^= _rng << 17;
            if ((_rng & 3) != 0) break;
            level++;
        }
        return level;
    }

    private ZNode SkiplistInsert(double score, byte[] member)
    {
        var node = new ZNode(RandomLevel(), member, score);
        SkiplistLink(node);
        return node;
    }

    /// <summary>Links <paramref name="node"/> (unlinked, its score set) at its place, keeping its level count.</summary>
    private void SkiplistLink(ZNode node)
    {
        double score = node.Score;
        byte[] member = node.Member;
        Span<long> rank = stackalloc long[MaxLevel];
        var update = t_update ??= new ZNode[MaxLevel];
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            rank[i] = i == _level - 1 ? 0 : rank[i + 1];
            while (x.L(i).Forward is { } f && (f.Score < score || (f.Score == score && Compare(f.Member, member) < 0)))
            {
                rank[i] += x.L(i).Span;
                x = f;
            }
            update[i] = x;
        }
        int level = node.LevelCount;
        if (level > _level)
        {
            _header.GrowTo(level);
            for (int i = _level; i < level; i++)
            {
                rank[i] = 0;
                update[i] = _header;
                _header.L(i).Span = _length;
            }
            _level = level;
        }
        for (int i = 0; i < level; i++)
        {
            node.L(i).Forward = update[i].L(i).Forward;
            update[i].L(i).Forward = node;
            node.L(i).Span = update[i].L(i).Span - (rank[0] - rank[i]);
            update[i].L(i).Span = rank[0] - rank[i] + 1;
        }
        for (int i = level; i < _level; i++) update[i].L(i).Span++;
        node.Backward = update[0] == _header ? null : update[0];
        if (node.L(0).Forward is { } next) next.Backward = node;
        else _tail = node;
        _length++;
    }

    private void SkiplistDelete(ZNode node)
    {
        var update = t_update ??= new ZNode[MaxLevel];
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.L(i).Forward is { } f && f != node &&
                   (f.Score < node.Score || (f.Score == node.Score && Compare(f.Member, node.Member) < 0)))
                x = f;
            update[i] = x;
        }
        for (int i = 0; i < _level; i++)
        {
            if (update[i].L(i).Forward == node)
            {
                update[i].L(i).Span += node.L(i).Span - 1;
                update[i].L(i).Forward = node.L(i).Forward;
            }
            else update[i].L(i).Span--;
        }
        if (node.L(0).Forward is { } next) next.Backward = node.Backward;
        else _tail = node.Backward;
        while (_level > 1 && _header.L(_level - 1).Forward is null) _level--;
        _length--;
    }

    private void UpdateScore(ZNode node, double newScore)
    {
        // Redis's zslUpdateScore fast path: the node keeps its place when the order is unchanged.
        var prev = node.Backward;
        var next = node.L(0).Forward;
        if ((prev is null || prev.Score < newScore || (prev.Score == newScore && Compare(prev.Member, node.Member) < 0)) &&
            (next is null || next.Score > newScore || (next.Score == newScore && Compare(next.Member, node.Member) > 0)))
        {
            node.Score = newScore;
            return;
        }
        // Otherwise unlink and relink the same node (its levels kept, as zslUpdateScore reuses the node), so the
        // member table keeps pointing at it and nothing is allocated.
        SkiplistDelete(node);
        node.Score = newScore;
        SkiplistLink(node);
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
