// Persistence commands (Redis's rdb.c / cluster.c / debug.c): SAVE, BGSAVE [SCHEDULE], DUMP, RESTORE, and the
// DEBUG subcommands DIGEST, DIGEST-VALUE and RELOAD. LASTSAVE stays in the server family (it reads the same state).
using System.Globalization;
using RedisPanel.Protocol;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Engine.Commands;

public static class PersistenceCommands
{
    public static void Register(CommandTable t)
    {
        const CommandFlags admin = CommandFlags.Admin | CommandFlags.NoScript;
        t.Add("save", 1, admin | CommandFlags.NoMulti, Save, group: "server");
        t.Add("bgsave", -1, admin, Bgsave, group: "server");
        t.Add("bgrewriteaof", 1, admin, Bgrewriteaof, group: "server");
        t.Add("dump", 2, CommandFlags.ReadOnly, Dump, (1, 1, 1));
        t.Add("restore", -4, CommandFlags.Write | CommandFlags.DenyOom, Restore, (1, 1, 1));
    }

    private static void Save(CommandContext ctx)
    {
        if (ctx.Engine.BgsaveInProgress)
        {
            ctx.Reply.Error("ERR Background save already in progress");
            return;
        }
        if (ctx.Engine.SaveNow() is null) ctx.Reply.Ok();
        else ctx.Reply.Error("ERR"); // shared.err
    }

