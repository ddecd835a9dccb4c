// The skiplist form of a sorted set (Redis's zskiplist + dict): nodes ordered by (score, member) with spans, so
// rank queries are O(log n) like zslGetRank, plus a member → node table for O(1) lookups once the list has more
// than a few members. RedisSortedSet uses it past zset-max-listpack-entries/-value and to give the command side
// nodes to walk over a small (packed) set. Not thread-safe: the node's ordering lock covers every call.
// Laid out for the cache like Redis's zskiplistNode: a node's levels are inline (see ZNode), and each link also
// carries the score of the node it points at, so a descent decides "move or go down" without touching the node
// it does not move to (the score is kept equal to Forward.Score by every link, unlink and score change).
using System.Runtime.CompilerServices;

namespace RedisPanel.Storage;

/// <summary>
/// One level of a skiplist node: the next node on that level, how many elements the link skips, and a copy of
/// that next node's score (valid when Forward is not null) so comparing against it needs no load of the node.
/// </summary>
internal struct ZLevel
{
    public ZNode? Forward;
    public long Span;
    public double ForwardScore;
}

/// <summary>One element of a sorted set. Members are immutable once inserted.</summary>
/// <remarks>
/// The levels live inline in the node, as the flexible level[] array at the end of Redis's zskiplistNode: level 0
/// is the last field of this class and a taller node is a <see cref="ZNode{TUpper}"/> whose only field, an inline
/// array of levels 1.., the runtime places right after it (derived fields follow the base's, and a struct field
/// is laid out after the reference and primitive ones). <see cref="L"/> indexes them as one array, so a descent
/// reads a node's score and its link on that level from one object instead of chasing a separate level array.
/// Three nodes in four have one level (p = 1/4, as ZSKIPLIST_P) and cost 64 bytes; ZSkiplist checks the layout
/// once before it builds a node.
/// </remarks>
public class ZNode
{
    internal ZNode(byte[] member, double score)
    {
        Member = member;
        Score = score;
    }

    public byte[] Member { get; }
    public double Score { get; internal set; }
    internal ZNode? Backward;
    internal ZLevel Level0;

    /// <summary>Level <paramref name="i"/> (0 ≤ i &lt; <see cref="LevelCount"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref ZLevel L(int i) => ref Unsafe.Add(ref Level0, i);

    /// <summary>How many levels the node has.</summary>
    internal virtual int LevelCount => 1;

    /// <summary>The next element in ascending order, or null.</summary>
    public ZNode? Next => Level0.Forward;

    /// <summary>The previous element in ascending order, or null.</summary>
    public ZNode? Previous => Backward;
}

/// <summary>A node with levels 1.. in <typeparamref name="TUpper"/>, an inline array of <see cref="ZLevel"/>.</summary>
internal sealed class ZNode<TUpper> : ZNode where TUpper : struct
{
    internal ZNode(byte[] member, double score) : base(member, score) { }

    internal TUpper Upper;

    internal override int LevelCount => 1 + Unsafe.SizeOf<TUpper>() / Unsafe.SizeOf<ZLevel>();

    /// <summary>True when <see cref="Upper"/> starts right after level 0 (the layout <see cref="ZNode.L"/> needs).</summary>
    internal static bool UpperFollowsLevel0()
    {
        var node = new ZNode<TUpper>([], 0);
        return Unsafe.ByteOffset(ref node.Level0, ref Unsafe.As<TUpper, ZLevel>(ref node.Upper)) == Unsafe.SizeOf<ZLevel>();
    }
}

// Inline level arrays for nodes of 2..8 levels (exact sizes: 1 node in 4^k has k+1 levels or more) and two
// rounded-up sizes for the rare taller ones (1 node in 65536 has more than 8 levels).
[InlineArray(1)] internal struct ZUpper1 { private ZLevel _e; }
[InlineArray(2)] internal struct ZUpper2 { private ZLevel _e; }
[InlineArray(3)] internal struct ZUpper3 { private ZLevel _e; }
[InlineArray(4)] internal struct ZUpper4 { private ZLevel _e; }
[InlineArray(5)] internal struct ZUpper5 { private ZLevel _e; }
[InlineArray(6)] internal struct ZUpper6 { private ZLevel _e; }
[InlineArray(7)] internal struct ZUpper7 { private ZLevel _e; }
[InlineArray(15)] internal struct ZUpper15 { private ZLevel _e; }
[InlineArray(31)] internal struct ZUpper31 { private ZLevel _e; }

