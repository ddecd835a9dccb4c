// Sorted-set family (Redis's "sorted_set" group, src/t_zset.c of 7.0): registration, ZADD/ZINCRBY, single-member
// reads, counts, range removal, ZRANDMEMBER and ZSCAN. Ranges are in SortedSetCommands.Range.cs, ZUNION/ZINTER/
// ZDIFF in SortedSetCommands.Algebra.cs, pops in SortedSetCommands.Pop.cs.
using System.Runtime.CompilerServices;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class SortedSetCommands
{
    private const string Group = "sorted_set";
    private const string NaNScore = "ERR resulting score is not a number (NaN)";
    private const string MinMaxNotFloat = "ERR min or max is not a float";
    private const string MinMaxNotLex = "ERR min or max not valid string range item";
    private const string NotPositive = "ERR value is out of range, must be positive";

    public static void Register(CommandTable t)
    {
        const CommandFlags W = CommandFlags.Write, R = CommandFlags.ReadOnly, F = CommandFlags.Fast, D = CommandFlags.DenyOom;
        (int, int, int) k1 = (1, 1, 1);
        t.Add("zadd", -4, W | D | F, ZAdd, k1, Group);
        t.Add("zincrby", 4, W | D | F, ZIncrBy, k1, Group);
        t.Add("zrem", -3, W | F, ZRem, k1, Group);
        t.Add("zcard", 2, R | F, ZCard, k1, Group);
        t.Add("zcount", 4, R | F, ZCount, k1, Group);
        t.Add("zlexcount", 4, R | F, ZLexCount, k1, Group);
        t.Add("zscore", 3, R | F, ZScore, k1, Group);
        t.Add("zmscore", -3, R | F, ZMScore, k1, Group);
        t.Add("zrank", 3, R | F, ctx => ZRankCore(ctx, reverse: false), k1, Group);
        t.Add("zrevrank", 3, R | F, ctx => ZRankCore(ctx, reverse: true), k1, Group);
        t.Add("zrange", -4, R, ctx => RangeCore(ctx, 1, store: false, RangeType.Auto, Direction.Auto), k1, Group);
        t.Add("zrangestore", -5, W | D, ctx => RangeCore(ctx, 2, store: true, RangeType.Auto, Direction.Auto), (1, 2, 1), Group);
        t.Add("zrevrange", -4, R, ctx => RangeCore(ctx, 1, store: false, RangeType.Rank, Direction.Reverse), k1, Group);
        t.Add("zrangebyscore", -4, R, ctx => RangeCore(ctx, 1, store: false, RangeType.Score, Direction.Forward), k1, Group);
        t.Add("zrevrangebyscore", -4, R, ctx => RangeCore(ctx, 1, store: false, RangeType.Score, Direction.Reverse), k1, Group);
        t.Add("zrangebylex", -4, R, ctx => RangeCore(ctx, 1, store: false, RangeType.Lex, Direction.Forward), k1, Group);
        t.Add("zrevrangebylex", -4, R, ctx => RangeCore(ctx, 1, store: false, RangeType.Lex, Direction.Reverse), k1, Group);
        t.Add("zremrangebyrank", 4, W, ctx => ZRemRangeCore(ctx, RangeType.Rank), k1, Group);
        t.Add("zremrangebyscore", 4, W, ctx => ZRemRangeCore(ctx, RangeType.Score), k1, Group);
        t.Add("zremrangebylex", 4, W, ctx => ZRemRangeCore(ctx, RangeType.Lex), k1, Group);
        t.Add("zpopmin", -2, W | F, ctx => ZPopCore(ctx, max: false), k1, Group);
        t.Add("zpopmax", -2, W | F, ctx => ZPopCore(ctx, max: true), k1, Group);
        t.Add("zmpop", -4, W, ZMPop, group: Group); // movable keys (numkeys): Redis reports 0,0,0
        t.Add("zrandmember", -2, R, ZRandMember, k1, Group);
        t.Add("zunion", -3, R, ctx => SetOpCore(ctx, SetOp.Union, destination: false, cardinalityOnly: false), group: Group); // movable keys (numkeys): Redis reports 0,0,0
        t.Add("zinter", -3, R, ctx => SetOpCore(ctx, SetOp.Inter, destination: false, cardinalityOnly: false), group: Group); // movable keys (numkeys): Redis reports 0,0,0
        t.Add("zdiff", -3, R, ctx => SetOpCore(ctx, SetOp.Diff, destination: false, cardinalityOnly: false), group: Group); // movable keys (numkeys): Redis reports 0,0,0
        t.Add("zintercard", -3, R, ctx => SetOpCore(ctx, SetOp.Inter, destination: false, cardinalityOnly: true), group: Group); // movable keys (numkeys): Redis reports 0,0,0
        t.Add("zunionstore", -4, W | D, ctx => SetOpCore(ctx, SetOp.Union, destination: true, cardinalityOnly: false), (1, 1, 1), Group);
        t.Add("zinterstore", -4, W | D, ctx => SetOpCore(ctx, SetOp.Inter, destination: true, cardinalityOnly: false), (1, 1, 1), Group);
        t.Add("zdiffstore", -4, W | D, ctx => SetOpCore(ctx, SetOp.Diff, destination: true, cardinalityOnly: false), (1, 1, 1), Group);
        t.Add("zscan", -3, R, ZScan, k1, Group);
        RegisterBlocking(t);
    }

    /// <summary>Registers BZPOPMIN/BZPOPMAX/BZMPOP once the blocking infrastructure is available (see Pop.cs).</summary>
    static partial void RegisterBlocking(CommandTable t);

    // ---- lookup with Redis's hit/miss accounting and type check ----

    /// <summary>Looks up a sorted set: false (and WRONGTYPE replied) when the key holds another type; null when absent.</summary>
    private static bool TryLookup(CommandContext ctx, ReadOnlySpan<byte> key, out RedisSortedSet? zset)
    {
        var value = ctx.Db.Get(key);
        zset = null;
        if (value is null)
        {
            ctx.Engine.Stats.KeyspaceMisses++;
            return true;
        }
        ctx.Engine.Stats.KeyspaceHits++;
        if (value is RedisSortedSet z)
        {
            zset = z;
            return true;
        }
        ctx.Reply.Error(Errors.WrongType);
        return false;
    }

    /// <summary>Deletes the key when its set became empty (Redis never keeps empty collections); else signals the change.</summary>
    private static void AfterRemoval(CommandContext ctx, ReadOnlySpan<byte> key, RedisSortedSet zset)
    {
        if (zset.Count == 0) ctx.Db.Remove(key);
        else ctx.SignalModified(key);
    }

    private static bool TryGetLongArg(CommandContext ctx, int index, out long value) => ctx.TryGetLong(index, out value);

    /// <summary>Redis's getRangeLongFromObjectOrReply: a non-integer or out-of-range value replies <paramref name="error"/>.</summary>
    private static bool TryGetRangeLong(CommandContext ctx, int index, long min, long max, out long value, string? error)
    {
        if (!RespParser.TryParseLong(ctx.Args[index], out value))
        {
            ctx.Reply.Error(error ?? Errors.NotInteger);
            return false;
        }
        if (value < min || value > max)
        {
            ctx.Reply.Error(error ?? $"ERR value is out of range, value must between {min} and {max}");
            return false;
        }
        return true;
    }

    // ---- ZADD / ZINCRBY ----

    private static void ZAdd(CommandContext ctx) => ZAddCore(ctx, ZAddFlags.None);

    private static void ZIncrBy(CommandContext ctx) => ZAddCore(ctx, ZAddFlags.Incr);

    private static void ZAddCore(CommandContext ctx, ZAddFlags flags)
    {
        var args = ctx.Args;
        int scoreIdx = 2;
        bool ch = false;
        while (scoreIdx < args.Count)
        {
            if (args.Is(scoreIdx, "nx")) flags |= ZAddFlags.Nx;
            else if (args.Is(scoreIdx, "xx")) flags |= ZAddFlags.Xx;
            else if (args.Is(scoreIdx, "ch")) ch = true;
            else if (args.Is(scoreIdx, "incr")) flags |= ZAddFlags.Incr;
            else if (args.Is(scoreIdx, "gt")) flags |= ZAddFlags.Gt;
            else if (args.Is(scoreIdx, "lt")) flags |= ZAddFlags.Lt;
            else break;
            scoreIdx++;
        }
        bool incr = (flags & ZAddFlags.Incr) != 0, nx = (flags & ZAddFlags.Nx) != 0, xx = (flags & ZAddFlags.Xx) != 0;
        bool gt = (flags & ZAddFlags.Gt) != 0, lt = (flags & ZAddFlags.Lt) != 0;
        int elements = args.Count - scoreIdx;
        if (elements % 2 != 0 || elements == 0)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        elements /= 2;
        if (nx && xx)
        {
            ctx.Reply.Error("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            ctx.Reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (incr && elements > 1)
        {
            ctx.Reply.Error("ERR INCR option supports a single increment-element pair");
            return;
        }
        // Every score is parsed before anything changes: the command applies fully or not at all.
        Span<double> small = stackalloc double[Math.Min(elements, 64)];
        Span<double> scores = elements <= 64 ? small[..elements] : new double[elements];
        for (int j = 0; j < elements; j++)
        {
            if (!RedisDouble.TryParse(args[scoreIdx + j * 2], out scores[j]))
            {
                ctx.Reply.Error(Errors.NotFloat);
                return;
            }
        }
        var key = args[1];
        if (!TryLookupWrite(ctx, key, out var zset)) return;
        long added = 0, updated = 0, processed = 0;
        double score = 0;
        if (zset is null)
        {
            if (xx)
            {
                ReplyZAdd(ctx, incr, ch, 0, 0, 0, 0);
                return;
            }
            zset = new RedisSortedSet(ctx.Engine.EncodingLimits);
            ctx.Db.Set(key, zset);
        }
        for (int j = 0; j < elements; j++)
        {
            score = scores[j];
            var result = zset.Add(args[scoreIdx + 1 + j * 2], ref score, flags);
            switch (result)
            {
                case ZAddResult.NaN:
                    ctx.Reply.Error(NaNScore);
                    Finish();
                    return;
                case ZAddResult.Added: added++; processed++; break;
                case ZAddResult.Updated: updated++; processed++; break;
                case ZAddResult.Unchanged: processed++; break;
            }
        }
        ctx.MarkDirty(added + updated);
        ReplyZAdd(ctx, incr, ch, added, updated, processed, score);
        Finish();

        void Finish()
        {
            if (added + updated > 0) ctx.SignalModified(ctx.Args[1]);
        }
    }

    private static void ReplyZAdd(CommandContext ctx, bool incr, bool ch, long added, long updated, long processed, double score)
    {
        if (incr)
        {
            if (processed > 0) ctx.Reply.Double(score);
            else ctx.Reply.Null();
        }
        else ctx.Reply.Integer(ch ? added + updated : added);
    }

    /// <summary>Lookup for writing: no hit/miss accounting (Redis's lookupKeyWrite).</summary>
    private static bool TryLookupWrite(CommandContext ctx, ReadOnlySpan<byte> key, out RedisSortedSet? zset)
    {
        var value = ctx.Db.Get(key);
        zset = value as RedisSortedSet;
        if (value is null || zset is not null) return true;
        ctx.Reply.Error(Errors.WrongType);
        return false;
    }

    // ---- single-member commands ----

    private static void ZRem(CommandContext ctx)
    {
        var key = ctx.Args[1];
        if (!TryLookupWrite(ctx, key, out var zset)) return;
        if (zset is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        long deleted = 0;
        for (int j = 2; j < ctx.Args.Count; j++)
        {
            if (zset.Remove(ctx.Args[j])) deleted++;
            if (zset.Count == 0) break;
        }
        if (deleted > 0)
        {
            AfterRemoval(ctx, key, zset);
            ctx.MarkDirty(deleted);
        }
        ctx.Reply.Integer(deleted);
    }

    private static void ZCard(CommandContext ctx)
    {
        if (!TryLookup(ctx, ctx.Args[1], out var zset)) return;
        ctx.Reply.Integer(zset?.Count ?? 0);
    }

    private static void ZScore(CommandContext ctx)
    {
        if (!TryLookup(ctx, ctx.Args[1], out var zset)) return;
        if (zset is not null && zset.TryGetScore(ctx.Args[2], out double score)) ctx.Reply.Double(score);
        else ctx.Reply.Null();
    }

    private static void ZMScore(CommandContext ctx)
    {
        if (!TryLookup(ctx, ctx.Args[1], out var zset)) return;
        ctx.Reply.ArrayHeader(ctx.Args.Count - 2);
        for (int j = 2; j < ctx.Args.Count; j++)
        {
            if (zset is not null && zset.TryGetScore(ctx.Args[j], out double score)) ctx.Reply.Double(score);
            else ctx.Reply.Null();
        }
    }

    private static void ZRankCore(CommandContext ctx, bool reverse)
    {
        if (!TryLookup(ctx, ctx.Args[1], out var zset)) return;
        long rank = zset?.RankOf(ctx.Args[2], reverse) ?? -1;
        if (rank < 0) ctx.Reply.Null();
        else ctx.Reply.Integer(rank);
    }

    private static void ZCount(CommandContext ctx)
    {
        if (!ScoreRange.TryParse(ctx.Args[2], ctx.Args[3], out var range))
        {
            ctx.Reply.Error(MinMaxNotFloat);
            return;
        }
        if (!TryLookup(ctx, ctx.Args[1], out var zset)) return;
        ctx.Reply.Integer(zset is null ? 0 : CountBetween(zset, zset.FirstInRange(range), zset.LastInRange(range)));
    }

    private static void ZLexCount(CommandContext ctx)
    {
        if (!LexRange.TryParse(ctx.Args[2], ctx.Args[3], out var range))
        {
            ctx.Reply.Error(MinMaxNotLex);
            return;
        }
        if (!TryLookup(ctx, ctx.Args[1], out var zset)) return;
        ctx.Reply.Integer(zset is null ? 0 : CountBetween(zset, zset.FirstInRange(range), zset.LastInRange(range)));
    }

    /// <summary>Elements from <paramref name="first"/> to <paramref name="last"/> inclusive (0 when the range is empty), by rank.</summary>
    private static long CountBetween(RedisSortedSet zset, ZNode? first, ZNode? last) =>
        first is null || last is null ? 0 : zset.RankOf(last) - zset.RankOf(first) + 1;

    // ---- ZREMRANGEBYRANK / BYSCORE / BYLEX ----

    private static void ZRemRangeCore(CommandContext ctx, RangeType type)
    {
        long start = 0, end = 0;
        ScoreRange score = default;
        LexRange lex = default;
        switch (type)
        {
            case RangeType.Rank:
                if (!TryGetLongArg(ctx, 2, out start) || !TryGetLongArg(ctx, 3, out end)) return;
                break;
            case RangeType.Score:
                if (!ScoreRange.TryParse(ctx.Args[2], ctx.Args[3], out score))
                {
                    ctx.Reply.Error(MinMaxNotFloat);
                    return;
                }
                break;
            default:
                if (!LexRange.TryParse(ctx.Args[2], ctx.Args[3], out lex))
                {
                    ctx.Reply.Error(MinMaxNotLex);
                    return;
                }
                break;
        }
        var key = ctx.Args[1];
        if (!TryLookupWrite(ctx, key, out var zset)) return;
        if (zset is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        long deleted;
        if (type == RangeType.Rank)
        {
            long llen = zset.Count;
            if (start < 0) start = llen + start;
            if (end < 0) end = llen + end;
            if (start < 0) start = 0;
            if (start > end || start >= llen)
            {
                ctx.Reply.Integer(0);
                return;
            }
            if (end >= llen) end = llen - 1;
            deleted = zset.RemoveRangeByRank(start, end);
        }
        else if (type == RangeType.Score) deleted = zset.RemoveRange(score);
        else deleted = zset.RemoveRange(lex);
        if (deleted > 0)
        {
            AfterRemoval(ctx, key, zset);
            ctx.MarkDirty(deleted);
        }
        ctx.Reply.Integer(deleted);
    }

    // ---- ZRANDMEMBER ----

    private static void ZRandMember(CommandContext ctx)
    {
        var args = ctx.Args;
        var reply = ctx.Reply;
        if (args.Count >= 3)
        {
            if (!TryGetRangeLong(ctx, 2, -long.MaxValue, long.MaxValue, out long l, null)) return;
            bool withScores = false;
            if (args.Count > 4 || (args.Count == 4 && !args.Is(3, "withscores")))
            {
                reply.Error(Errors.Syntax);
                return;
            }
            if (args.Count == 4)
            {
                withScores = true;
                if (l < -long.MaxValue / 2 || l > long.MaxValue / 2)
                {
                    reply.Error("ERR value is out of range");
                    return;
                }
            }
            RandMemberWithCount(ctx, l, withScores);
            return;
        }
        if (!TryLookup(ctx, args[1], out var zset)) return;
        if (zset is null)
        {
            reply.Null();
            return;
        }
        zset.Members.TryGetRandom(ctx.Engine.Random, out var member, out _);
        reply.Bulk(member);
    }

    private static void RandMemberWithCount(CommandContext ctx, long l, bool withScores)
    {
        var reply = ctx.Reply;
        if (!TryLookup(ctx, ctx.Args[1], out var zset)) return;
        if (zset is null)
        {
            reply.ArrayHeader(0);
            return;
        }
        bool unique = l >= 0;
        ulong count = unique ? (ulong)l : (ulong)(-l);
        long size = zset.Count;
        if (count == 0)
        {
            reply.ArrayHeader(0);
            return;
        }
        var random = ctx.Engine.Random;
        bool nested = withScores && reply.IsResp3;
        // CASE 1: negative count, repetitions allowed (also count 1).
        if (!unique || count == 1)
        {
            reply.ArrayHeader(withScores && !reply.IsResp3 ? (long)count * 2 : (long)count);
            for (ulong i = 0; i < count; i++)
            {
                zset.Members.TryGetRandom(random, out var m, out var node);
                EmitMember(reply, m, node.Score, withScores, nested);
            }
            return;
        }
        // CASE 2: the whole set, highest first (Redis's zset iterator walks from the tail).
        if (count >= (ulong)size)
        {
            reply.ArrayHeader(withScores && !reply.IsResp3 ? size * 2 : size);
            for (var n = zset.Last; n is not null; n = n.Previous) EmitMember(reply, n.Member, n.Score, withScores, nested);
            return;
        }
        // CASE 3/4: a random subset of distinct members.
        int want = (int)count;
        reply.ArrayHeader(withScores && !reply.IsResp3 ? want * 2L : want);
        var all = new ZNode[size];
        int k = 0;
        for (var n = zset.First; n is not null; n = n.Next) all[k++] = n;
        for (int i = 0; i < want; i++)
        {
            int j = i + random.Next(all.Length - i);
            (all[i], all[j]) = (all[j], all[i]);
            EmitMember(reply, all[i].Member, all[i].Score, withScores, nested);
        }
    }

    private static void EmitMember(RespWriter reply, byte[] member, double score, bool withScores, bool nested)
    {
        if (nested) reply.ArrayHeader(2);
        reply.Bulk(member);
        if (withScores) reply.Double(score);
    }

    // ---- ZSCAN ----

    private static void ZScan(CommandContext ctx)
    {
        var args = ctx.Args;
        var reply = ctx.Reply;
        if (!TryParseCursor(args[2], out ulong cursor))
        {
            reply.Error("ERR invalid cursor");
            return;
        }
        // zscanCommand: cursor, then the key (missing: the empty scan; another type: WRONGTYPE), then the options
        // in scanGenericCommand — so ZSCAN on a missing key ignores even a malformed COUNT.
        if (!TryLookup(ctx, args[1], out var zset)) return;
        if (zset is null)
        {
            CollectionScan.ReplyEmpty(ctx);
            return;
        }
        long count = 10;
        int patternIdx = -1;
        for (int i = 3; i < args.Count; i++)
        {
            int left = args.Count - i - 1;
            if (args.Is(i, "count") && left >= 1)
            {
                if (!ctx.TryGetLong(i + 1, out count)) return;
                if (count < 1)
                {
                    reply.Error(Errors.Syntax);
                    return;
                }
                i++;
            }
            else if (args.Is(i, "match") && left >= 1)
            {
                patternIdx = i + 1;
                i++;
            }
            else
            {
                reply.Error(Errors.Syntax);
                return;
            }
        }
        var found = new List<ZNode>();
        if (!zset.IsSkiplist)
        {
            // A listpack-encoded set is returned whole in one call, cursor 0 (Redis's scanGenericCommand).
            foreach (var n in zset.Ascending()) found.Add(n);
            cursor = 0;
        }
        else
        {
            long maxIterations = count * 10;
            do
            {
                cursor = zset.Members.ScanStep(cursor, (_, node) => found.Add(node));
            } while (cursor != 0 && --maxIterations > 0 && found.Count < count);
        }
        if (patternIdx > 0)
        {
            var pattern = args[patternIdx];
            if (!(pattern.Length == 1 && pattern[0] == (byte)'*'))
            {
                int kept = 0;
                for (int i = 0; i < found.Count; i++)
                    if (GlobMatcher.IsMatch(pattern, found[i].Member)) found[kept++] = found[i];
                found.RemoveRange(kept, found.Count - kept);
            }
        }
        reply.ArrayHeader(2);
        Span<byte> cursorText = stackalloc byte[24];
        System.Buffers.Text.Utf8Formatter.TryFormat(cursor, cursorText, out int cursorLen);
        reply.Bulk(cursorText[..cursorLen]);
        reply.ArrayHeader(found.Count * 2L);
        Span<byte> buf = stackalloc byte[32];
        foreach (var n in found)
        {
            reply.Bulk(n.Member);
            reply.Bulk(D2String(n.Score, buf));
        }
    }

    /// <summary>Redis's parseScanCursorOrReply: strtoul rules (optional sign, "-1" wraps), no leading space, no overflow.</summary>
    internal static bool TryParseCursor(ReadOnlySpan<byte> s, out ulong cursor)
    {
        cursor = 0;
        if (s.Length == 0) return true;
        bool negative = false;
        int i = 0;
        if (s[0] == '+' || s[0] == '-')
        {
            negative = s[0] == '-';
            i = 1;
        }
        if (i == s.Length) return false;
        for (; i < s.Length; i++)
        {
            if (s[i] < '0' || s[i] > '9') return false;
            ulong next = cursor * 10 + (ulong)(s[i] - '0');
            if (cursor > ulong.MaxValue / 10 || next < cursor * 10) return false;
            cursor = next;
        }
        if (negative) cursor = unchecked(0 - cursor);
        return true;
    }

    /// <summary>Redis's d2string (ZSCAN scores): integral values within ±LLONG_MAX/2 print as integers, else "%.17g".</summary>
    public static ReadOnlySpan<byte> D2String(double value, Span<byte> buffer)
    {
        if (!double.IsNaN(value) && !double.IsInfinity(value) && value != 0 &&
            value >= -(double)(long.MaxValue / 2) && value <= (double)(long.MaxValue / 2) && (long)value == value)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat((long)value, buffer, out int n);
            return buffer[..n];
        }
        string s = RespWriter.FormatDouble(value);
        for (int i = 0; i < s.Length; i++) buffer[i] = (byte)s[i];
        return buffer[..s.Length];
    }
}