    private static void Bgsave(CommandContext ctx)
    {
        bool schedule = false;
        if (ctx.Args.Count > 1)
        {
            if (ctx.Args.Count == 2 && ctx.Args.Is(1, "schedule")) schedule = true;
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        var e = ctx.Engine;
        if (e.BgsaveInProgress)
        {
            ctx.Reply.Error("ERR Background save already in progress");
            return;
        }
        // Inside EXEC Redis never forks: the save is scheduled for the cron (bgsaveCommand's in_exec branch).
        if (e.CallDepth > 1)
        {
            e.ScheduleBackgroundSave();
            ctx.Reply.SimpleString("Background saving scheduled");
            return;
        }
        if (e.AofRewriteInProgress)
        {
            // One "child" at a time, as Redis (hasActiveChildProcess): the AOF rewrite blocks a BGSAVE.
            if (schedule)
            {
                e.ScheduleBackgroundSave();
                ctx.Reply.SimpleString("Background saving scheduled");
            }
            else ctx.Reply.Error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
            return;
        }
        if (e.StartBackgroundSave() is { } error) ctx.Reply.Error(error);
        else ctx.Reply.SimpleString("Background saving started");
    }

    /// <summary>BGREWRITEAOF (bgrewriteaofCommand): started, scheduled behind a running BGSAVE, or already running.</summary>
    private static void Bgrewriteaof(CommandContext ctx)
    {
        var e = ctx.Engine;
        switch (e.StartAofRewrite())
        {
            case null: ctx.Reply.SimpleString("Background append only file rewriting started"); break;
            case "scheduled": ctx.Reply.SimpleString("Background append only file rewriting scheduled"); break;
            case var error: ctx.Reply.Error(error); break;
        }
    }

    private static void Dump(CommandContext ctx)
    {
        var value = ctx.LookupRead(ctx.Args[1]);
        if (value is null)
        {
            ctx.Reply.Null();
            return;
        }
        ctx.Reply.Bulk(RdbWriter.CreateDumpPayload(value, ctx.Engine.Config.RdbCompression));
    }

    /// <summary>RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], in restoreCommand's order of checks.</summary>
    private static void Restore(CommandContext ctx)
    {
        var a = ctx.Args;
        bool replace = false, absTtl = false;
        long idle = -1, freq = -1;
        for (int j = 4; j < a.Count; j++)
        {
            int additional = a.Count - j - 1;
            if (a.Is(j, "replace")) replace = true;
            else if (a.Is(j, "absttl")) absTtl = true;
            else if (a.Is(j, "idletime") && additional >= 1 && freq == -1)
            {
                if (!ctx.TryGetLong(j + 1, out idle)) return;
                if (idle < 0)
                {
                    ctx.Reply.Error("ERR Invalid IDLETIME value, must be >= 0");
                    return;
                }
                j++;
            }
            else if (a.Is(j, "freq") && additional >= 1 && idle == -1)
            {
                if (!ctx.TryGetLong(j + 1, out freq)) return;
                if (freq is < 0 or > 255)
                {
                    ctx.Reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
                    return;
                }
                j++;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        var key = a[1];
        var db = ctx.Db;
        if (!replace && ctx.LookupWrite(key) is not null)
        {
            ctx.Reply.Error("BUSYKEY Target key name already exists.");
            return;
        }
        if (!ctx.TryGetLong(2, out long ttl)) return;
        if (ttl < 0)
        {
            ctx.Reply.Error("ERR Invalid TTL value, must be >= 0");
            return;
        }
        object? value;
        try
        {
            value = RdbReader.ReadDumpPayload(a[3].ToArray(), ctx.Engine.EncodingLimits);
        }
        catch (RdbFormatException)
        {
            ctx.Reply.Error("ERR Bad data format");
            return;
        }
        if (value is null)
        {
            ctx.Reply.Error("ERR DUMP payload version or checksum are wrong");
            return;
        }
        bool deleted = replace && db.Remove(key);
        if (ttl != 0 && !absTtl) ttl += ctx.NowMs;
        if (ttl != 0 && ttl < ctx.NowMs && !ctx.Keyspace.IsReplica)
        {
            // Already expired: nothing is created; a replaced key is deleted and that is what propagates.
            if (deleted)
            {
                ctx.PropagateAs("DEL"u8.ToArray(), key.ToArray());
                ctx.MarkDirty();
            }
            else ctx.SuppressPropagation();
            ctx.Reply.Ok();
            return;
        }
        db.Add(key, value);
        if (ttl != 0)
        {
            db.SetExpire(key, ttl);
            if (!absTtl)
            {
                // Propagated with the absolute time, as Redis rewrites the TTL argument and appends ABSTTL.
                var args = new byte[a.Count + 1][];
                for (int i = 0; i < a.Count; i++) args[i] = a[i].ToArray();
                args[2] = System.Text.Encoding.ASCII.GetBytes(ttl.ToString(CultureInfo.InvariantCulture));
                args[^1] = "ABSTTL"u8.ToArray();
                ctx.PropagateAs(args);
            }
        }
        if (idle >= 0)
        {
            uint clock = ctx.Keyspace.LruClock;
            db.SetAccessClock(key, idle >= clock ? 0 : clock - (uint)idle);
        }
        ctx.MarkDirty();
        ctx.Reply.Ok();
    }

    /// <summary>DEBUG DIGEST / DIGEST-VALUE / RELOAD; false when the subcommand is not one of these.</summary>
    public static bool TryDebug(CommandContext ctx)
    {
        var a = ctx.Args;
        if (a.Is(1, "digest") && a.Count == 2)
        {
            ctx.Reply.SimpleString(DatasetDigest.Hex(DatasetDigest.Compute(ctx.Keyspace)));
            return true;
        }
        if (a.Is(1, "digest-value"))
        {
            ctx.Reply.ArrayHeader(a.Count - 2);
            for (int j = 2; j < a.Count; j++) ctx.Reply.SimpleString(DatasetDigest.Hex(DatasetDigest.ValueDigest(ctx.Db, a[j])));
            return true;
        }
        if (a.Is(1, "reload"))
        {
            DebugReload(ctx);
            return true;
        }
        if (a.Is(1, "loadaof"))
        {
            // debug.c: flush the AOF, empty the dataset, load the AOF back; Redis exits when that fails.
            if (ctx.Engine.DebugLoadAof() is { } error) ctx.Reply.Error("ERR Error loading the AOF: " + error);
            else ctx.Reply.Ok();
            return true;
        }
        return false;
    }

    /// <summary>DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load the dump back (debug.c).</summary>
    private static void DebugReload(CommandContext ctx)
    {
        bool save = true;
        for (int j = 2; j < ctx.Args.Count; j++)
        {
            if (ctx.Args.Is(j, "nosave")) save = false;
            else if (ctx.Args.Is(j, "merge") || ctx.Args.Is(j, "noflush"))
            {
                ctx.Reply.Error("ERR DEBUG RELOAD MERGE/NOFLUSH are not supported"); // our load always replaces the dataset
                return;
            }
            else
            {
                ctx.Reply.Error("ERR Invalid option");
                return;
            }
        }
        var e = ctx.Engine;
        if (save && e.SaveNow() is not null)
        {
            ctx.Reply.Error("ERR");
            return;
        }
        try
        {
            e.LoadDump(e.RdbPath);
        }
        catch (Exception ex) when (ex is RdbFormatException or IOException)
        {
            ctx.Reply.Error("ERR Error trying to load the RDB dump, check server logs.");
            return;
        }
        ctx.Reply.Ok();
    }
}
