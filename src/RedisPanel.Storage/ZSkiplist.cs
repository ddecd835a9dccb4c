// The skiplist form of a sorted set (Redis's zskiplist + dict): nodes ordered by (score, member) with spans, so
// rank queries are O(log n) like zslGetRank, plus a member → node table for O(1) lookups once the list has more
// than a few members. RedisSortedSet uses it past zset-max-listpack-entries/-value and to give the command side
// nodes to walk over a small (packed) set. Not thread-safe: the node's ordering lock covers every call.
namespace RedisPanel.Storage;

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

/// <summary>A skiplist with spans plus a member table: the "skiplist" encoding of <see cref="RedisSortedSet"/>.</summary>
internal sealed class ZSkiplist
{
    private readonly ZNode _header = new(1, [], 0);
    /// <summary>Lists up to this many members have no member table: lookups walk level 0 (a few compares).</summary>
    private const int TablelessMembers = 8;

    private KeyTable<ZNode>? _dict;
    private ZNode? _tail;
    private int _level = 1;
    private long _length;
    private long _memberBytes;
    private ulong _rng = (ulong)Random.Shared.NextInt64() | 1;

    public long Length => _length;

    public long MemberBytes => _memberBytes;

    public ZNode? First => _header.Next;

    public ZNode? Last => _tail;

    /// <summary>The member → node table, built on first use for a list small enough to have none.</summary>
    public KeyTable<ZNode> Members => _dict ??= BuildTable();

    private KeyTable<ZNode> BuildTable()
    {
        var table = new KeyTable<ZNode>((int)Math.Min(_length, 1 << 30));
        for (var n = First; n is not null; n = n.Next) table.Set(n.Member, n, n.Member);
        return table;
    }

    /// <summary>The node of <paramref name="member"/>, or null.</summary>
    public ZNode? Find(ReadOnlySpan<byte> member)
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

    /// <summary>Adds a member known to be absent.</summary>
    public ZNode Insert(byte[] member, double score)
    {
        var node = SkiplistInsert(score, member);
        if (_dict is null && _length > TablelessMembers) _dict = BuildTable();
        else _dict?.Set(member, node, member);
        _memberBytes += member.Length;
        return node;
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        ZNode? node;
        if (_dict is not null)
        {
            if (!_dict.Remove(member, out node)) return false;
        }
        else if ((node = Find(member)) is null) return false;
        SkiplistDelete(node);
        _memberBytes -= node.Member.Length;
        return true;
    }

    /// <summary>1-based ascending rank of <paramref name="target"/>, a node of this list.</summary>
    public long RankOf(ZNode target)
    {
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
        return rank;
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

    public ZNode? FirstInRange(in ScoreRange range)
    {
        if (!range.CanContainAny || _tail is null || !range.GteMin(_tail.Score) || !range.LteMax(First!.Score)) return null;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
            while (x.L(i).Forward is { } f && !range.GteMin(f.Score)) x = f;
        var n = x.L(0).Forward;
        return n is not null && range.LteMax(n.Score) ? n : null;
    }

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

    // ---- skiplist internals (Redis's zslInsert / zslDeleteNode / zslUpdateScore) ----

    // Scratch for the update path of insert/delete: nodes of different engines run on different threads.
    [ThreadStatic] private static ZNode[]? t_update;

    private static int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    private int RandomLevel()
    {
        // p = 1/4 per level, as ZSKIPLIST_P.
        int level = 1;
        while (level < RedisSortedSet.MaxLevel)
        {
            _rng ^= _rng << 13;
            _rng ^= _rng >> 7;
            _rng ^= _rng << 17;
            if ((_rng & 3) != 0) break;
            level++;
        }
        return level;
    }

    internal ZNode SkiplistInsert(double score, byte[] member)
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
        Span<long> rank = stackalloc long[RedisSortedSet.MaxLevel];
        var update = t_update ??= new ZNode[RedisSortedSet.MaxLevel];
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
        var update = t_update ??= new ZNode[RedisSortedSet.MaxLevel];
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

    internal void UpdateScore(ZNode node, double newScore)
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
