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
        var args = ctx.Args;
        if (!TryGetRangeLong(ctx, 1, 1, long.MaxValue, out long numKeys, "ERR numkeys should be greater than 0")) return;
        long whereIdx = 1 + numKeys + 1;
        if (whereIdx >= args.Count)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        bool max;
        if (args.Is((int)whereIdx, "min")) max = false;
        else if (args.Is((int)whereIdx, "max")) max = true;
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        long count = -1;
        for (int j = (int)whereIdx + 1; j < args.Count; j++)
        {
            int more = args.Count - 1 - j;
            if (count == -1 && args.Is(j, "count") && more > 0)
            {
                j++;
                if (!TryGetRangeLong(ctx, j, 1, long.MaxValue, out count, "ERR count should be greater than 0")) return;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        if (count == -1) count = 1;
        PopGeneric(ctx, 2, (int)numKeys, max, emitKey: true, count, nested: true, nilWhenEmpty: true);
    }

    /// <summary>
    /// Pops from the first non-empty key among args[firstKey .. firstKey+keyCount). Reply shapes follow Redis:
    /// flat [m, s, ...] (ZPOP in RESP2), nested [[m, s] ...] (ZPOP COUNT in RESP3), [key, [[m, s] ...]] (ZMPOP).
    /// Returns true when something was popped.
    /// </summary>
    private static bool PopGeneric(CommandContext ctx, int firstKey, int keyCount, bool max, bool emitKey, long count,
        bool nested, bool nilWhenEmpty)
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
        if (count == -1) count = 1;
        long llen = zset.Count;
        long rangeLen = Math.Min(count, llen);
        var key = ctx.Args[keyIdx];
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
        ctx.MarkDirty(rangeLen);
        var keyCopy = key.ToArray();
        AfterRemoval(ctx, keyCopy, zset);
        if (ctx.Command.Name is "zmpop" or "bzmpop")
            ctx.PropagateAs(Encoding.ASCII.GetBytes(max ? "ZPOPMAX" : "ZPOPMIN"), keyCopy, Encoding.ASCII.GetBytes(rangeLen.ToString()));
        return true;
    }
}
