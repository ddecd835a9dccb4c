// List family (Redis's "list" group, src/t_list.c): pushes, pops, ranges, LPOS/LINSERT/LREM/LTRIM, LMOVE and
// LMPOP. The blocking forms live in ListCommands.Blocking.cs. Argument checks run in Redis's order (some
// commands parse before the key lookup, some after), because that decides which error a client sees.
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class ListCommands
{
    private const string RankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

    public static void Register(CommandTable t)
    {
        const string g = "list";
        const CommandFlags w = CommandFlags.Write, wd = CommandFlags.Write | CommandFlags.DenyOom;
        t.Add("lpush", -3, wd | CommandFlags.Fast, c => Push(c, head: true, onlyIfExists: false), (1, 1, 1), g);
        t.Add("rpush", -3, wd | CommandFlags.Fast, c => Push(c, head: false, onlyIfExists: false), (1, 1, 1), g);
        t.Add("lpushx", -3, wd | CommandFlags.Fast, c => Push(c, head: true, onlyIfExists: true), (1, 1, 1), g);
        t.Add("rpushx", -3, wd | CommandFlags.Fast, c => Push(c, head: false, onlyIfExists: true), (1, 1, 1), g);
        t.Add("lpop", -2, w | CommandFlags.Fast, c => Pop(c, head: true), (1, 1, 1), g);
        t.Add("rpop", -2, w | CommandFlags.Fast, c => Pop(c, head: false), (1, 1, 1), g);
        t.Add("llen", 2, CommandFlags.ReadOnly | CommandFlags.Fast, LLen, (1, 1, 1), g);
        t.Add("lrange", 4, CommandFlags.ReadOnly, LRange, (1, 1, 1), g);
        t.Add("lindex", 3, CommandFlags.ReadOnly, LIndex, (1, 1, 1), g);
        t.Add("lset", 4, wd, LSet, (1, 1, 1), g);
        t.Add("linsert", 5, wd, LInsert, (1, 1, 1), g);
        t.Add("lrem", 4, w, LRem, (1, 1, 1), g);
        t.Add("ltrim", 4, w, LTrim, (1, 1, 1), g);
        t.Add("lpos", -3, CommandFlags.ReadOnly, LPos, (1, 1, 1), g);
        t.Add("rpoplpush", 3, wd, RPopLPush, (1, 2, 1), g);
        t.Add("lmove", 5, wd, LMove, (1, 2, 1), g);
        t.Add("lmpop", -4, w, c => MPop(c, numKeysIndex: 1, blocking: false), default, g);
        RegisterBlocking(t, g);
    }

    /// <summary>Looks a key up for a list command: false (after replying WRONGTYPE) when it holds another type.</summary>
    private static bool TryGetList(CommandContext ctx, ReadOnlySpan<byte> key, out RedisList? list)
    {
        var value = ctx.Db.Get(key);
        list = value as RedisList;
        if (value is null || list is not null) return true;
        ctx.Reply.Error(Errors.WrongType);
        return false;
    }

    private static void Push(CommandContext ctx, bool head, bool onlyIfExists)
    {
        var key = ctx.Args[1];
        if (!TryGetList(ctx, key, out var list)) return;
        int n = ctx.Args.Count - 2;
        bool created = list is null;
        if (created)
        {
            if (onlyIfExists)
            {
                ctx.Reply.Integer(0);
                return;
            }
            list = new RedisList(n);
        }
        for (int i = 2; i < ctx.Args.Count; i++) list!.Push(ctx.Args.ToArray(i), head);
        if (created) ctx.Db.Add(key, list!);
        else ctx.SignalModified(key);
        ctx.Reply.Integer(list!.Length);
        ctx.MarkDirty(n);
    }

    /// <summary>After elements were removed: deletes an emptied list (Redis never keeps empty keys) or signals the change.</summary>
    private static void ElementsRemoved(CommandContext ctx, ReadOnlySpan<byte> key, RedisList list, long count)
    {
        if (list.Length == 0) ctx.Db.Remove(key);
        else ctx.SignalModified(key);
        ctx.MarkDirty(count);
    }

    private static void Pop(CommandContext ctx, bool head)
    {
        if (ctx.Args.Count > 3)
        {
            ctx.WrongArity();
            return;
        }
        bool hasCount = ctx.Args.Count == 3;
        long count = 0;
        if (hasCount && !ctx.TryGetLong(2, 0, long.MaxValue, out count, Errors.OutOfRangePositive)) return;
        var key = ctx.Args[1];
        if (!TryGetList(ctx, key, out var list)) return;
        if (list is null)
        {
            if (hasCount) ctx.Reply.NullArray();
            else ctx.Reply.Null();
            return;
        }
        if (!hasCount)
        {
            ctx.Reply.Bulk(list.Pop(head));
            ElementsRemoved(ctx, key, list, 1);
            return;
        }
        if (count == 0)
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }
        int n = (int)Math.Min(count, list.Length);
        ReplyEnd(ctx.Reply, list, n, head);
        RemoveEnd(list, n, head);
        ElementsRemoved(ctx, key, list, n);
    }

    /// <summary>Replies the <paramref name="n"/> elements at one end, in pop order (tail ones reversed, as Redis).</summary>
    internal static void ReplyEnd(RespWriter w, RedisList list, int n, bool head)
    {
        w.ArrayHeader(n);
        if (head) for (int i = 0; i < n; i++) w.Bulk(list[i]);
        else for (int i = list.Length - 1; i >= list.Length - n; i--) w.Bulk(list[i]);
    }

    internal static void RemoveEnd(RedisList list, int n, bool head)
    {
        if (head) list.RemoveRange(0, n);
        else list.RemoveRange(list.Length - n, n);
    }

    private static void LLen(CommandContext ctx)
    {
        if (!TryGetList(ctx, ctx.Args[1], out var list)) return;
        ctx.Reply.Integer(list?.Length ?? 0);
    }

    /// <summary>Redis's range normalisation (LRANGE/LTRIM): returns false when the range is empty.</summary>
    private static bool NormalizeRange(long start, long end, long length, out int from, out int to)
    {
        if (start < 0) start += length;
        if (end < 0) end += length;
        if (start < 0) start = 0;
        from = to = 0;
        if (start > end || start >= length) return false;
        if (end >= length) end = length - 1;
        from = (int)start;
        to = (int)end;
        return true;
    }

    private static void LRange(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long start) || !ctx.TryGetLong(3, out long end)) return;
        if (!TryGetList(ctx, ctx.Args[1], out var list)) return;
        if (list is null || !NormalizeRange(start, end, list.Length, out int from, out int to))
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }
        ctx.Reply.ArrayHeader(to - from + 1);
        for (int i = from; i <= to; i++) ctx.Reply.Bulk(list[i]);
    }

    private static void LIndex(CommandContext ctx)
    {
        if (!TryGetList(ctx, ctx.Args[1], out var list)) return;
        if (list is null)
        {
            ctx.Reply.Null();
            return;
        }
        if (!ctx.TryGetLong(2, out long index)) return;
        int i = list.ResolveIndex(index);
        if (i < 0) ctx.Reply.Null();
        else ctx.Reply.Bulk(list[i]);
    }

    private static void LSet(CommandContext ctx)
    {
        if (!TryGetList(ctx, ctx.Args[1], out var list)) return;
        if (list is null)
        {
            ctx.Reply.Error(Errors.NoSuchKey);
            return;
        }
        if (!ctx.TryGetLong(2, out long index)) return;
        int i = list.ResolveIndex(index);
        if (i < 0)
        {
            ctx.Reply.Error(Errors.OutOfRange);
            return;
        }
        list[i] = ctx.Args.ToArray(3);
        ctx.Reply.Ok();
        ctx.SignalModified(ctx.Args[1]);
        ctx.MarkDirty();
    }

    private static void LInsert(CommandContext ctx)
    {
        bool after;
        if (ctx.Args.Is(2, "after")) after = true;
        else if (ctx.Args.Is(2, "before")) after = false;
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        if (!TryGetList(ctx, ctx.Args[1], out var list)) return;
        if (list is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        var pivot = ctx.Args[3];
        for (int i = 0; i < list.Length; i++)
        {
            if (!pivot.SequenceEqual(list[i])) continue;
            list.InsertAt(after ? i + 1 : i, ctx.Args.ToArray(4));
            ctx.SignalModified(ctx.Args[1]);
            ctx.MarkDirty();
            ctx.Reply.Integer(list.Length);
            return;
        }
        ctx.Reply.Integer(-1);
    }

    private static void LRem(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long toRemove)) return;
        var key = ctx.Args[1];
        if (!TryGetList(ctx, key, out var list)) return;
        if (list is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        var element = ctx.Args[3];
        long removed = 0;
        if (toRemove < 0)
        {
            long limit = toRemove == long.MinValue ? long.MaxValue : -toRemove;
            for (int i = list.Length - 1; i >= 0 && removed < limit; i--)
            {
                if (!element.SequenceEqual(list[i])) continue;
                list.RemoveAt(i);
                removed++;
            }
        }
        else
        {
            for (int i = 0; i < list.Length && (toRemove == 0 || removed < toRemove);)
            {
                if (element.SequenceEqual(list[i]))
                {
                    list.RemoveAt(i);
                    removed++;
                }
                else i++;
            }
        }
        if (removed > 0) ElementsRemoved(ctx, key, list, removed);
        ctx.Reply.Integer(removed);
    }

    private static void LTrim(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long start) || !ctx.TryGetLong(3, out long end)) return;
        var key = ctx.Args[1];
        if (!TryGetList(ctx, key, out var list)) return;
        if (list is null)
        {
            ctx.Reply.Ok();
            return;
        }
        int length = list.Length;
        int ltrim, rtrim;
        if (NormalizeRange(start, end, length, out int from, out int to))
        {
            ltrim = from;
            rtrim = length - to - 1;
        }
        else
        {
            ltrim = length;
            rtrim = 0;
        }
        if (rtrim > 0) list.RemoveRange(length - rtrim, rtrim);
        if (ltrim > 0) list.RemoveRange(0, ltrim);
        // Redis signals and counts even when nothing was trimmed.
        ElementsRemoved(ctx, key, list, ltrim + rtrim);
        ctx.Reply.Ok();
    }

    private static void LPos(CommandContext ctx)
    {
        long rank = 1, count = -1, maxLen = 0;
        for (int j = 3; j < ctx.Args.Count; j++)
        {
            bool more = ctx.Args.Count - 1 - j > 0;
            if (ctx.Args.Is(j, "rank") && more)
            {
                if (!ctx.TryGetLong(++j, out rank)) return;
                if (rank == 0)
                {
                    ctx.Reply.Error(RankZero);
                    return;
                }
            }
            else if (ctx.Args.Is(j, "count") && more)
            {
                if (!ctx.TryGetLong(++j, 0, long.MaxValue, out count, "ERR COUNT can't be negative")) return;
            }
            else if (ctx.Args.Is(j, "maxlen") && more)
            {
                if (!ctx.TryGetLong(++j, 0, long.MaxValue, out maxLen, "ERR MAXLEN can't be negative")) return;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        bool fromTail = rank < 0;
        // In C -LONG_MIN stays LONG_MIN, so "matches >= rank" holds at once: the first match from the tail.
        if (fromTail) rank = rank == long.MinValue ? 1 : -rank;
        var value = ctx.Db.Get(ctx.Args[1]);
        if (value is null)
        {
            if (count != -1) ctx.Reply.ArrayHeader(0);
            else ctx.Reply.Null();
            return;
        }
        if (value is not RedisList list)
        {
            ctx.Reply.Error(Errors.WrongType);
            return;
        }
        var element = ctx.Args[2];
        int length = list.Length;
        long matches = 0;
        List<long>? found = count != -1 ? new List<long>() : null;
        for (long index = 0; index < length && (maxLen == 0 || index < maxLen); index++)
        {
            int pos = fromTail ? (int)(length - index - 1) : (int)index;
            if (!element.SequenceEqual(list[pos])) continue;
            matches++;
            if (matches < rank) continue;
            if (found is null)
            {
                ctx.Reply.Integer(pos);
                return;
            }
            found.Add(pos);
            if (count != 0 && matches - rank + 1 >= count) break;
        }
        if (found is null)
        {
            ctx.Reply.Null();
            return;
        }
        ctx.Reply.ArrayHeader(found.Count);
        foreach (long p in found) ctx.Reply.Integer(p);
    }

    /// <summary>Parses LEFT/RIGHT (Redis's getListPositionFromObjectOrReply); true = head.</summary>
    private static bool TryGetWhere(CommandContext ctx, int index, out bool head)
    {
        head = false;
        if (ctx.Args.Is(index, "right")) return true;
        if (ctx.Args.Is(index, "left")) { head = true; return true; }
        ctx.Reply.Error(Errors.Syntax);
        return false;
    }

    private static void RPopLPush(CommandContext ctx) => MoveCore(ctx, fromHead: false, toHead: true);

    private static void LMove(CommandContext ctx)
    {
        if (!TryGetWhere(ctx, 3, out bool from) || !TryGetWhere(ctx, 4, out bool to)) return;
        MoveCore(ctx, from, to);
    }

    /// <summary>LMOVE/RPOPLPUSH once the source is known to be a list or absent (Redis's lmoveGenericCommand).</summary>
    private static void MoveCore(CommandContext ctx, bool fromHead, bool toHead)
    {
        var srcKey = ctx.Args[1];
        if (!TryGetList(ctx, srcKey, out var src)) return;
        if (src is null)
        {
            ctx.Reply.Null();
            return;
        }
        var dstKey = ctx.Args[2];
        if (!TryGetList(ctx, dstKey, out var dst)) return;
        var value = src.Pop(fromHead);
        PushMoved(ctx.Db, dstKey, dst, value, toHead);
        ctx.Reply.Bulk(value);
        if (src.Length == 0) ctx.Db.Remove(srcKey);
        else ctx.SignalModified(srcKey);
        ctx.MarkDirty();
    }

    /// <summary>The push half of a move (Redis's lmoveHandlePush): creates the destination when absent.</summary>
    internal static void PushMoved(RedisDatabase db, ReadOnlySpan<byte> dstKey, RedisList? dst, byte[] value, bool toHead)
    {
        if (dst is null)
        {
            dst = new RedisList(1);
            dst.Push(value, toHead);
            db.Add(dstKey, dst);
            return;
        }
        dst.Push(value, toHead);
        db.SignalModified(dstKey);
    }

    /// <summary>
    /// LMPOP/BLMPOP argument parsing (Redis's lmpopGenericCommand): numkeys, LEFT|RIGHT, one optional COUNT.
    /// Replies the error and returns false on bad input.
    /// </summary>
    private static bool TryParseMPop(CommandContext ctx, int numKeysIndex, out int numKeys, out bool head, out long count)
    {
        numKeys = 0;
        head = false;
        count = -1;
        if (!ctx.TryGetLong(numKeysIndex, 1, long.MaxValue, out long nk, Errors.NumKeysPositive)) return false;
        long whereIndex = numKeysIndex + nk + 1;
        if (whereIndex >= ctx.Args.Count)
        {
            ctx.Reply.Error(Errors.Syntax);
            return false;
        }
        numKeys = (int)nk;
        if (!TryGetWhere(ctx, (int)whereIndex, out head)) return false;
        for (int j = (int)whereIndex + 1; j < ctx.Args.Count; j++)
        {
            bool more = ctx.Args.Count - 1 - j > 0;
            if (count == -1 && ctx.Args.Is(j, "count") && more)
            {
                if (!ctx.TryGetLong(++j, 1, long.MaxValue, out count, Errors.CountPositive)) return false;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return false;
            }
        }
        if (count == -1) count = 1;
        return true;
    }

    /// <summary>Pops up to <paramref name="count"/> elements replying [key, [elements]] (listPopRangeAndReplyWithKey).
    /// Returns how many were popped; deletes the key when emptied.</summary>
    internal static int PopRangeWithKey(RespWriter w, RedisDatabase db, byte[] key, RedisList list, bool head, long count)
    {
        int n = (int)Math.Min(count, list.Length);
        w.ArrayHeader(2);
        w.Bulk(key);
        ReplyEnd(w, list, n, head);
        RemoveEnd(list, n, head);
        if (list.Length == 0) db.Remove(key);
        else db.SignalModified(key);
        return n;
    }

    private static void MPop(CommandContext ctx, int numKeysIndex, bool blocking)
    {
        if (!TryParseMPop(ctx, numKeysIndex, out int numKeys, out bool head, out long count)) return;
        long timeoutAt = 0;
        if (blocking && !Blocking.BlockingRegistry.TryParseTimeout(ctx, 1, out timeoutAt)) return;
        int first = numKeysIndex + 1;
        for (int i = first; i < first + numKeys; i++)
        {
            if (!TryGetList(ctx, ctx.Args[i], out var list)) return;
            if (list is null || list.Length == 0) continue;
            var key = ctx.Args.ToArray(i);
            int n = PopRangeWithKey(ctx.Reply, ctx.Db, key, list, head, count);
            ctx.MarkDirty(n);
            ctx.PropagateAs(head ? LPopName : RPopName, key, FormatLong(n));
            return;
        }
        if (!blocking || Blocking.BlockingRegistry.DenyBlocking(ctx))
        {
            ctx.Reply.NullArray();
            return;
        }
        var keys = new byte[numKeys][];
        for (int i = 0; i < numKeys; i++) keys[i] = ctx.Args.ToArray(first + i);
        ctx.Engine.Blocking.Block(ctx, keys, timeoutAt, ServeBlocked, new ListWait(head, head, null, count, ListWaitKind.MPop));
    }

    internal static readonly byte[] LPopName = "LPOP"u8.ToArray();
    internal static readonly byte[] RPopName = "RPOP"u8.ToArray();
    internal static readonly byte[] LMoveName = "LMOVE"u8.ToArray();
    internal static readonly byte[] RPopLPushName = "RPOPLPUSH"u8.ToArray();
    internal static readonly byte[] LeftName = "LEFT"u8.ToArray();
    internal static readonly byte[] RightName = "RIGHT"u8.ToArray();

    internal static byte[] FormatLong(long v) => System.Text.Encoding.ASCII.GetBytes(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
