// Set family (Redis's "set" group, src/t_set.c). Set replies use the RESP3 set type where Redis does (SMEMBERS,
// SINTER/SUNION/SDIFF, SPOP with count) and plain arrays elsewhere (SRANDMEMBER). SPOP propagates as SREM
// (one per popped member, as Redis 7.0 does) or as DEL when it empties the set.
using System.Globalization;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static class SetCommands
{
    private static readonly byte[] SRemName = "SREM"u8.ToArray();
    private static readonly byte[] DelName = "DEL"u8.ToArray();

    private enum SetOp { Union, Diff }

    public static void Register(CommandTable t)
    {
        const string g = "set";
        const CommandFlags rf = CommandFlags.ReadOnly | CommandFlags.Fast;
        t.Add("sadd", -3, CommandFlags.Write | CommandFlags.DenyOom | CommandFlags.Fast, SAdd, (1, 1, 1), g);
        t.Add("srem", -3, CommandFlags.Write | CommandFlags.Fast, SRem, (1, 1, 1), g);
        t.Add("smembers", 2, CommandFlags.ReadOnly, SMembers, (1, 1, 1), g);
        t.Add("sismember", 3, rf, SIsMember, (1, 1, 1), g);
        t.Add("smismember", -3, rf, SMIsMember, (1, 1, 1), g);
        t.Add("scard", 2, rf, c => { if (TryGetSet(c, c.Args[1], out var s)) c.Reply.Integer(s?.Count ?? 0); }, (1, 1, 1), g);
        t.Add("spop", -2, CommandFlags.Write | CommandFlags.Fast, SPop, (1, 1, 1), g);
        t.Add("srandmember", -2, CommandFlags.ReadOnly, SRandMember, (1, 1, 1), g);
        t.Add("smove", 4, CommandFlags.Write | CommandFlags.Fast, SMove, (1, 2, 1), g);
        t.Add("sinter", -2, CommandFlags.ReadOnly, c => Inter(c, 1, c.Args.Count - 1, null, false, 0), (1, -1, 1), g);
        t.Add("sintercard", -3, CommandFlags.ReadOnly, SInterCard, default, g);
        t.Add("sinterstore", -3, CommandFlags.Write | CommandFlags.DenyOom, c => Inter(c, 2, c.Args.Count - 2, c.Args.ToArray(1), false, 0), (1, -1, 1), g);
        t.Add("sunion", -2, CommandFlags.ReadOnly, c => UnionDiff(c, 1, null, SetOp.Union), (1, -1, 1), g);
        t.Add("sunionstore", -3, CommandFlags.Write | CommandFlags.DenyOom, c => UnionDiff(c, 2, c.Args.ToArray(1), SetOp.Union), (1, -1, 1), g);
        t.Add("sdiff", -2, CommandFlags.ReadOnly, c => UnionDiff(c, 1, null, SetOp.Diff), (1, -1, 1), g);
        t.Add("sdiffstore", -3, CommandFlags.Write | CommandFlags.DenyOom, c => UnionDiff(c, 2, c.Args.ToArray(1), SetOp.Diff), (1, -1, 1), g);
        t.Add("sscan", -3, CommandFlags.ReadOnly, SScan, (1, 1, 1), g);
    }

    private static bool TryGetSet(CommandContext ctx, ReadOnlySpan<byte> key, out RedisSet? set)
    {
        var value = ctx.Db.Get(key);
        set = value as RedisSet;
        if (value is null || set is not null) return true;
        ctx.Reply.Error(Errors.WrongType);
        return false;
    }

    private static void SAdd(CommandContext ctx)
    {
        var key = ctx.Args[1];
        if (!TryGetSet(ctx, key, out var set)) return;
        var limits = ctx.Engine.EncodingLimits;
        bool created = set is null;
        set ??= RedisSet.CreateFor(ctx.Args[2]);
        long added = 0;
        for (int i = 2; i < ctx.Args.Count; i++)
            if (set.Add(ctx.Args[i], limits)) added++;
        if (created) ctx.Db.Add(key, set);
        else if (added > 0) ctx.SignalModified(key);
        ctx.MarkDirty(added);
        ctx.Reply.Integer(added);
    }

    private static void SRem(CommandContext ctx)
    {
        var key = ctx.Args[1];
        if (!TryGetSet(ctx, key, out var set)) return;
        long removed = 0;
        bool deleted = false;
        if (set is not null)
        {
            for (int i = 2; i < ctx.Args.Count; i++)
            {
                if (!set.Remove(ctx.Args[i])) continue;
                removed++;
                if (set.Count == 0)
                {
                    ctx.Db.Remove(key);
                    deleted = true;
                    break;
                }
            }
        }
        if (removed > 0)
        {
            if (!deleted) ctx.SignalModified(key);
            ctx.MarkDirty(removed);
        }
        ctx.Reply.Integer(removed);
    }

    private static void SMembers(CommandContext ctx)
    {
        if (!TryGetSet(ctx, ctx.Args[1], out var set)) return;
        ctx.Reply.SetHeader(set?.Count ?? 0);
        if (set is null) return;
        foreach (var m in set.Members()) ctx.Reply.Bulk(m);
    }

    private static void SIsMember(CommandContext ctx)
    {
        if (!TryGetSet(ctx, ctx.Args[1], out var set)) return;
        ctx.Reply.Integer(set is not null && set.Contains(ctx.Args[2]) ? 1 : 0);
    }

    private static void SMIsMember(CommandContext ctx)
    {
        if (!TryGetSet(ctx, ctx.Args[1], out var set)) return;
        ctx.Reply.ArrayHeader(ctx.Args.Count - 2);
        for (int i = 2; i < ctx.Args.Count; i++) ctx.Reply.Integer(set is not null && set.Contains(ctx.Args[i]) ? 1 : 0);
    }

    private static void SPop(CommandContext ctx)
    {
        if (ctx.Args.Count > 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        var key = ctx.Args[1];
        if (ctx.Args.Count == 3)
        {
            SPopWithCount(ctx);
            return;
        }
        if (!TryGetSet(ctx, key, out var set)) return;
        if (set is null)
        {
            ctx.Reply.Null();
            return;
        }
        var member = set.RandomMember(ctx.Engine.Random);
        set.Remove(member);
        ctx.PropagateAs(SRemName, ctx.Args.ToArray(1), member);
        ctx.Reply.Bulk(member);
        if (set.Count == 0) ctx.Db.Remove(key);
        else ctx.SignalModified(key);
        ctx.MarkDirty();
    }

    private static void SPopWithCount(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, 0, long.MaxValue, out long count, Errors.OutOfRangePositive)) return;
        var key = ctx.Args[1];
        if (!TryGetSet(ctx, key, out var set)) return;
        if (set is null || count == 0)
        {
            ctx.Reply.SetHeader(0);
            return;
        }
        long size = set.Count;
        var keyArray = ctx.Args.ToArray(1);
        if (count >= size)
        {
            // Everything goes: Redis replies the whole set and propagates DEL.
            ctx.Reply.SetHeader(size);
            foreach (var m in set.Members()) ctx.Reply.Bulk(m);
            ctx.Db.Remove(key);
            ctx.PropagateAs(DelName, keyArray);
            ctx.MarkDirty(size);
            return;
        }
        ctx.Reply.SetHeader(count);
        var random = ctx.Engine.Random;
        for (long i = 0; i < count; i++)
        {
            var member = set.RandomMember(random);
            set.Remove(member);
            ctx.Reply.Bulk(member);
            ctx.PropagateAs(SRemName, keyArray, member);
        }
        ctx.SignalModified(key);
        ctx.MarkDirty(count);
    }

    private static void SRandMember(CommandContext ctx)
    {
        if (ctx.Args.Count > 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        if (ctx.Args.Count == 3)
        {
            SRandMemberWithCount(ctx);
            return;
        }
        if (!TryGetSet(ctx, ctx.Args[1], out var set)) return;
        if (set is null) ctx.Reply.Null();
        else ctx.Reply.Bulk(set.RandomMember(ctx.Engine.Random));
    }

    private static void SRandMemberWithCount(CommandContext ctx)
    {
        if (!HashCommands.TryGetSignedCount(ctx, 2, out long l)) return;
        bool unique = l >= 0;
        long count = unique ? l : -l;
        if (!TryGetSet(ctx, ctx.Args[1], out var set)) return;
        var w = ctx.Reply;
        if (set is null || count == 0)
        {
            w.ArrayHeader(0);
            return;
        }
        var random = ctx.Engine.Random;
        if (!unique || count == 1)
        {
            w.ArrayHeader(count);
            for (long i = 0; i < count; i++) w.Bulk(set.RandomMember(random));
            return;
        }
        long size = set.Count;
        if (count >= size)
        {
            w.ArrayHeader(size);
            foreach (var m in set.Members()) w.Bulk(m);
            return;
        }
        var all = set.Members().ToArray();
        w.ArrayHeader(count);
        for (int i = 0; i < count; i++)
        {
            int j = i + random.Next(all.Length - i);
            (all[i], all[j]) = (all[j], all[i]);
            w.Bulk(all[i]);
        }
    }

    private static void SMove(CommandContext ctx)
    {
        var srcKey = ctx.Args[1];
        var dstKey = ctx.Args[2];
        var srcValue = ctx.Db.Get(srcKey);
        var dstValue = ctx.Db.Get(dstKey);
        if (srcValue is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        if (srcValue is not RedisSet src || (dstValue is not null and not RedisSet))
        {
            ctx.Reply.Error(Errors.WrongType);
            return;
        }
        var member = ctx.Args[3];
        if (ReferenceEquals(srcValue, dstValue))
        {
            ctx.Reply.Integer(src.Contains(member) ? 1 : 0);
            return;
        }
        if (!src.Remove(member))
        {
            ctx.Reply.Integer(0);
            return;
        }
        if (src.Count == 0) ctx.Db.Remove(srcKey);
        else ctx.SignalModified(srcKey);
        var dst = dstValue as RedisSet;
        bool created = dst is null;
        dst ??= RedisSet.CreateFor(member);
        ctx.MarkDirty();
        if (dst.Add(member, ctx.Engine.EncodingLimits))
        {
            ctx.MarkDirty();
            if (!created) ctx.SignalModified(dstKey);
        }
        if (created) ctx.Db.Add(dstKey, dst);
        ctx.Reply.Integer(1);
    }

    private static void SInterCard(CommandContext ctx)
    {
        if (!ctx.TryGetLong(1, 1, long.MaxValue, out long numKeys, Errors.NumKeysPositive)) return;
        if (numKeys > ctx.Args.Count - 2)
        {
            ctx.Reply.Error("ERR Number of keys can't be greater than number of args");
            return;
        }
        long limit = 0;
        for (int j = 2 + (int)numKeys; j < ctx.Args.Count; j++)
        {
            bool more = ctx.Args.Count - 1 - j > 0;
            if (ctx.Args.Is(j, "limit") && more)
            {
                if (!ctx.TryGetLong(++j, 0, long.MaxValue, out limit, "ERR LIMIT can't be negative")) return;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        Inter(ctx, 2, (int)numKeys, null, true, limit);
    }

    /// <summary>Looks up every set argument; false after WRONGTYPE. Missing keys are null entries.</summary>
    private static bool TryGetSets(CommandContext ctx, int first, int count, out RedisSet?[] sets)
    {
        sets = new RedisSet?[count];
        for (int j = 0; j < count; j++)
            if (!TryGetSet(ctx, ctx.Args[first + j], out sets[j])) return false;
        return true;
    }

    /// <summary>SINTER, SINTERSTORE and SINTERCARD (Redis's sinterGenericCommand).</summary>
    private static void Inter(CommandContext ctx, int first, int count, byte[]? dstKey, bool cardinalityOnly, long limit)
    {
        if (!TryGetSets(ctx, first, count, out var sets)) return;
        if (Array.Exists(sets, s => s is null))
        {
            if (dstKey is not null)
            {
                if (ctx.Db.Remove(dstKey)) ctx.MarkDirty();
                ctx.Reply.Integer(0);
            }
            else if (cardinalityOnly) ctx.Reply.Integer(0);
            else ctx.Reply.SetHeader(0);
            return;
        }
        var ordered = sets.OrderBy(s => s!.Count).ToArray();
        var result = new List<byte[]>();
        long cardinality = 0;
        foreach (var member in ordered[0]!.Members())
        {
            bool inAll = true;
            for (int j = 1; j < ordered.Length && inAll; j++)
                if (!ReferenceEquals(ordered[j], ordered[0]) && !ordered[j]!.Contains(member)) inAll = false;
            if (!inAll) continue;
            cardinality++;
            if (cardinalityOnly)
            {
                if (limit != 0 && cardinality >= limit) break;
                continue;
            }
            result.Add(member);
        }
        if (cardinalityOnly)
        {
            ctx.Reply.Integer(cardinality);
            return;
        }
        if (dstKey is null)
        {
            ctx.Reply.SetHeader(result.Count);
            foreach (var m in result) ctx.Reply.Bulk(m);
            return;
        }
        Store(ctx, dstKey, result);
    }

    /// <summary>SINTERSTORE/SUNIONSTORE/SDIFFSTORE: replaces the destination (or deletes it when empty).</summary>
    private static void Store(CommandContext ctx, byte[] dstKey, IEnumerable<byte[]> members)
    {
        var set = new RedisSet();
        var limits = ctx.Engine.EncodingLimits;
        foreach (var m in members) set.Add(m, limits);
        if (set.Count > 0)
        {
            ctx.Db.Set(dstKey, set);
            ctx.Reply.Integer(set.Count);
            ctx.MarkDirty();
            return;
        }
        ctx.Reply.Integer(0);
        if (ctx.Db.Remove(dstKey)) ctx.MarkDirty();
    }

    /// <summary>SUNION/SDIFF and their STORE forms (Redis's sunionDiffGenericCommand).</summary>
    private static void UnionDiff(CommandContext ctx, int first, byte[]? dstKey, SetOp op)
    {
        int count = ctx.Args.Count - first;
        if (!TryGetSets(ctx, first, count, out var sets)) return;
        var result = new RedisSet();
        var limits = ctx.Engine.EncodingLimits;
        if (op == SetOp.Union)
        {
            foreach (var s in sets)
                if (s is not null)
                    foreach (var m in s.Members()) result.Add(m, limits);
        }
        else if (sets[0] is { } head)
        {
            bool sameSet = false;
            for (int j = 1; j < sets.Length; j++) if (ReferenceEquals(sets[j], head)) sameSet = true;
            if (!sameSet)
            {
                foreach (var m in head.Members())
                {
                    bool elsewhere = false;
                    for (int j = 1; j < sets.Length && !elsewhere; j++)
                        if (sets[j] is { } other && other.Contains(m)) elsewhere = true;
                    if (!elsewhere) result.Add(m, limits);
                }
            }
        }
        if (dstKey is null)
        {
            ctx.Reply.SetHeader(result.Count);
            foreach (var m in result.Members()) ctx.Reply.Bulk(m);
            return;
        }
        if (result.Count > 0)
        {
            ctx.Db.Set(dstKey, result);
            ctx.Reply.Integer(result.Count);
            ctx.MarkDirty();
            return;
        }
        ctx.Reply.Integer(0);
        if (ctx.Db.Remove(dstKey)) ctx.MarkDirty();
    }

    private static void SScan(CommandContext ctx)
    {
        if (!CollectionScan.TryParseCursor(ctx, 2, out ulong cursor)) return;
        if (!TryGetSet(ctx, ctx.Args[1], out var set)) return;
        if (set is null)
        {
            CollectionScan.ReplyEmpty(ctx);
            return;
        }
        if (!CollectionScan.TryParseOptions(ctx, out long count, out var pattern)) return;
        var items = new List<byte[]>();
        if (set.Table is { } table)
        {
            int visited = 0;
            cursor = CollectionScan.ScanTable(table, cursor, count, (m, _) =>
            {
                visited++;
                if (CollectionScan.Matches(pattern, m)) items.Add(m);
            }, () => visited);
        }
        else
        {
            foreach (var m in set.Members())
                if (CollectionScan.Matches(pattern, m)) items.Add(m);
            cursor = 0;
        }
        ctx.Reply.ArrayHeader(2);
        ctx.Reply.Bulk(System.Text.Encoding.ASCII.GetBytes(cursor.ToString(CultureInfo.InvariantCulture)));
        ctx.Reply.ArrayHeader(items.Count);
        foreach (var m in items) ctx.Reply.Bulk(m);
    }
}
