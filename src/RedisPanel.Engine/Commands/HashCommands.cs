// Hash family (Redis's "hash" group, src/t_hash.c). HGETALL answers a map (RESP3 '%'), HRANDFIELD WITHVALUES
// nests pairs in RESP3, HINCRBYFLOAT propagates as HSET with the computed value (as Redis 7.0 does).
using System.Globalization;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static class HashCommands
{
    private static readonly byte[] HSetName = "HSET"u8.ToArray();

    public static void Register(CommandTable t)
    {
        const string g = "hash";
        const CommandFlags wdf = CommandFlags.Write | CommandFlags.DenyOom | CommandFlags.Fast;
        const CommandFlags rf = CommandFlags.ReadOnly | CommandFlags.Fast;
        t.Add("hset", -4, wdf, c => HSet(c, replyCount: true), (1, 1, 1), g);
        t.Add("hmset", -4, wdf, c => HSet(c, replyCount: false), (1, 1, 1), g);
        t.Add("hsetnx", 4, wdf, HSetNx, (1, 1, 1), g);
        t.Add("hget", 3, rf, HGet, (1, 1, 1), g);
        t.Add("hmget", -3, rf, HMGet, (1, 1, 1), g);
        t.Add("hdel", -3, CommandFlags.Write | CommandFlags.Fast, HDel, (1, 1, 1), g);
        t.Add("hlen", 2, rf, c => { if (TryGetHash(c, out var h)) c.Reply.Integer(h?.Count ?? 0); }, (1, 1, 1), g);
        t.Add("hstrlen", 3, rf, c => { if (TryGetHash(c, out var h)) c.Reply.Integer(h?.Get(c.Args[2])?.Length ?? 0); }, (1, 1, 1), g);
        t.Add("hexists", 3, rf, c => { if (TryGetHash(c, out var h)) c.Reply.Integer(h is not null && h.Contains(c.Args[2]) ? 1 : 0); }, (1, 1, 1), g);
        t.Add("hkeys", 2, CommandFlags.ReadOnly, c => GetAll(c, fields: true, values: false), (1, 1, 1), g);
        t.Add("hvals", 2, CommandFlags.ReadOnly, c => GetAll(c, fields: false, values: true), (1, 1, 1), g);
        t.Add("hgetall", 2, CommandFlags.ReadOnly, c => GetAll(c, fields: true, values: true), (1, 1, 1), g);
        t.Add("hincrby", 4, wdf, HIncrBy, (1, 1, 1), g);
        t.Add("hincrbyfloat", 4, wdf, HIncrByFloat, (1, 1, 1), g);
        t.Add("hrandfield", -2, CommandFlags.ReadOnly, HRandField, (1, 1, 1), g);
        t.Add("hscan", -3, CommandFlags.ReadOnly, HScan, (1, 1, 1), g);
    }

    /// <summary>The hash at argument 1: false (after replying WRONGTYPE) when the key holds another type.</summary>
    private static bool TryGetHash(CommandContext ctx, out RedisHash? hash)
    {
        var value = ctx.Db.Get(ctx.Args[1]);
        hash = value as RedisHash;
        if (value is null || hash is not null) return true;
        ctx.Reply.Error(Errors.WrongType);
        return false;
    }

    /// <summary>Redis's hashTypeLookupWriteOrCreate: the hash, created (and added) when the key is absent.</summary>
    private static RedisHash? GetOrCreate(CommandContext ctx)
    {
        if (!TryGetHash(ctx, out var hash)) return null;
        if (hash is null)
        {
            hash = new RedisHash();
            ctx.Db.Add(ctx.Args[1], hash);
        }
        return hash;
    }

    private static void HSet(CommandContext ctx, bool replyCount)
    {
        if (ctx.Args.Count % 2 == 1)
        {
            ctx.WrongArity();
            return;
        }
        var hash = GetOrCreate(ctx);
        if (hash is null) return;
        var limits = ctx.Engine.EncodingLimits;
        for (int i = 2; i < ctx.Args.Count; i++) hash.ConvertIfLong(ctx.Args[i].Length, limits);
        long created = 0;
        for (int i = 2; i < ctx.Args.Count; i += 2)
            if (hash.Set(ctx.Args[i], ctx.Args.ToArray(i + 1), limits)) created++;
        if (replyCount) ctx.Reply.Integer(created);
        else ctx.Reply.Ok();
        ctx.SignalModified(ctx.Args[1]);
        ctx.MarkDirty((ctx.Args.Count - 2) / 2);
    }

    private static void HSetNx(CommandContext ctx)
    {
        var hash = GetOrCreate(ctx);
        if (hash is null) return;
        if (hash.Contains(ctx.Args[2]))
        {
            ctx.Reply.Integer(0);
            return;
        }
        var limits = ctx.Engine.EncodingLimits;
        hash.ConvertIfLong(ctx.Args[2].Length, limits);
        hash.ConvertIfLong(ctx.Args[3].Length, limits);
        hash.Set(ctx.Args[2], ctx.Args.ToArray(3), limits);
        ctx.Reply.Integer(1);
        ctx.SignalModified(ctx.Args[1]);
        ctx.MarkDirty();
    }

    private static void HGet(CommandContext ctx)
    {
        if (!TryGetHash(ctx, out var hash)) return;
        var v = hash?.Get(ctx.Args[2]);
        if (v is null) ctx.Reply.Null();
        else ctx.Reply.Bulk(v);
    }

    private static void HMGet(CommandContext ctx)
    {
        if (!TryGetHash(ctx, out var hash)) return;
        ctx.Reply.ArrayHeader(ctx.Args.Count - 2);
        for (int i = 2; i < ctx.Args.Count; i++)
        {
            var v = hash?.Get(ctx.Args[i]);
            if (v is null) ctx.Reply.Null();
            else ctx.Reply.Bulk(v);
        }
    }

    private static void HDel(CommandContext ctx)
    {
        if (!TryGetHash(ctx, out var hash)) return;
        long deleted = 0;
        bool keyRemoved = false;
        if (hash is not null)
        {
            for (int i = 2; i < ctx.Args.Count; i++)
            {
                if (!hash.Remove(ctx.Args[i])) continue;
                deleted++;
                if (hash.Count == 0)
                {
                    ctx.Db.Remove(ctx.Args[1]);
                    keyRemoved = true;
                    break;
                }
            }
        }
        if (deleted > 0)
        {
            if (!keyRemoved) ctx.SignalModified(ctx.Args[1]);
            ctx.MarkDirty(deleted);
        }
        ctx.Reply.Integer(deleted);
    }

    private static void GetAll(CommandContext ctx, bool fields, bool values)
    {
        if (!TryGetHash(ctx, out var hash)) return;
        long n = hash?.Count ?? 0;
        if (fields && values) ctx.Reply.MapHeader(n);
        else ctx.Reply.ArrayHeader(n);
        if (hash is null) return;
        foreach (var (f, v) in hash.Entries())
        {
            if (fields) ctx.Reply.Bulk(f);
            if (values) ctx.Reply.Bulk(v);
        }
    }

    private static void HIncrBy(CommandContext ctx)
    {
        if (!ctx.TryGetLong(3, out long incr)) return;
        var hash = GetOrCreate(ctx);
        if (hash is null) return;
        long value = 0;
        var current = hash.Get(ctx.Args[2]);
        if (current is not null && !Protocol.RespParser.TryParseLong(current, out value))
        {
            ReplyAndDropIfEmpty(ctx, hash, Errors.HashValueNotInteger);
            return;
        }
        if ((incr < 0 && value < 0 && incr < long.MinValue - value) || (incr > 0 && value > 0 && incr > long.MaxValue - value))
        {
            ReplyAndDropIfEmpty(ctx, hash, Errors.IncrOverflow);
            return;
        }
        value += incr;
        hash.Set(ctx.Args[2], ListCommands.FormatLong(value), ctx.Engine.EncodingLimits);
        ctx.Reply.Integer(value);
        ctx.SignalModified(ctx.Args[1]);
        ctx.MarkDirty();
    }

    private static void ReplyAndDropIfEmpty(CommandContext ctx, RedisHash hash, string error)
    {
        // Only reachable with an existing field, so the hash is never a fresh empty one; kept defensive.
        if (hash.Count == 0) ctx.Db.Remove(ctx.Args[1]);
        ctx.Reply.Error(error);
    }

    private static void HIncrByFloat(CommandContext ctx)
    {
        // Long double arithmetic and "%.17Lf" printing as Redis (LongDouble, shared with INCRBYFLOAT).
        if (!LongDouble.TryParse(ctx.Args[3], out var incr))
        {
            ctx.Reply.Error(Errors.NotFloat);
            return;
        }
        if (incr.Infinite)
        {
            ctx.Reply.Error(Errors.NaNOrInfinity);
            return;
        }
        var hash = GetOrCreate(ctx);
        if (hash is null) return;
        var current = hash.Get(ctx.Args[2]);
        LongDouble value = default;
        if (current is not null && !LongDouble.TryParse(current, out value))
        {
            ReplyAndDropIfEmpty(ctx, hash, Errors.HashValueNotFloat);
            return;
        }
        var sum = LongDouble.Add(value, incr);
        if (sum.Infinite)
        {
            ReplyAndDropIfEmpty(ctx, hash, Errors.IncrNaNOrInf);
            return;
        }
        var text = sum.ToHumanString();
        hash.Set(ctx.Args[2], text, ctx.Engine.EncodingLimits);
        ctx.Reply.Bulk(text);
        ctx.SignalModified(ctx.Args[1]);
        ctx.MarkDirty();
        ctx.PropagateAs(HSetName, ctx.Args.ToArray(1), ctx.Args.ToArray(2), text);
    }

    private static void HRandField(CommandContext ctx)
    {
        if (ctx.Args.Count >= 3)
        {
            if (!TryGetSignedCount(ctx, 2, out long l)) return;
            bool withValues = false;
            if (ctx.Args.Count > 4 || (ctx.Args.Count == 4 && !ctx.Args.Is(3, "withvalues")))
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
            if (ctx.Args.Count == 4)
            {
                withValues = true;
                if (l < -long.MaxValue / 2 || l > long.MaxValue / 2)
                {
                    ctx.Reply.Error("ERR value is out of range");
                    return;
                }
            }
            RandFieldWithCount(ctx, l, withValues);
            return;
        }
        if (!TryGetHash(ctx, out var hash)) return;
        if (hash is null)
        {
            ctx.Reply.Null();
            return;
        }
        ctx.Reply.Bulk(hash.Random(ctx.Engine.Random).Field);
    }

    /// <summary>A count in [-LONG_MAX, LONG_MAX] (HRANDFIELD, SRANDMEMBER): Redis's getRangeLongFromObjectOrReply
    /// with no message — "not an integer" when unparsable, the "must between" text only for LONG_MIN.</summary>
    internal static bool TryGetSignedCount(CommandContext ctx, int index, out long value)
    {
        if (!ctx.TryGetLong(index, out value)) return false;
        if (value != long.MinValue) return true;
        ctx.Reply.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        return false;
    }

    private static void RandFieldWithCount(CommandContext ctx, long l, bool withValues)
    {
        if (!TryGetHash(ctx, out var hash)) return;
        var w = ctx.Reply;
        if (hash is null)
        {
            w.ArrayHeader(0);
            return;
        }
        bool unique = l >= 0;
        long count = unique ? l : -l;
        if (count == 0)
        {
            w.ArrayHeader(0);
            return;
        }
        bool nested = withValues && w.IsResp3;
        if (!unique || count == 1)
        {
            w.ArrayHeader(withValues && !nested ? count * 2 : count);
            var random = ctx.Engine.Random;
            for (long i = 0; i < count; i++) WriteEntry(w, hash.Random(random), withValues, nested);
            return;
        }
        long size = hash.Count;
        long replySize = Math.Min(count, size);
        w.ArrayHeader(withValues && !nested ? replySize * 2 : replySize);
        if (count >= size)
        {
            foreach (var e in hash.Entries()) WriteEntry(w, e, withValues, nested);
            return;
        }
        // A uniform random subset without repetition: partial Fisher-Yates over the entries.
        var all = hash.Entries().ToArray();
        var rnd = ctx.Engine.Random;
        for (int i = 0; i < count; i++)
        {
            int j = i + rnd.Next(all.Length - i);
            (all[i], all[j]) = (all[j], all[i]);
            WriteEntry(w, all[i], withValues, nested);
        }
    }

    private static void WriteEntry(Protocol.RespWriter w, (byte[] Field, byte[] Value) e, bool withValues, bool nested)
    {
        if (nested) w.ArrayHeader(2);
        w.Bulk(e.Field);
        if (withValues) w.Bulk(e.Value);
    }

    private static void HScan(CommandContext ctx)
    {
        if (!CollectionScan.TryParseCursor(ctx, 2, out ulong cursor)) return;
        if (!TryGetHash(ctx, out var hash)) return;
        if (hash is null)
        {
            CollectionScan.ReplyEmpty(ctx);
            return;
        }
        if (!CollectionScan.TryParseOptions(ctx, out long count, out var pattern)) return;
        var items = new List<byte[]>();
        if (hash.Table is { } table)
        {
            // Redis filters by MATCH after the scan steps, so COUNT bounds the visited fields, not the matches.
            int visited = 0;
            cursor = CollectionScan.ScanTable(table, cursor, count, (f, v) =>
            {
                visited++;
                if (!CollectionScan.Matches(pattern, f)) return;
                items.Add(f);
                items.Add(v);
            }, () => visited);
        }
        else
        {
            foreach (var (f, v) in hash.Entries())
            {
                if (!CollectionScan.Matches(pattern, f)) continue;
                items.Add(f);
                items.Add(v);
            }
            cursor = 0;
        }
        ctx.Reply.ArrayHeader(2);
        ctx.Reply.Bulk(System.Text.Encoding.ASCII.GetBytes(cursor.ToString(CultureInfo.InvariantCulture)));
        ctx.Reply.ArrayHeader(items.Count);
        foreach (var item in items) ctx.Reply.Bulk(item);
    }
}
