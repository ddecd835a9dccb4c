// Blocking sorted-set pops: BZPOPMIN, BZPOPMAX, BZMPOP (Redis 7.0's blockingGenericZpopCommand and
// serveClientsBlockedOnSortedSetKey). With data they pop at once and propagate as ZPOPMIN/ZPOPMAX (BZMPOP with
// the real count); inside MULTI (or for clients that cannot block) they answer a null array; otherwise the
// client waits in the engine's BlockingRegistry until a write makes one of its keys a non-empty sorted set.
using RedisPanel.Engine.Blocking;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

/// <summary>What a blocked sorted-set client wants: which end, how many (-1 = BZPOPMIN/BZPOPMAX's single pop).</summary>
internal sealed record ZSetWait(bool Max, long Count, bool MPop);

public static partial class SortedSetCommands
{
    static partial void RegisterBlocking(CommandTable t)
    {
        const CommandFlags b = CommandFlags.Write | CommandFlags.NoScript | CommandFlags.Fast | CommandFlags.Blocking;
        t.Add("bzpopmin", -3, b, ctx => BZPop(ctx, max: false), (1, -2, 1), Group);
        t.Add("bzpopmax", -3, b, ctx => BZPop(ctx, max: true), (1, -2, 1), Group);
        t.Add("bzmpop", -5, CommandFlags.Write | CommandFlags.Blocking, BZMPop, group: Group); // movable keys: 0,0,0
    }

    private static void BZPop(CommandContext ctx, bool max)
    {
        int last = ctx.Args.Count - 1;
        if (!BlockingRegistry.TryParseTimeout(ctx, last, out long timeoutAt)) return;
        BlockingPop(ctx, 1, last - 1, max, count: -1, timeoutAt, mpop: false);
    }

    private static void BZMPop(CommandContext ctx)
    {
        // Redis parses numkeys, MIN|MAX and COUNT before the timeout (zmpopGenericCommand, then the blocking core).
        if (!TryParseMPop(ctx, 2, out int numKeys, out bool max, out long count)) return;
        if (!BlockingRegistry.TryParseTimeout(ctx, 1, out long timeoutAt)) return;
        BlockingPop(ctx, 3, numKeys, max, count, timeoutAt, mpop: true);
    }

    private static void BlockingPop(CommandContext ctx, int firstKey, int keyCount, bool max, long count, long timeoutAt, bool mpop)
    {
        for (int i = 0; i < keyCount; i++)
        {
            if (!TryLookupWrite(ctx, ctx.Args[firstKey + i], out var zset)) return;
            if (zset is null) continue;
            // Like a non-blocking pop of that one key: BZPOPMIN replies [key, member, score] and propagates
            // ZPOPMIN key; BZMPOP replies [key, [[member, score] ...]] and propagates ZPOPMIN key <popped>.
            PopGeneric(ctx, firstKey + i, 1, max, emitKey: true, count, nested: mpop, nilWhenEmpty: mpop,
                count == -1 ? PopRewrite.Key : PopRewrite.KeyAndCount);
            return;
        }
        if (BlockingRegistry.DenyBlocking(ctx))
        {
            // Redis treats it as a timeout, even with timeout 0.
            ctx.Reply.NullArray();
            return;
        }
        var keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++) keys[i] = ctx.Args.ToArray(firstKey + i);
        ctx.Engine.Blocking.Block(ctx, keys, timeoutAt, ServeBlocked, new ZSetWait(max, count, mpop));
    }

    /// <summary>
    /// Serves one client blocked on a key that became ready (Redis's serveClientsBlockedOnSortedSetKey): a key that
    /// is not a sorted set keeps the client waiting (7.0 serves only by the key's type); otherwise it propagates
    /// ZPOPMIN/ZPOPMAX [count], pops, replies as the command would have and deletes an emptied set.
    /// </summary>
    private static bool ServeBlocked(BlockingRegistry registry, BlockedRequest request, byte[] key)
    {
        var db = registry.Database(request.Db);
        if (db.Get(key) is not RedisSortedSet zset || zset.Count == 0) return false;
        var wait = (ZSetWait)request.State!;
        long popped = wait.Count == -1 ? 1 : Math.Min(wait.Count, zset.Count);
        var name = wait.Max ? ZPopMaxName : ZPopMinName;
        if (wait.Count == -1) registry.Propagate(request.Db, popped, name, key);
        else registry.Propagate(request.Db, popped, name, key, ListCommands.FormatLong(popped));
        WritePop(request.Client.Writer, zset, key, wait.Max, emitKey: true, wait.Count, nested: wait.MPop);
        if (zset.Count == 0) db.Remove(key);
        else db.SignalModified(key);
        return true;
    }
}