/// <summary>A skiplist with spans plus a member table: the "skiplist" encoding of <see cref="RedisSortedSet"/>.</summary>
internal sealed class ZSkiplist
{
    /// <summary>Checked once: <see cref="ZNode.L"/> is only sound when every node type keeps its levels contiguous.</summary>
    private static readonly bool LevelsInline = CheckLevelsInline();

    /// <summary>The header: as tall as the tallest node so far (grown by copying, see <see cref="GrowHeader"/>).</summary>
    private ZNode _header;
    /// <summary>Lists up to this many members have no member table: lookups walk level 0 (a few compares).</summary>
    private const int TablelessMembers = 8;

    private KeyTable<ZNode>? _dict;
    private ZNode? _tail;
    private int _level = 1;
    private long _length;
    private long _memberBytes;
    private ulong _rng = (ulong)Random.Shared.NextInt64() | 1;

    public ZSkiplist()
    {
        if (!LevelsInline) throw new PlatformNotSupportedException("This runtime does not lay out skiplist node levels inline.");
        _header = NewNode(4, [], 0);
    }

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
        if (_dict is not null) return _dict.TryGetValue(member, out var node) ? node : null;
        for (var n = First; n is not null; n = n.Next)
            if (member.SequenceEqual(n.Member)) return n;
        return null;
    }

    /// <summary>Adds a member known to be absent.</summary>
    public ZNode Insert(byte[] member, double score)
    {
        var node = NewNode(RandomLevel(), member, score);
        UpdatePath update = default;
        Link(node, ref update);
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
        UpdatePath update = default;
        FindUpdatePath(node, ref update);
        Unlink(node, ref update);
        _memberBytes -= node.Member.Length;
        return true;
    }

    /// <summary>1-based ascending rank of <paramref name="target"/>, a node of this list.</summary>
    public long RankOf(ZNode target)
    {
        long rank = 0;
        double score = target.Score;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (true)
            {
                ref ZLevel l = ref x.L(i);
                if (l.Forward is not { } f || !(l.ForwardScore < score || (l.ForwardScore == score && Compare(f.Member, target.Member) <= 0))) break;
                rank += l.Span;
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
            while (x.L(i).Forward is { } f && !range.GteMin(x.L(i).ForwardScore)) x = f;
        var n = x.L(0).Forward;
        return n is not null && range.LteMax(n.Score) ? n : null;
    }

    public ZNode? LastInRange(in ScoreRange range)
    {
        if (!range.CanContainAny || _tail is null || !range.GteMin(_tail.Score) || !range.LteMax(First!.Score)) return null;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
            while (x.L(i).Forward is { } f && range.LteMax(x.L(i).ForwardScore)) x = f;
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

    /// <summary>The last node before the insert/delete point on each level (zslInsert's update[]): a stack buffer,
    /// so storing a node is a plain write (a ZNode[] would type-check every store, ZNode having subclasses).</summary>
    [InlineArray(RedisSortedSet.MaxLevel)]
    private struct UpdatePath
    {
        private ZNode _e;
    }

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

    /// <summary>A node of <paramref name="level"/> levels (more for the rare level above 8, see ZUpper15).</summary>
    private static ZNode NewNode(int level, byte[] member, double score) => level switch
    {
        1 => new ZNode(member, score),
        2 => new ZNode<ZUpper1>(member, score),
        3 => new ZNode<ZUpper2>(member, score),
        4 => new ZNode<ZUpper3>(member, score),
        5 => new ZNode<ZUpper4>(member, score),
        6 => new ZNode<ZUpper5>(member, score),
        7 => new ZNode<ZUpper6>(member, score),
        8 => new ZNode<ZUpper7>(member, score),
        <= 16 => new ZNode<ZUpper15>(member, score),
        _ => new ZNode<ZUpper31>(member, score),
    };

    private static bool CheckLevelsInline() =>
        ZNode<ZUpper1>.UpperFollowsLevel0() && ZNode<ZUpper2>.UpperFollowsLevel0() && ZNode<ZUpper3>.UpperFollowsLevel0() &&
        ZNode<ZUpper4>.UpperFollowsLevel0() && ZNode<ZUpper5>.UpperFollowsLevel0() && ZNode<ZUpper6>.UpperFollowsLevel0() &&
        ZNode<ZUpper7>.UpperFollowsLevel0() && ZNode<ZUpper15>.UpperFollowsLevel0() && ZNode<ZUpper31>.UpperFollowsLevel0();

    /// <summary>Replaces the header by one of at least <paramref name="level"/> levels. No node points back at the
    /// header (the first node's Backward is null), so copying its links is enough.</summary>
    private void GrowHeader(int level)
    {
        var header = NewNode(level, [], 0);
        for (int i = 0; i < _level; i++) header.L(i) = _header.L(i);
        _header = header;
    }

    /// <summary>Links <paramref name="node"/> (unlinked, its score set) at its place, keeping its level count.</summary>
    [SkipLocalsInit] // rank[] is written for every level before it is read
    private void Link(ZNode node, ref UpdatePath update)
    {
        int level = node.LevelCount;
        if (level > _header.LevelCount) GrowHeader(level);
        double score = node.Score;
        byte[] member = node.Member;
        Span<long> rank = stackalloc long[RedisSortedSet.MaxLevel];
        var x = _header;
        long traversed = 0;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (true)
            {
                ref ZLevel l = ref x.L(i);
                if (l.Forward is not { } f || !(l.ForwardScore < score || (l.ForwardScore == score && Compare(f.Member, member) < 0))) break;
                traversed += l.Span;
                x = f;
            }
            rank[i] = traversed;
            update[i] = x;
        }
        if (level > _level)
        {
            for (int i = _level; i < level; i++)
            {
                rank[i] = 0;
                update[i] = _header;
                _header.L(i).Span = _length;
            }
            _level = level;
        }
        long rank0 = rank[0];
        for (int i = 0; i < level; i++)
        {
            ref ZLevel prev = ref update[i].L(i);
            ref ZLevel own = ref node.L(i);
            own.Forward = prev.Forward;
            own.ForwardScore = prev.ForwardScore;
            own.Span = prev.Span - (rank0 - rank[i]);
            prev.Forward = node;
            prev.ForwardScore = score;
            prev.Span = rank0 - rank[i] + 1;
        }
        for (int i = level; i < _level; i++) update[i].L(i).Span++;
        node.Backward = update[0] == _header ? null : update[0];
        if (node.Level0.Forward is { } next) next.Backward = node;
        else _tail = node;
        _length++;
    }

    /// <summary>Fills <paramref name="update"/>[i] with the last node before <paramref name="node"/> on level i.</summary>
    private void FindUpdatePath(ZNode node, ref UpdatePath update)
    {
        double score = node.Score;
        var x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (true)
            {
                ref ZLevel l = ref x.L(i);
                if (l.Forward is not { } f || f == node ||
                    !(l.ForwardScore < score || (l.ForwardScore == score && Compare(f.Member, node.Member) < 0))) break;
                x = f;
            }
            update[i] = x;
        }
    }

    /// <summary>Unlinks <paramref name="node"/> given its update path (Redis's zslDeleteNode).</summary>
    private void Unlink(ZNode node, ref UpdatePath update)
    {
        for (int i = 0; i < _level; i++)
        {
            ref ZLevel prev = ref update[i].L(i);
            if (prev.Forward == node)
            {
                ref ZLevel own = ref node.L(i);
                prev.Span += own.Span - 1;
                prev.Forward = own.Forward;
                prev.ForwardScore = own.ForwardScore;
            }
            else prev.Span--;
        }
        if (node.Level0.Forward is { } next) next.Backward = node.Backward;
        else _tail = node.Backward;
        while (_level > 1 && _header.L(_level - 1).Forward is null) _level--;
        _length--;
    }

    internal void UpdateScore(ZNode node, double newScore)
    {
        // Redis's zslUpdateScore: when the new score keeps the node between its neighbours it stays in place and
        // only the score changes (here also its copies in the links that point at it). A one-level node (three in
        // four) is pointed at only by its Backward (or the header), so that check needs no descent; a taller one
        // takes the descent that finds its predecessors, which the relink would need anyway.
        // The next node's score is read from the node's own link; a random new score fails this half the time
        // before the previous node is loaded.
        ref ZLevel own = ref node.Level0;
        var prev = node.Backward;
        bool inPlace = (own.Forward is not { } next || own.ForwardScore > newScore ||
                        (own.ForwardScore == newScore && Compare(next.Member, node.Member) > 0)) &&
                       (prev is null || prev.Score < newScore || (prev.Score == newScore && Compare(prev.Member, node.Member) < 0));
        if (inPlace && node.LevelCount == 1)
        {
            node.Score = newScore;
            (prev ?? _header).Level0.ForwardScore = newScore;
            return;
        }
        UpdatePath update = default;
        FindUpdatePath(node, ref update);
        if (inPlace)
        {
            node.Score = newScore;
            for (int i = 0; i < _level; i++)
            {
                ref ZLevel l = ref update[i].L(i);
                if (l.Forward == node) l.ForwardScore = newScore;
            }
            return;
        }
        // Otherwise unlink and relink the same node (its levels kept, as zslUpdateScore reuses the node), so the
        // member table keeps pointing at it and nothing is allocated.
        Unlink(node, ref update);
        node.Score = newScore;
        Link(node, ref update);
    }
}
