// Blocking list commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP (src/t_list.c blockingPopGenericCommand,
// blmoveGenericCommand, serveClientBlockedOnList). With data they act at once and propagate as their
// non-blocking forms; inside MULTI they answer null; otherwise they park the client in the engine's
// BlockingRegistry, whose serve callback below pops once a push makes a key ready.
using RedisPanel.Engine.Blocking;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

internal enum ListWaitKind { Pop, MPop, Move, RPopLPush }

/// <summary>What a blocked list client wants (Redis's bpop.blockpos / target / count).</summary>
internal sealed record ListWait(bool FromHead, bool ToHead, byte[]? Destination, long Count, ListWaitKind Kind);

public static partial class ListCommands
{
    private static void RegisterBlocking(CommandTable t, string g)
    {
        const CommandFlags b = CommandFlags.Write | CommandFlags.NoScript | CommandFlags.Blocking;
        t.Add("blpop", -3, b, c => BPop(c, head: true), (1, -2, 1), g);
        t.Add("brpop", -3, b, c => BPop(c, head: false), (1, -2, 1), g);
        t.Add("blmove", 6, b | CommandFlags.DenyOom, BLMove, (1, 2, 1), g);
        t.Add("brpoplpush", 4, b | CommandFlags.DenyOom, BRPopLPush, (1, 2, 1), g);
        t.Add("blmpop", -5, CommandFlags.Write | CommandFlags.Blocking, c => MPop(c, numKeysIndex: 2, blocking: true), default, g);
    }

    private static void BPop(CommandContext ctx, bool head)
    {
        int last = ctx.Args.Count - 1;
        if (!BlockingRegistry.TryParseTimeout(ctx, last, out long timeoutAt)) return;
        for (int i = 1; i < last; i++)
        {
            if (!TryGetList(ctx, ctx.Args[i], out var list)) return;
            if (list is null || list.Length == 0) continue;
            var key = ctx.Args.ToArray(i);
            var value = list.Pop(head);
            ctx.Reply.ArrayHeader(2);
            ctx.Reply.Bulk(key);
            ctx.Reply.Bulk(value);
            ElementsRemoved(ctx, key, list, 1);
            ctx.PropagateAs(head ? LPopName : RPopName, key);
            return;
        }
        if (BlockingRegistry.DenyBlocking(ctx))
        {
            ctx.Reply.NullArray();
            return;
        }
        var keys = new byte[last - 1][];
        for (int i = 1; i < last; i++) keys[i - 1] = ctx.Args.ToArray(i);
        ctx.Engine.Blocking.Block(ctx, keys, timeoutAt, ServeBlocked, new ListWait(head, head, null, -1, ListWaitKind.Pop));
    }

    private static void BLMove(CommandContext ctx)
    {
        if (!TryGetWhere(ctx, 3, out bool from) || !TryGetWhere(ctx, 4, out bool to)) return;
        if (!BlockingRegistry.TryParseTimeout(ctx, 5, out long timeoutAt)) return;
        BMoveCore(ctx, from, to, timeoutAt, ListWaitKind.Move);
    }

    private static void BRPopLPush(CommandContext ctx)
    {
        if (!BlockingRegistry.TryParseTimeout(ctx, 3, out long timeoutAt)) return;
        BMoveCore(ctx, fromHead: false, toHead: true, timeoutAt, ListWaitKind.RPopLPush);
    }

    private static void BMoveCore(CommandContext ctx, bool fromHead, bool toHead, long timeoutAt, ListWaitKind kind)
    {
        if (!TryGetList(ctx, ctx.Args[1], out var src)) return;
        if (src is not null)
        {
            long dirty = ctx.Engine.Dirty;
            MoveCore(ctx, fromHead, toHead);
            if (ctx.Engine.Dirty == dirty) return; // destination had the wrong type
            if (kind == ListWaitKind.Move)
                ctx.PropagateAs(LMoveName, ctx.Args.ToArray(1), ctx.Args.ToArray(2), fromHead ? LeftName : RightName, toHead ? LeftName : RightName);
            else ctx.PropagateAs(RPopLPushName, ctx.Args.ToArray(1), ctx.Args.ToArray(2));
            return;
        }
        if (BlockingRegistry.DenyBlocking(ctx))
        {
            // Redis answers a null bulk here (not a null array as BLPOP does).
            ctx.Reply.Null();
            return;
        }
        ctx.Engine.Blocking.Block(ctx, [ctx.Args.ToArray(1)], timeoutAt, ServeBlocked,
            new ListWait(fromHead, toHead, ctx.Args.ToArray(2), -1, kind));
    }

    /// <summary>
    /// Serves one client blocked on a list key that became ready (Redis's serveClientBlockedOnList): pops and
    /// replies as the command would have, propagates the non-blocking equivalent, deletes an emptied list.
    /// </summary>
    private static bool ServeBlocked(BlockingRegistry registry, BlockedRequest request, byte[] key)
    {
        var db = registry.Database(request.Db);
        if (db.GetForWrite(key) is not RedisList list || list.Length == 0) return false;
        var wait = (ListWait)request.State!;
        var w = request.Client.Writer;
        switch (wait.Kind)
        {
            case ListWaitKind.MPop:
            {
                int n = (int)Math.Min(wait.Count, list.Length);
                registry.Propagate(request.Db, n, wait.FromHead ? LPopName : RPopName, key, FormatLong(n));
                PopRangeWithKey(w, db, key, list, wait.FromHead, wait.Count);
                return true;
            }
            case ListWaitKind.Pop:
            {
                registry.Propagate(request.Db, 1, wait.FromHead ? LPopName : RPopName, key);
                var value = list.Pop(wait.FromHead);
                w.ArrayHeader(2);
                w.Bulk(key);
                w.Bulk(value);
                if (list.Length == 0) db.Remove(key);
                return true;
            }
            default:
            {
                var dstKey = wait.Destination!;
                var dstValue = db.GetForWrite(dstKey);
                if (dstValue is not null and not RedisList)
                {
                    // The client is unblocked with the error, as Redis's checkType inside the serve does.
                    registry.ReplyError(request.Client, Errors.WrongType);
                    return true;
                }
                var value = list.Pop(wait.FromHead);
                PushMoved(db, dstKey, dstValue as RedisList, value, wait.ToHead);
                w.Bulk(value);
                if (wait.Kind == ListWaitKind.RPopLPush) registry.Propagate(request.Db, 1, RPopLPushName, key, dstKey);
                else registry.Propagate(request.Db, 1, LMoveName, key, dstKey, wait.FromHead ? LeftName : RightName, wait.ToHead ? LeftName : RightName);
                if (list.Length == 0) db.Remove(key);
                return true;
            }
        }
    }
}
