// ZRANGE and its relatives (ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX): one core, as Redis's
// zrangeGenericCommand, that either replies to the client or stores into a destination key.
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class SortedSetCommands
{
    private enum RangeType { Auto, Rank, Score, Lex }

    private enum Direction { Auto, Forward, Reverse }

    /// <summary>Where range results go: the client's reply (with or without scores) or a new sorted set.</summary>
    private sealed class RangeSink
    {
        public required CommandContext Ctx;
        public bool Store;
        public bool WithScores;
        public RedisSortedSet? Target;

        public void Begin(long length)
        {
            if (Store)
            {
                // zrangeResultBeginStore: a known length above the listpack limit starts as a skiplist.
                var limits = Ctx.Engine.EncodingLimits;
                Target = new RedisSortedSet(limits, skiplist: length > limits.ZsetMaxListpackEntries);
                return;
            }
            var reply = Ctx.Reply;
            reply.ArrayHeader(WithScores && !reply.IsResp3 ? length * 2 : length);
        }

        public void Emit(ZNode node)
        {
            if (Store)
            {
                Target!.Insert(node.Member, node.Score);
                return;
            }
            EmitMember(Ctx.Reply, node.Member, node.Score, WithScores, WithScores && Ctx.Reply.IsResp3);
        }

        /// <summary>Stores the result (or deletes the destination when empty) and replies the count, as zrangeResultFinalizeStore.</summary>
        public void Finish(ReadOnlySpan<byte> destination, long count)
        {
            if (!Store) return;
            if (count > 0)
            {
                Ctx.Db.Set(destination, Target!);
                Ctx.Reply.Integer(count);
                Ctx.MarkDirty();
            }
            else
            {
                Ctx.Reply.Integer(0);
                if (Ctx.Db.Remove(destination)) Ctx.MarkDirty();
            }
        }
    }

    private static void RangeCore(CommandContext ctx, int argStart, bool store, RangeType type, Direction direction)
    {
        var args = ctx.Args;
        int minIdx = argStart + 1, maxIdx = argStart + 2;
        bool withScores = false;
        long offset = 0, limit = -1;
        for (int j = argStart + 3; j < args.Count; j++)
        {
            int left = args.Count - j - 1;
            if (!store && args.Is(j, "withscores")) withScores = true;
            else if (args.Is(j, "limit") && left >= 2)
            {
                if (!ctx.TryGetLong(j + 1, out offset) || !ctx.TryGetLong(j + 2, out limit)) return;
                j += 2;
            }
            else if (direction == Direction.Auto && args.Is(j, "rev")) direction = Direction.Reverse;
            else if (type == RangeType.Auto && args.Is(j, "bylex")) type = RangeType.Lex;
            else if (type == RangeType.Auto && args.Is(j, "byscore")) type = RangeType.Score;
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        if (direction == Direction.Auto) direction = Direction.Forward;
        if (type == RangeType.Auto) type = RangeType.Rank;
        if (limit != -1 && type == RangeType.Rank)
        {
            ctx.Reply.Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }
        if (withScores && type == RangeType.Lex)
        {
            ctx.Reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }
        bool reverse = direction == Direction.Reverse;
        // Score and lex ranges are given as max, min when reversed.
        if (reverse && type != RangeType.Rank) (minIdx, maxIdx) = (maxIdx, minIdx);
        long start = 0, end = 0;
        ScoreRange score = default;
        LexRange lex = default;
        switch (type)
        {
            case RangeType.Rank:
                if (!ctx.TryGetLong(minIdx, out start) || !ctx.TryGetLong(maxIdx, out end)) return;
                break;
            case RangeType.Score:
                if (!ScoreRange.TryParse(args[minIdx], args[maxIdx], out score))
                {
                    ctx.Reply.Error(MinMaxNotFloat);
                    return;
                }
                break;
            default:
                if (!LexRange.TryParse(args[minIdx], args[maxIdx], out lex))
                {
                    ctx.Reply.Error(MinMaxNotLex);
                    return;
                }
                break;
        }
        var sink = new RangeSink { Ctx = ctx, Store = store, WithScores = withScores };
        if (!TryLookup(ctx, args[argStart], out var zset)) return;
        if (zset is null)
        {
            if (store)
            {
                sink.Begin(-1);
                sink.Finish(args[1], 0);
            }
            else ctx.Reply.ArrayHeader(0);
            return;
        }
        long emitted = type switch
        {
            RangeType.Rank => RangeByRank(sink, zset, start, end, reverse),
            RangeType.Score => RangeByScore(sink, zset, score, offset, limit, reverse),
            _ => RangeByLex(sink, zset, lex, offset, limit, reverse),
        };
        sink.Finish(store ? args[1] : default, emitted);
    }

    private static long RangeByRank(RangeSink sink, RedisSortedSet zset, long start, long end, bool reverse)
    {
        long llen = zset.Count;
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        if (start > end || start >= llen)
        {
            sink.Begin(0);
            return 0;
        }
        if (end >= llen) end = llen - 1;
        long length = end - start + 1;
        sink.Begin(length);
        var node = zset.ByRank(reverse ? llen - 1 - start : start);
        for (long i = 0; i < length && node is not null; i++)
        {
            sink.Emit(node);
            node = reverse ? node.Previous : node.Next;
        }
        return length;
    }

    /// <summary>Emits <paramref name="count"/> elements walking from <paramref name="node"/> (counted beforehand).</summary>
    private static long EmitRun(RangeSink sink, ZNode? node, long count, bool reverse)
    {
        sink.Begin(count);
        for (long i = 0; i < count; i++)
        {
            sink.Emit(node!);
            node = reverse ? node!.Previous : node!.Next;
        }
        return count;
    }

    private static long RangeByScore(RangeSink sink, RedisSortedSet zset, in ScoreRange range, long offset, long limit, bool reverse)
    {
        // An offset past the end answers at once; a negative offset walks off the set (empty), a negative
        // limit means no limit — both as Redis's decrement-until-zero loops.
        if (offset > 0 && offset >= zset.Count)
        {
            sink.Begin(0);
            return 0;
        }
        var node = reverse ? zset.LastInRange(range) : zset.FirstInRange(range);
        node = Skip(node, offset, reverse);
        long count = 0;
        for (var n = node; n is not null && count != limit && (reverse ? range.GteMin(n.Score) : range.LteMax(n.Score)); n = reverse ? n.Previous : n.Next)
            count++;
        return EmitRun(sink, node, count, reverse);
    }

    private static long RangeByLex(RangeSink sink, RedisSortedSet zset, in LexRange range, long offset, long limit, bool reverse)
    {
        if (offset > 0 && offset >= zset.Count)
        {
            sink.Begin(0);
            return 0;
        }
        var node = reverse ? zset.LastInRange(range) : zset.FirstInRange(range);
        node = Skip(node, offset, reverse);
        long count = 0;
        for (var n = node; n is not null && count != limit && (reverse ? range.GteMin(n.Member) : range.LteMax(n.Member)); n = reverse ? n.Previous : n.Next)
            count++;
        return EmitRun(sink, node, count, reverse);
    }

    private static ZNode? Skip(ZNode? node, long offset, bool reverse)
    {
        if (offset < 0) return null;
        while (node is not null && offset-- > 0) node = reverse ? node.Previous : node.Next;
        return node;
    }
}
