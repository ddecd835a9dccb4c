// Redis's key lookups (lookupKeyRead / lookupKeyReadWithFlags / lookupKeyWrite in src/db.c): every one applies
// lazy expiry; read lookups also count keyspace hits and misses (INFO stats), write lookups do not.
using RedisPanel.Storage;

namespace RedisPanel.Engine;

public static class KeyLookup
{
    /// <summary>lookupKeyRead: the live value or null; touches the access time and counts a hit or a miss.</summary>
    public static object? LookupRead(this CommandContext ctx, ReadOnlySpan<byte> key)
    {
        var value = ctx.Db.Get(key);
        if (value is null) ctx.Engine.Stats.KeyspaceMisses++;
        else ctx.Engine.Stats.KeyspaceHits++;
        return value;
    }

    /// <summary>lookupKeyReadWithFlags(LOOKUP_NOTOUCH) (EXISTS, TYPE, TTL, OBJECT): counts but keeps the access time.</summary>
    public static object? LookupReadNoTouch(this CommandContext ctx, ReadOnlySpan<byte> key) => LookupReadNoTouch(ctx, ctx.Db, key);

    /// <inheritdoc cref="LookupReadNoTouch(CommandContext, ReadOnlySpan{byte})"/>
    public static object? LookupReadNoTouch(this CommandContext ctx, RedisDatabase db, ReadOnlySpan<byte> key)
    {
        var value = db.Peek(key);
        if (value is null) ctx.Engine.Stats.KeyspaceMisses++;
        else ctx.Engine.Stats.KeyspaceHits++;
        return value;
    }

    /// <summary>lookupKeyWrite: the live value or null; no statistics (Redis counts only read lookups).</summary>
    public static object? LookupWrite(this CommandContext ctx, ReadOnlySpan<byte> key) => ctx.Db.Get(key);
}
