// Generic key family (Redis's "generic" group, src/db.c): DEL, UNLINK, EXISTS, TYPE, TOUCH, RANDOMKEY, RENAME,
// RENAMENX, MOVE, COPY, SWAPDB. Expiry commands are in KeyCommands.Expire.cs, KEYS/SCAN in KeyCommands.Scan.cs,
// OBJECT in KeyCommands.Object.cs. Every type works through ValueTypes / RedisCollection.
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class KeyCommands
{
    public static void Register(CommandTable t)
    {
        const CommandFlags w = CommandFlags.Write;
        const CommandFlags ro = CommandFlags.ReadOnly;
        const CommandFlags fast = CommandFlags.Fast;
        t.Add("del", -2, w, Del, (1, -1, 1));
        t.Add("unlink", -2, w | fast, Del, (1, -1, 1));
        t.Add("exists", -2, ro | fast, Exists, (1, -1, 1));
        t.Add("type", 2, ro | fast, Type, (1, 1, 1));
        t.Add("touch", -2, ro | fast, Touch, (1, -1, 1));
        t.Add("randomkey", 1, ro, RandomKey);
        t.Add("rename", 3, w, Rename, (1, 2, 1));
        t.Add("renamenx", 3, w | fast, RenameNx, (1, 2, 1));
        t.Add("move", 3, w | fast, Move, (1, 1, 1));
        t.Add("copy", -3, w | CommandFlags.DenyOom, Copy, (1, 2, 1));
        t.Add("swapdb", 3, w | fast, SwapDb, group: "server");
        RegisterExpire(t);
        RegisterScan(t);
        RegisterObject(t);
    }

    /// <summary>DEL and UNLINK (memory is freed by the GC either way; both propagate as sent).</summary>
    private static void Del(CommandContext ctx)
    {
        var db = ctx.Db;
        long n = 0;
        for (int i = 1; i < ctx.Args.Count; i++)
        {
            var key = ctx.Args[i];
            // expireIfNeeded first: an expired key is deleted as expired (propagated DEL) and not counted.
            if (db.ExpiresCount != 0) db.Peek(key);
            if (db.Remove(key)) n++;
        }
        ctx.MarkDirty(n);
        ctx.Reply.Integer(n);
    }

    private static void Exists(CommandContext ctx)
    {
        long n = 0;
        for (int i = 1; i < ctx.Args.Count; i++)
            if (ctx.LookupReadNoTouch(ctx.Args[i]) is not null) n++;
        ctx.Reply.Integer(n);
    }

    private static void Touch(CommandContext ctx)
    {
        long n = 0;
        for (int i = 1; i < ctx.Args.Count; i++)
            if (ctx.LookupRead(ctx.Args[i]) is not null) n++;
        ctx.Reply.Integer(n);
    }

    private static void Type(CommandContext ctx)
    {
        var value = ctx.LookupReadNoTouch(ctx.Args[1]);
        ctx.Reply.SimpleString(value is null ? "none" : ValueTypes.TypeName(value));
    }

    private static void RandomKey(CommandContext ctx)
    {
        var key = ctx.Db.RandomKey(ctx.Engine.Random);
        if (key is null) ctx.Reply.Null();
        else ctx.Reply.Bulk(key);
    }

    private static void Rename(CommandContext ctx) => RenameGeneric(ctx, nx: false);

    private static void RenameNx(CommandContext ctx) => RenameGeneric(ctx, nx: true);

    private static void RenameGeneric(CommandContext ctx, bool nx)
    {
        var src = ctx.Args[1];
        var dst = ctx.Args[2];
        var db = ctx.Db;
        bool sameKey = src.SequenceEqual(dst);
        if (ctx.LookupWrite(src) is null)
        {
            ctx.Reply.Error(Errors.NoSuchKey);
            return;
        }
        if (sameKey)
        {
            // Same name: nothing to do, but a missing key was still an error above.
            if (nx) ctx.Reply.Integer(0);
            else ctx.Reply.Ok();
            return;
        }
        if (ctx.LookupWrite(dst) is not null)
        {
            if (nx)
            {
                ctx.Reply.Integer(0);
                return;
            }
            db.Remove(dst);
        }
        db.Remove(src, out var value, out long expireAt);
        db.Set(dst, value!);
        if (expireAt != -1) db.SetExpire(dst, expireAt);
        ctx.MarkDirty();
        if (nx) ctx.Reply.Integer(1);
        else ctx.Reply.Ok();
    }

    /// <summary>getIntFromObjectOrReply's text for a valid 64-bit integer outside the int range.</summary>
    private const string IntRangeError = "ERR value is out of range, value must between -2147483648 and 2147483647";

    /// <summary>Parses a db index like getIntFromObjectOrReply + selectDb: an integer, an int, then in range.</summary>
    private static bool TryGetDbIndex(CommandContext ctx, int argIndex, out int db)
    {
        db = 0;
        if (!ctx.TryGetLong(argIndex, out long v)) return false;
        if (v < int.MinValue || v > int.MaxValue)
        {
            ctx.Reply.Error(IntRangeError);
            return false;
        }
        if (v < 0 || v >= ctx.Keyspace.DatabaseCount)
        {
            ctx.Reply.Error(Errors.DbIndexOutOfRange);
            return false;
        }
        db = (int)v;
        return true;
    }

    private static void Move(CommandContext ctx)
    {
        if (!TryGetDbIndex(ctx, 2, out int dstIndex)) return;
        var src = ctx.Db;
        var dst = ctx.Keyspace[dstIndex];
        if (dstIndex == ctx.Client.Db)
        {
            ctx.Reply.Error(Errors.SameObject);
            return;
        }
        var key = ctx.Args[1];
        if (ctx.LookupWrite(key) is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        if (dst.Get(key) is not null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        src.Remove(key, out var value, out long expireAt);
        dst.Set(key, value!);
        if (expireAt != -1) dst.SetExpire(key, expireAt);
        ctx.MarkDirty();
        ctx.Reply.Integer(1);
    }

    private static void Copy(CommandContext ctx)
    {
        int dstIndex = ctx.Client.Db;
        bool replace = false;
        for (int j = 3; j < ctx.Args.Count; j++)
        {
            int additional = ctx.Args.Count - j - 1;
            if (ctx.Args.Is(j, "replace")) replace = true;
            else if (ctx.Args.Is(j, "db") && additional >= 1)
            {
                if (!TryGetDbIndex(ctx, j + 1, out dstIndex)) return;
                j++;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        var key = ctx.Args[1];
        var newKey = ctx.Args[2];
        if (dstIndex == ctx.Client.Db && key.SequenceEqual(newKey))
        {
            ctx.Reply.Error(Errors.SameObject);
            return;
        }
        var value = ctx.LookupRead(key);
        if (value is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        long expireAt = ctx.Db.GetExpire(key);
        var dst = ctx.Keyspace[dstIndex];
        bool delete = false;
        if (dst.Get(newKey) is not null)
        {
            if (!replace)
            {
                ctx.Reply.Integer(0);
                return;
            }
            delete = true;
        }
        object copy = value switch
        {
            // Short arrays are shared (immutable, like a refcounted embstr; an INCRBYFLOAT mark follows them);
            // longer ones are copied, because SET may overwrite a key's long array in place.
            byte[] b => b.Length <= StringValue.MaxSharedLength ? b : StringValue.NewArray(b),
            MutableString m => new MutableString(m.Span),
            RedisCollection c => c.DeepClone(),
            _ => value,
        };
        if (delete) dst.Remove(newKey);
        dst.Set(newKey, copy);
        if (expireAt != -1) dst.SetExpire(newKey, expireAt);
        ctx.MarkDirty();
        ctx.Reply.Integer(1);
    }

    private static void SwapDb(CommandContext ctx)
    {
        if (!TryParseInt(ctx.Args[1], out int id1))
        {
            ctx.Reply.Error("ERR invalid first DB index");
            return;
        }
        if (!TryParseInt(ctx.Args[2], out int id2))
        {
            ctx.Reply.Error("ERR invalid second DB index");
            return;
        }
        int n = ctx.Keyspace.DatabaseCount;
        if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n)
        {
            ctx.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }
        if (id1 != id2)
        {
            // Watchers of either db see their keys replaced (Redis's touchAllWatchedKeysInDb on both sides).
            TransactionCommands.TouchAllWatched(ctx.Engine, id1, id2);
            TransactionCommands.TouchAllWatched(ctx.Engine, id2, id1);
            ctx.Keyspace.Swap(id1, id2);
            // Clients stay blocked in their db; keys they wait on may exist there now (Redis's dbSwapDatabases
            // runs scanDatabaseForReadyKeys on both dbs). They are served after this command.
            if (ctx.Engine.BlockingIfCreated is { } blocking)
            {
                blocking.ScanDatabaseForReadyKeys(id1);
                blocking.ScanDatabaseForReadyKeys(id2);
            }
        }
        ctx.MarkDirty();
        ctx.Reply.Ok();
    }

    private static bool TryParseInt(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        if (!RespParser.TryParseLong(s, out long v) || v < int.MinValue || v > int.MaxValue) return false;
        value = (int)v;
        return true;
    }
}
