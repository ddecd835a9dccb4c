// ZPOPMIN / ZPOPMAX / ZMPOP (Redis's genericZpopCommand). ZMPOP propagates as ZPOPMIN|ZPOPMAX key count, as
// Redis 7.0 rewrites it, so replicas pop exactly what the master popped.
using System.Text;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class SortedSetCommands
{
    private static void ZPopCore(CommandContext ctx, bool max)
    {
        if (ctx.Args.Count > 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        long count = -1;
        if (ctx.Args.Count == 3 && !TryGetRangeLong(ctx, 2, 0, long.MaxValue, out count, NotPositive)) return;
        bool nested = ctx.Reply.IsResp3 && count != -1;
        PopGeneric(ctx, 1, 1, max, emitKey: false, count, nested, nilWhenEmpty: false);
    }

    private static void ZMPop(CommandContext ctx)
    {
        if (!TryParseMPop(ctx, 1, out int numKeys, out bool max, out long count)) return;
        PopGeneric(ctx, 2, numKeys, max, emitKey: true, count, nested: true, nilWhenEmpty: true, PopRewrite.KeyAndCount);
    }

    /// <summary>How a pop is propagated (Redis rewrites ZMPOP and the blocking pops; ZPOPMIN/ZPOPMAX go verbatim).</summary>
    private enum PopRewrite { None, Key, KeyAndCount }

    /// <summary>
    /// Parses [B]ZMPOP's numkeys, MIN|MAX and COUNT (Redis's zmpopGenericCommand); the keys start right after
    /// args[numKeysIdx]. Count is 1 when not given.
    /// </summary>
    private static bool TryParseMPop(CommandContext ctx, int numKeysIdx, out int numKeys, out bool max, out long count)
    {
        var args = ctx.Args;
        numKeys = 0;
        max = false;
        count = -1;
        if (!TryGetRangeLong(ctx, numKeysIdx, 1, long.MaxValue, out long nk, "ERR numkeys should be greater than 0")) return false;
        long whereIdx = numKeysIdx + nk + 1;
        if (whereIdx >= args.Count)
        {
            ctx.Reply.Error(Errors.Syntax);
            return false;
        }
        if (args.Is((int)whereIdx, "min")) max = false;
        else if (args.Is((int)whereIdx, "max")) max = true;
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return false;
        }
        for (int j = (int)whereIdx + 1; j < args.Count; j++)
        {
            int more = args.Count - 1 - j;
            if (count == -1 && args.Is(j, "count") && more > 0)
            {
                j++;
                if (!TryGetRangeLong(ctx, j, 1, long.MaxValue, out count, "ERR count should be greater than 0")) return false;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return false;
            }
        }
        if (count == -1) count = 1;
        numKeys = (int)nk;
        return true;
    }

    /// <summary>
    /// Pops from the first non-empty key among args[firstKey .. firstKey+keyCount). Reply shapes follow Redis:
    /// flat [m, s, ...] (ZPOP in RESP2), nested [[m, s] ...] (ZPOP COUNT in RESP3), [key, [[m, s] ...]] (ZMPOP),
    /// [key, m, s] (BZPOPMIN/BZPOPMAX). Returns true when something was popped.
    /// </summary>
    private static bool PopGeneric(CommandContext ctx, int firstKey, int keyCount, bool max, bool emitKey, long count,
        bool nested, bool nilWhenEmpty, PopRewrite rewrite = PopRewrite.None)
    {
        var reply = ctx.Reply;
        RedisSortedSet? zset = null;
        int keyIdx = -1;
        for (int i = 0; i < keyCount; i++)
        {
            if (!TryLookupWrite(ctx, ctx.Args[firstKey + i], out zset)) return false;
            if (zset is not null)
            {
                keyIdx = firstKey + i;
                break;
            }
        }
        if (zset is null)
        {
            if (nilWhenEmpty) reply.NullArray();
            else reply.ArrayHeader(0);
            return false;
        }
        if (count == 0)
        {
            reply.ArrayHeader(0);
            return false;
        }
        var keyCopy = ctx.Args.ToArray(keyIdx);
        long rangeLen = WritePop(reply, zset, keyCopy, max, emitKey, count, nested);
        ctx.MarkDirty(rangeLen);
        AfterRemoval(ctx, keyCopy, zset);
        if (rewrite == PopRewrite.Key) ctx.PropagateAs(max ? ZPopMaxName : ZPopMinName, keyCopy);
        else if (rewrite == PopRewrite.KeyAndCount)
            ctx.PropagateAs(max ? ZPopMaxName : ZPopMinName, keyCopy, Encoding.ASCII.GetBytes(rangeLen.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return true;
    }

    private static readonly byte[] ZPopMinName = "ZPOPMIN"u8.ToArray();
    private static readonly byte[] ZPopMaxName = "ZPOPMAX"u8.ToArray();

    /// <summary>
    /// Pops up to <paramref name="count"/> (-1 = one) elements of a non-empty set and writes the reply in the shape
    /// asked for; the caller deletes an emptied key. Shared with the serving of blocked clients. Returns the count popped.
    /// </summary>
    private static long WritePop(RespWriter reply, RedisSortedSet zset, byte[] key, bool max, bool emitKey, long count, bool nested)
    {
        if (count == -1) count = 1;
        long rangeLen = Math.Min(count, zset.Count);
        if (!nested && !emitKey) reply.ArrayHeader(rangeLen * 2);
        else if (nested && !emitKey) reply.ArrayHeader(rangeLen);
        else if (!nested && emitKey)
        {
            reply.ArrayHeader(rangeLen * 2 + 1);
            reply.Bulk(key);
        }
        else
        {
            reply.ArrayHeader(2);
            reply.Bulk(key);
            reply.ArrayHeader(rangeLen);
        }
        for (long i = 0; i < rangeLen; i++)
        {
            var node = max ? zset.Last! : zset.First!;
            zset.Remove(node.Member);
            if (nested) reply.ArrayHeader(2);
            reply.Bulk(node.Member);
            reply.Double(node.Score);
        }
        return rangeLen;
    }
}
