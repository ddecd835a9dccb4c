// INCR, DECR, INCRBY, DECRBY (64-bit integers with Redis's overflow errors) and INCRBYFLOAT (x87 long double,
// see LongDouble.cs). Counters keep the key's TTL, like Redis's dbOverwrite.
using System.Runtime.CompilerServices;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class StringCommands
{
    private static void Incr(CommandContext ctx) => IncrDecr(ctx, 1);

    private static void Decr(CommandContext ctx) => IncrDecr(ctx, -1);

    private static void IncrBy(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long incr)) return;
        IncrDecr(ctx, incr);
    }

    private static void DecrBy(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long incr)) return;
        if (incr == long.MinValue)
        {
            // Negating LLONG_MIN would overflow.
            ctx.Reply.Error("ERR decrement would overflow");
            return;
        }
        IncrDecr(ctx, -incr);
    }

    private static void IncrDecr(CommandContext ctx, long incr)
    {
        var key = ctx.Args[1];
        var db = ctx.Db;
        ref ValueSlot slot = ref db.GetSlot(key);
        bool exists = !Unsafe.IsNullRef(ref slot);
        long value = 0;
        if (exists)
        {
            if (!TryGetString(slot.Value, out var text))
            {
                ctx.Reply.Error(Errors.WrongType);
                return;
            }
            if (!RespParser.TryParseLong(text, out value))
            {
                ctx.Reply.Error(Errors.NotInteger);
                return;
            }
        }
        if ((incr < 0 && value < 0 && incr < long.MinValue - value) ||
            (incr > 0 && value > 0 && incr > long.MaxValue - value))
        {
            ctx.Reply.Error(Errors.IncrOverflow);
            return;
        }
        value += incr;
        var stored = FormatLong(value);
        StoreResult(ctx, ref slot, exists, key, stored);
        ctx.Reply.Integer(value);
    }

    /// <summary>
    /// Writes a numeric result back: in place when the key exists (keeping its TTL, as INCR and INCRBYFLOAT do),
    /// else as a new key; counts the change.
    /// </summary>
    private static void StoreResult(CommandContext ctx, ref ValueSlot slot, bool exists, ReadOnlySpan<byte> key, byte[] stored)
    {
        if (exists)
        {
            slot.Value = stored; // GetSlot touched the access time
            ctx.Db.SignalModified(key);
        }
        else
        {
            ctx.Db.Add(key, stored);
        }
        ctx.MarkDirty();
    }

    private static void IncrByFloat(CommandContext ctx)
    {
        var key = ctx.Args[1];
        var db = ctx.Db;
        ref ValueSlot slot = ref db.GetSlot(key);
        bool exists = !Unsafe.IsNullRef(ref slot);
        LongDouble value = default;
        if (exists)
        {
            if (!TryGetString(slot.Value, out var text))
            {
                ctx.Reply.Error(Errors.WrongType);
                return;
            }
            if (!LongDouble.TryParse(text, out value))
            {
                ctx.Reply.Error(Errors.NotFloat);
                return;
            }
        }
        if (!LongDouble.TryParse(ctx.Args[2], out var incr))
        {
            ctx.Reply.Error(Errors.NotFloat);
            return;
        }
        var sum = LongDouble.Add(value, incr);
        if (sum.Infinite)
        {
            ctx.Reply.Error(Errors.IncrNaNOrInf);
            return;
        }
        // Redis stores the result as a string object, not int-encoded: OBJECT ENCODING says embstr even for "3".
        var stored = StringValue.MarkCreatedAsText(sum.ToHumanString());
        StoreResult(ctx, ref slot, exists, key, stored);
        ctx.Reply.Bulk(stored);
        // Always propagated as SET key <result> KEEPTTL, so float formatting never diverges on replicas.
        ctx.PropagateAs(SetWord, key.ToArray(), stored, KeepTtlWord);
    }
}
