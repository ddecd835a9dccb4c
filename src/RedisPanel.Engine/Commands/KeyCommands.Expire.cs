// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX XX GT LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST
// (Redis's src/expire.c). Relative expiries propagate as PEXPIREAT with the absolute time; a time already in
// the past deletes the key and propagates DEL, as Redis 7.0 does.
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class KeyCommands
{
    private static readonly byte[] PexpireatWord = "PEXPIREAT"u8.ToArray();
    private static readonly byte[] DelWord = "DEL"u8.ToArray();

    private static void RegisterExpire(CommandTable t)
    {
        const CommandFlags wf = CommandFlags.Write | CommandFlags.Fast;
        const CommandFlags rf = CommandFlags.ReadOnly | CommandFlags.Fast;
        t.Add("expire", -3, wf, ctx => ExpireGeneric(ctx, ctx.NowMs, seconds: true), (1, 1, 1));
        t.Add("pexpire", -3, wf, ctx => ExpireGeneric(ctx, ctx.NowMs, seconds: false), (1, 1, 1));
        t.Add("expireat", -3, wf, ctx => ExpireGeneric(ctx, 0, seconds: true), (1, 1, 1));
        t.Add("pexpireat", -3, wf, ctx => ExpireGeneric(ctx, 0, seconds: false), (1, 1, 1));
        t.Add("ttl", 2, rf, ctx => TtlGeneric(ctx, ms: false, absolute: false), (1, 1, 1));
        t.Add("pttl", 2, rf, ctx => TtlGeneric(ctx, ms: true, absolute: false), (1, 1, 1));
        t.Add("expiretime", 2, rf, ctx => TtlGeneric(ctx, ms: false, absolute: true), (1, 1, 1));
        t.Add("pexpiretime", 2, rf, ctx => TtlGeneric(ctx, ms: true, absolute: true), (1, 1, 1));
        t.Add("persist", 2, wf, Persist, (1, 1, 1));
    }

    [Flags]
    private enum ExpireFlags { None = 0, Nx = 1, Xx = 2, Gt = 4, Lt = 8 }

    /// <summary>
    /// Redis's expireGenericCommand. <paramref name="baseMs"/> is the current time for relative variants and 0
    /// for the *AT variants; <paramref name="seconds"/> gives the unit of the argument.
    /// </summary>
    private static void ExpireGeneric(CommandContext ctx, long baseMs, bool seconds)
    {
        var flags = ExpireFlags.None;
        for (int j = 3; j < ctx.Args.Count; j++)
        {
            if (ctx.Args.Is(j, "nx")) flags |= ExpireFlags.Nx;
            else if (ctx.Args.Is(j, "xx")) flags |= ExpireFlags.Xx;
            else if (ctx.Args.Is(j, "gt")) flags |= ExpireFlags.Gt;
            else if (ctx.Args.Is(j, "lt")) flags |= ExpireFlags.Lt;
            else
            {
                ctx.Reply.Error("ERR Unsupported option " + ctx.Args.GetString(j));
                return;
            }
        }
        if ((flags & ExpireFlags.Nx) != 0 && (flags & (ExpireFlags.Xx | ExpireFlags.Gt | ExpireFlags.Lt)) != 0)
        {
            ctx.Reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if ((flags & ExpireFlags.Gt) != 0 && (flags & ExpireFlags.Lt) != 0)
        {
            ctx.Reply.Error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        if (!ctx.TryGetLong(2, out long when)) return;
        if (seconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
            {
                InvalidExpire(ctx);
                return;
            }
            when *= 1000;
        }
        if (when > long.MaxValue - baseMs)
        {
            InvalidExpire(ctx);
            return;
        }
        when += baseMs;

        var key = ctx.Args[1];
        var db = ctx.Db;
        if (ctx.LookupWrite(key) is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        if (flags != ExpireFlags.None)
        {
            long current = db.GetExpire(key);
            bool refuse =
                ((flags & ExpireFlags.Nx) != 0 && current != -1) ||
                ((flags & ExpireFlags.Xx) != 0 && current == -1) ||
                // No TTL counts as infinite: GT always fails on it, LT always succeeds.
                ((flags & ExpireFlags.Gt) != 0 && (when <= current || current == -1)) ||
                ((flags & ExpireFlags.Lt) != 0 && current != -1 && when >= current);
            if (refuse)
            {
                ctx.Reply.Integer(0);
                return;
            }
        }
        if (StringCommands.IsAlreadyExpired(ctx, when))
        {
            db.Remove(key);
            ctx.MarkDirty();
            ctx.PropagateAs(DelWord, key.ToArray());
            ctx.Reply.Integer(1);
            return;
        }
        db.SetExpire(key, when);
        ctx.MarkDirty();
        ctx.Reply.Integer(1);
        // Propagated as PEXPIREAT key <absolute ms> with the original options kept.
        var args = ctx.Args.ToArrays();
        args[0] = PexpireatWord;
        args[2] = StringCommands.FormatLong(when);
        ctx.PropagateAs(args);
    }

    private static void InvalidExpire(CommandContext ctx) =>
        ctx.Reply.Error(string.Format(Errors.InvalidExpire, ctx.Command.FullName));

    private static void TtlGeneric(CommandContext ctx, bool ms, bool absolute)
    {
        var key = ctx.Args[1];
        if (ctx.LookupReadNoTouch(key) is null)
        {
            ctx.Reply.Integer(-2);
            return;
        }
        long expire = ctx.Db.GetExpire(key);
        if (expire == -1)
        {
            ctx.Reply.Integer(-1);
            return;
        }
        long ttl = absolute ? expire : expire - ctx.NowMs;
        if (ttl < 0) ttl = 0;
        ctx.Reply.Integer(ms ? ttl : (ttl + 500) / 1000);
    }

    private static void Persist(CommandContext ctx)
    {
        var key = ctx.Args[1];
        if (ctx.LookupWrite(key) is not null && ctx.Db.RemoveExpire(key))
        {
            ctx.MarkDirty();
            ctx.Reply.Integer(1);
        }
        else ctx.Reply.Integer(0);
    }
}
