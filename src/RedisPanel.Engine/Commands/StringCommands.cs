// String family (Redis's "string" group, src/t_string.c): SET and its variants through one SetCore, the GET
// variants, MGET/MSET. Numeric commands live in StringCommands.Numeric.cs, range/append/LCS in
// StringCommands.Range.cs. String values are immutable byte[] (shared freely, e.g. with snapshots) or a
// MutableString once grown in place by APPEND/SETRANGE.
using System.Buffers.Text;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class StringCommands
{
    // Words of rewritten commands (propagated as RESP; never mutated).
    private static readonly byte[] SetWord = "SET"u8.ToArray();
    private static readonly byte[] PxatWord = "PXAT"u8.ToArray();
    private static readonly byte[] KeepTtlWord = "KEEPTTL"u8.ToArray();
    private static readonly byte[] PexpireatWord = "PEXPIREAT"u8.ToArray();
    private static readonly byte[] PersistWord = "PERSIST"u8.ToArray();
    private static readonly byte[] DelWord = "DEL"u8.ToArray();

    public static void Register(CommandTable t)
    {
        const string g = "string";
        const CommandFlags w = CommandFlags.Write | CommandFlags.DenyOom;
        const CommandFlags ro = CommandFlags.ReadOnly;
        const CommandFlags fast = CommandFlags.Fast;
        t.Add("get", 2, ro | fast, Get, (1, 1, 1), g);
        t.Add("set", -3, w, Set, (1, 1, 1), g);
        t.Add("setnx", 3, w | fast, SetNx, (1, 1, 1), g);
        t.Add("setex", 4, w, SetEx, (1, 1, 1), g);
        t.Add("psetex", 4, w, PSetEx, (1, 1, 1), g);
        t.Add("getex", -2, CommandFlags.Write | fast, GetEx, (1, 1, 1), g);
        t.Add("getdel", 2, CommandFlags.Write | fast, GetDel, (1, 1, 1), g);
        t.Add("getset", 3, w | fast, GetSet, (1, 1, 1), g);
        t.Add("mget", -2, ro | fast, MGet, (1, -1, 1), g);
        t.Add("mset", -3, w, MSet, (1, -1, 2), g);
        t.Add("msetnx", -3, w, MSetNx, (1, -1, 2), g);
        t.Add("incr", 2, w | fast, Incr, (1, 1, 1), g);
        t.Add("decr", 2, w | fast, Decr, (1, 1, 1), g);
        t.Add("incrby", 3, w | fast, IncrBy, (1, 1, 1), g);
        t.Add("decrby", 3, w | fast, DecrBy, (1, 1, 1), g);
        t.Add("incrbyfloat", 3, w | fast, IncrByFloat, (1, 1, 1), g);
        t.Add("append", 3, w | fast, Append, (1, 1, 1), g);
        t.Add("strlen", 2, ro | fast, Strlen, (1, 1, 1), g);
        t.Add("getrange", 4, ro, GetRange, (1, 1, 1), g);
        t.Add("substr", 4, ro, GetRange, (1, 1, 1), g);
        t.Add("setrange", 4, w, SetRange, (1, 1, 1), g);
        t.Add("lcs", -3, ro, Lcs, (1, 2, 1), g);
    }

    /// <summary>The bytes of a string value; false for any other type (the caller replies WRONGTYPE).</summary>
    internal static bool TryGetString(object value, out ReadOnlySpan<byte> bytes)
    {
        if (value is byte[] b)
        {
            bytes = b;
            return true;
        }
        if (value is MutableString m)
        {
            bytes = m.Span;
            return true;
        }
        bytes = default;
        return false;
    }

    internal static byte[] FormatLong(long value)
    {
        Span<byte> tmp = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, tmp, out int n);
        return tmp[..n].ToArray();
    }

    // ---- GET family ----

    private static void Get(CommandContext ctx)
    {
        var value = ctx.LookupRead(ctx.Args[1]);
        if (value is null) ctx.Reply.Null();
        else if (TryGetString(value, out var bytes)) ctx.Reply.Bulk(bytes);
        else ctx.Reply.Error(Errors.WrongType);
    }

    /// <summary>Redis's getGenericCommand: replies the value (or null); false after a WRONGTYPE reply.</summary>
    private static bool GetGeneric(CommandContext ctx)
    {
        var value = ctx.LookupRead(ctx.Args[1]);
        if (value is null)
        {
            ctx.Reply.Null();
            return true;
        }
        if (!TryGetString(value, out var bytes))
        {
            ctx.Reply.Error(Errors.WrongType);
            return false;
        }
        ctx.Reply.Bulk(bytes);
        return true;
    }

    private static void MGet(CommandContext ctx)
    {
        // Redis replies null (not WRONGTYPE) for keys of other types.
        ctx.Reply.ArrayHeader(ctx.Args.Count - 1);
        for (int i = 1; i < ctx.Args.Count; i++)
        {
            var value = ctx.LookupRead(ctx.Args[i]);
            if (value is not null && TryGetString(value, out var bytes)) ctx.Reply.Bulk(bytes);
            else ctx.Reply.Null();
        }
    }

    private static void GetDel(CommandContext ctx)
    {
        if (!GetGeneric(ctx)) return;
        var key = ctx.Args[1];
        if (ctx.Db.Remove(key))
        {
            // Propagated as DEL (lazyfree-lazy-user-del is off by default).
            ctx.PropagateAs(DelWord, key.ToArray());
            ctx.MarkDirty();
        }
    }

    private static void GetSet(CommandContext ctx)
    {
        if (!GetGeneric(ctx)) return;
        var value = ctx.Args.ToArray(2);
        ctx.Db.Set(ctx.Args[1], value); // clears the TTL, as setKey without KEEPTTL
        ctx.MarkDirty();
        ctx.PropagateAs(SetWord, ctx.Args.ToArray(1), value);
    }

    private static void GetEx(CommandContext ctx)
    {
        var flags = SetFlags.None;
        int expireIndex = 0;
        if (!ParseExtended(ctx, forSet: false, ref flags, ref expireIndex)) return;
        var key = ctx.Args[1];
        var value = ctx.LookupRead(key);
        if (value is null)
        {
            ctx.Reply.Null();
            return;
        }
        if (!TryGetString(value, out var bytes))
        {
            ctx.Reply.Error(Errors.WrongType);
            return;
        }
        long ms = 0;
        if (expireIndex != 0 && !TryGetExpireMs(ctx, expireIndex, flags, out ms)) return;
        ctx.Reply.Bulk(bytes); // before the key may be deleted below

        if ((flags & (SetFlags.Pxat | SetFlags.Exat)) != 0 && IsAlreadyExpired(ctx, ms))
        {
            // An absolute time in the past deletes the key, propagated as DEL.
            ctx.Db.Remove(key);
            ctx.PropagateAs(DelWord, key.ToArray());
            ctx.MarkDirty();
        }
        else if (expireIndex != 0)
        {
            ctx.Db.SetExpire(key, ms);
            ctx.PropagateAs(PexpireatWord, key.ToArray(), FormatLong(ms));
            ctx.MarkDirty();
        }
        else if ((flags & SetFlags.Persist) != 0 && ctx.Db.RemoveExpire(key))
        {
            ctx.PropagateAs(PersistWord, key.ToArray());
            ctx.MarkDirty();
        }
    }

    /// <summary>Redis's checkAlreadyExpired: a past absolute time deletes the key, except on replicas and while loading.</summary>
    internal static bool IsAlreadyExpired(CommandContext ctx, long whenMs) =>
        whenMs <= ctx.NowMs && !ctx.Engine.Loading && !ctx.Keyspace.IsReplica;

    // ---- SET family ----

    [Flags]
    private enum SetFlags
    {
        None = 0,
        Nx = 1 << 0,
        Xx = 1 << 1,
        Ex = 1 << 2,
        Px = 1 << 3,
        KeepTtl = 1 << 4,
        Get = 1 << 5,
        Exat = 1 << 6,
        Pxat = 1 << 7,
        Persist = 1 << 8,
    }

    private enum SetReply { Ok, Integer }

    private static void Set(CommandContext ctx)
    {
        var flags = SetFlags.None;
        int expireIndex = 0;
        if (ctx.Args.Count > 3 && !ParseExtended(ctx, forSet: true, ref flags, ref expireIndex)) return;
        SetCore(ctx, flags, 2, expireIndex, SetReply.Ok);
    }

    private static void SetNx(CommandContext ctx) => SetCore(ctx, SetFlags.Nx, 2, 0, SetReply.Integer);

    private static void SetEx(CommandContext ctx) => SetCore(ctx, SetFlags.Ex, 3, 2, SetReply.Ok);

    private static void PSetEx(CommandContext ctx) => SetCore(ctx, SetFlags.Px, 3, 2, SetReply.Ok);

    /// <summary>
    /// Redis's setGenericCommand, shared by SET, SETNX, SETEX and PSETEX. <paramref name="expireIndex"/> is the
    /// argument holding the EX/PX/EXAT/PXAT value (0 for none).
    /// </summary>
    private static void SetCore(CommandContext ctx, SetFlags flags, int valueIndex, int expireIndex, SetReply replyKind)
    {
        long ms = 0;
        if (expireIndex != 0 && !TryGetExpireMs(ctx, expireIndex, flags, out ms)) return;
        bool get = (flags & SetFlags.Get) != 0;
        if (get && !GetGeneric(ctx)) return;

        var key = ctx.Args[1];
        var db = ctx.Db;
        if ((flags & (SetFlags.Nx | SetFlags.Xx)) != 0)
        {
            bool found = ctx.LookupWrite(key) is not null;
            if (((flags & SetFlags.Nx) != 0 && found) || ((flags & SetFlags.Xx) != 0 && !found))
            {
                if (!get)
                {
                    if (replyKind == SetReply.Integer) ctx.Reply.Integer(0);
                    else ctx.Reply.Null();
                }
                return;
            }
        }
        else if (db.ExpiresCount != 0)
        {
            // lookupKeyWrite: an expired key is deleted (and its DEL propagated) before being replaced.
            db.Peek(key);
        }

        var value = db.SetString(key, ctx.Args[valueIndex], keepTtl: (flags & SetFlags.KeepTtl) != 0);
        ctx.MarkDirty();

        if (expireIndex != 0)
        {
            db.SetExpire(key, ms);
            // Any relative or absolute expiry is propagated as SET key value PXAT <absolute ms>.
            ctx.PropagateAs(SetWord, key.ToArray(), value, PxatWord, FormatLong(ms));
        }

        if (!get)
        {
            if (replyKind == SetReply.Integer) ctx.Reply.Integer(1);
            else ctx.Reply.Ok();
        }
        else if (expireIndex == 0)
        {
            // Propagated without the GET tokens (every "GET" from the fourth argument on, as Redis does).
            var args = new List<byte[]>(ctx.Args.Count);
            for (int j = 0; j < ctx.Args.Count; j++)
            {
                if (j >= 3 && ctx.Args.Is(j, "get")) continue;
                args.Add(ctx.Args.ToArray(j));
            }
            ctx.PropagateAs(args.ToArray());
        }
    }

    /// <summary>
    /// Redis's parseExtendedStringArgumentsOrReply for SET (options from argument 3) and GETEX (from 2), with
    /// its exact conflict rules (e.g. "EX 1 EX 2" is accepted, "EX 1 PX 2" is a syntax error).
    /// </summary>
    private static bool ParseExtended(CommandContext ctx, bool forSet, ref SetFlags flags, ref int expireIndex)
    {
        var a = ctx.Args;
        const SetFlags anyExpire = SetFlags.Ex | SetFlags.Px | SetFlags.Exat | SetFlags.Pxat;
        for (int j = forSet ? 3 : 2; j < a.Count; j++)
        {
            bool hasNext = j < a.Count - 1;
            if (forSet && a.Is(j, "nx") && (flags & SetFlags.Xx) == 0) flags |= SetFlags.Nx;
            else if (forSet && a.Is(j, "xx") && (flags & SetFlags.Nx) == 0) flags |= SetFlags.Xx;
            else if (forSet && a.Is(j, "get")) flags |= SetFlags.Get;
            else if (forSet && a.Is(j, "keepttl") && (flags & (SetFlags.Persist | anyExpire)) == 0) flags |= SetFlags.KeepTtl;
            else if (!forSet && a.Is(j, "persist") && (flags & (anyExpire | SetFlags.KeepTtl)) == 0) flags |= SetFlags.Persist;
            else if (a.Is(j, "ex") && hasNext && (flags & (SetFlags.KeepTtl | SetFlags.Persist | SetFlags.Exat | SetFlags.Px | SetFlags.Pxat)) == 0)
            {
                flags |= SetFlags.Ex;
                expireIndex = ++j;
            }
            else if (a.Is(j, "px") && hasNext && (flags & (SetFlags.KeepTtl | SetFlags.Persist | SetFlags.Ex | SetFlags.Exat | SetFlags.Pxat)) == 0)
            {
                flags |= SetFlags.Px;
                expireIndex = ++j;
            }
            else if (a.Is(j, "exat") && hasNext && (flags & (SetFlags.KeepTtl | SetFlags.Persist | SetFlags.Ex | SetFlags.Px | SetFlags.Pxat)) == 0)
            {
                flags |= SetFlags.Exat;
                expireIndex = ++j;
            }
            else if (a.Is(j, "pxat") && hasNext && (flags & (SetFlags.KeepTtl | SetFlags.Persist | SetFlags.Ex | SetFlags.Exat | SetFlags.Px)) == 0)
            {
                flags |= SetFlags.Pxat;
                expireIndex = ++j;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Redis's getExpireMillisecondsOrReply: the absolute expiry in ms; zero or negative values, and overflow in
    /// the unit conversion or when adding the current time, reply "invalid expire time in '&lt;cmd&gt;' command".
    /// </summary>
    private static bool TryGetExpireMs(CommandContext ctx, int index, SetFlags flags, out long ms)
    {
        if (!ctx.TryGetLong(index, out ms)) return false;
        bool seconds = (flags & (SetFlags.Ex | SetFlags.Exat)) != 0;
        if (ms <= 0 || (seconds && ms > long.MaxValue / 1000))
        {
            ctx.Reply.Error(string.Format(Errors.InvalidExpire, ctx.Command.FullName));
            return false;
        }
        if (seconds) ms *= 1000;
        if ((flags & (SetFlags.Ex | SetFlags.Px)) != 0) ms = unchecked(ms + ctx.NowMs);
        if (ms <= 0)
        {
            ctx.Reply.Error(string.Format(Errors.InvalidExpire, ctx.Command.FullName));
            return false;
        }
        return true;
    }

    // ---- MSET ----

    private static void MSet(CommandContext ctx) => MSetGeneric(ctx, nx: false);

    private static void MSetNx(CommandContext ctx) => MSetGeneric(ctx, nx: true);

    private static void MSetGeneric(CommandContext ctx, bool nx)
    {
        int argc = ctx.Args.Count;
        if (argc % 2 == 0)
        {
            ctx.WrongArity();
            return;
        }
        var db = ctx.Db;
        if (nx)
        {
            // MSETNX sets nothing when any key exists.
            for (int j = 1; j < argc; j += 2)
            {
                if (ctx.LookupWrite(ctx.Args[j]) is not null)
                {
                    ctx.Reply.Integer(0);
                    return;
                }
            }
        }
        for (int j = 1; j < argc; j += 2)
        {
            var key = ctx.Args[j];
            if (db.ExpiresCount != 0) db.Peek(key); // expire (and propagate DEL) before overwriting, as setKey's lookup
            db.SetString(key, ctx.Args[j + 1]);
        }
        ctx.MarkDirty((argc - 1) / 2);
        if (nx) ctx.Reply.Integer(1);
        else ctx.Reply.Ok();
    }
}
