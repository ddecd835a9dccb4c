// Server family (Redis's "server" group): DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE, SHUTDOWN, ROLE, MONITOR,
// SLOWLOG, and shared helpers. INFO is in InfoCommand.cs, COMMAND in CommandCommand.cs, DEBUG and MEMORY in
// DebugCommand.cs. CONFIG belongs to ConfigCommands; SWAPDB to KeyCommands.
using RedisPanel.Protocol;

namespace RedisPanel.Engine.Commands;

public static partial class ServerCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "server";
        const CommandFlags adminCmd = CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
        t.Add("dbsize", 1, CommandFlags.ReadOnly | CommandFlags.Fast, ctx => ctx.Reply.Integer(ctx.Db.Count), group: g);
        t.Add("flushdb", -1, CommandFlags.Write, FlushDb, group: g);
        t.Add("flushall", -1, CommandFlags.Write, FlushAll, group: g);
        t.Add("time", 1, CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast, Time, group: g);
        t.Add("lastsave", 1, CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast,
            ctx => ctx.Reply.Integer(ctx.Engine.LastSaveUnixSeconds), group: g);
        t.Add("shutdown", -1, adminCmd | CommandFlags.NoMulti | CommandFlags.AllowBusy, Shutdown, group: g);
        t.Add("role", 1, CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast, Role, group: g);
        t.Add("monitor", 1, adminCmd, Monitor, group: g);
        t.Add("info", -1, CommandFlags.Loading | CommandFlags.Stale, Info, group: g);

        var slowlog = t.AddContainer("slowlog", -2, CommandFlags.None, g);
        const CommandFlags slowAdmin = CommandFlags.Admin | CommandFlags.Loading | CommandFlags.Stale;
        t.AddSub(slowlog, "get", -2, slowAdmin, SlowlogGet);
        t.AddSub(slowlog, "len", 2, slowAdmin, ctx => ctx.Reply.Integer(ctx.Engine.SlowlogLength));
        t.AddSub(slowlog, "reset", 2, slowAdmin, ctx =>
        {
            ctx.Engine.SlowlogReset();
            ctx.Reply.Ok();
        });
        t.AddSub(slowlog, "help", 2, CommandFlags.Loading | CommandFlags.Stale, ctx => ReplyHelp(ctx, SlowlogHelp));

        RegisterCommand(t);
        RegisterDebug(t);
    }

    /// <summary>
    /// Redis's addReplyHelp: "&lt;CMD&gt; &lt;subcommand&gt; [&lt;arg&gt; [value] [opt] ...]. Subcommands are:", the lines, then
    /// HELP / "    Prints this help.", all as status replies.
    /// </summary>
    internal static void ReplyHelp(CommandContext ctx, string[] lines)
    {
        var r = ctx.Reply;
        r.ArrayHeader(lines.Length + 3);
        r.SimpleString($"{ctx.Args.GetString(0).ToUpperInvariant()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (var line in lines) r.SimpleString(line);
        r.SimpleString("HELP"u8);
        r.SimpleString("    Prints this help."u8);
    }

    /// <summary>The generic error of Redis's addReplySubcommandSyntaxError.</summary>
    internal static void SubcommandSyntaxError(CommandContext ctx)
    {
        string sub = ctx.Args.GetString(1);
        if (sub.Length > 128) sub = sub[..128];
        ctx.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {ctx.Args.GetString(0).ToUpperInvariant()} HELP.");
    }

    /// <summary>getFlushCommandFlags: no argument, SYNC or ASYNC (the flush is synchronous either way here).</summary>
    private static bool ParseFlushFlags(CommandContext ctx)
    {
        if (ctx.Args.Count > 2 || (ctx.Args.Count == 2 && !ctx.Args.Is(1, "sync") && !ctx.Args.Is(1, "async")))
        {
            ctx.Reply.Error(Errors.Syntax);
            return false;
        }
        return true;
    }

    private static void FlushDb(CommandContext ctx)
    {
        if (!ParseFlushFlags(ctx)) return;
        long removed = FlushDatabase(ctx, ctx.Db);
        ctx.MarkDirty(removed);
        // forceCommandPropagation: FLUSHDB reaches replicas and the AOF even when the db was already empty.
        ctx.PropagateAs(ctx.Args.ToArrays());
        ctx.Reply.Ok();
    }

    private static void FlushAll(CommandContext ctx)
    {
        long removed = 0;
        if (!ParseFlushFlags(ctx)) return;
        for (int i = 0; i < ctx.Keyspace.DatabaseCount; i++) removed += FlushDatabase(ctx, ctx.Keyspace[i]);
        // flushAllDataAndResetRDB counts the removed keys plus one (the save it may trigger comes with persistence).
        ctx.MarkDirty(removed + 1);
        ctx.PropagateAs(ctx.Args.ToArrays());
        ctx.Reply.Ok();
    }

    /// <summary>Empties one database; clients watching its keys get their transaction aborted (Redis's signalFlushedDb).</summary>
    private static long FlushDatabase(CommandContext ctx, Storage.RedisDatabase db)
    {
        long count = db.Count;
        if (count == 0) return 0;
        TransactionCommands.TouchAllWatched(ctx.Engine, db.Index);
        db.Clear();
        return count;
    }

    private static void Time(CommandContext ctx)
    {
        var now = ctx.Engine.Time.GetUtcNow();
        long micros = (now - DateTimeOffset.UnixEpoch).Ticks / 10;
        ctx.Reply.ArrayHeader(2);
        ctx.Reply.BulkInteger(micros / 1_000_000);
        ctx.Reply.BulkInteger(micros % 1_000_000);
    }

    private static void Shutdown(CommandContext ctx)
    {
        var flags = ShutdownFlags.None;
        bool abort = false;
        for (int i = 1; i < ctx.Args.Count; i++)
        {
            if (ctx.Args.Is(i, "nosave")) flags |= ShutdownFlags.NoSave;
            else if (ctx.Args.Is(i, "save")) flags |= ShutdownFlags.Save;
            else if (ctx.Args.Is(i, "now")) flags |= ShutdownFlags.Now;
            else if (ctx.Args.Is(i, "force")) flags |= ShutdownFlags.Force;
            else if (ctx.Args.Is(i, "abort")) abort = true;
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        if ((abort && flags != ShutdownFlags.None) || (flags & (ShutdownFlags.NoSave | ShutdownFlags.Save)) == (ShutdownFlags.NoSave | ShutdownFlags.Save))
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        if (abort)
        {
            // Our shutdown is immediate (no waiting for lagging replicas), so there is never one to abort.
            ctx.Reply.Error("ERR No shutdown in progress.");
            return;
        }
        // Redis saves before exiting when save points are configured (or SAVE is given), unless NOSAVE; a failed
        // save aborts the shutdown unless FORCE.
        if (!ctx.Engine.SaveBeforeShutdown(flags))
        {
            ctx.Reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
            return;
        }
        if (!ctx.Engine.RequestShutdown(flags))
        {
            ctx.Reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
            return;
        }
        // Redis exits without replying: the client sees the connection close.
        ctx.Client.Flags |= ClientFlags.CloseAfterReply;
    }

    private static void Role(CommandContext ctx)
    {
        // The master form with no replicas; the replication layer replaces ROLE when it lands.
        ctx.Reply.ArrayHeader(3);
        ctx.Reply.Bulk("master"u8);
        ctx.Reply.Integer(ctx.Engine.ReplOffset);
        ctx.Reply.ArrayHeader(0);
    }

    private static void Monitor(CommandContext ctx)
    {
        var c = ctx.Client;
        // Ignored (no reply) for a replica or a client already monitoring, as in Redis.
        if (c.Has(ClientFlags.Replica)) return;
        c.Flags |= ClientFlags.Replica | ClientFlags.Monitor;
        ctx.Engine.Monitors.Add(c);
        ctx.Reply.Ok();
    }

    private static readonly string[] SlowlogHelp =
    [
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
    ];

    private static void SlowlogGet(CommandContext ctx)
    {
        if (ctx.Args.Count > 3)
        {
            SubcommandSyntaxError(ctx);
            return;
        }
        long count = 10;
        if (ctx.Args.Count == 3)
        {
            if (!ctx.TryGetLong(2, -1, long.MaxValue, out count, "ERR count should be greater than or equal to -1")) return;
            if (count == -1) count = ctx.Engine.SlowlogLength;
        }
        var entries = ctx.Engine.Slowlog.Take((int)Math.Min(count, int.MaxValue)).ToList();
        var r = ctx.Reply;
        r.ArrayHeader(entries.Count);
        foreach (var e in entries)
        {
            r.ArrayHeader(6);
            r.Integer(e.Id);
            r.Integer(e.UnixSeconds);
            r.Integer(e.Microseconds);
            r.ArrayHeader(e.Args.Length);
            foreach (var a in e.Args) r.Bulk(a);
            r.Bulk(e.PeerId);
            r.Bulk(e.ClientName);
        }
    }
}
