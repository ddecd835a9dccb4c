// COMMAND [COUNT | INFO | DOCS | LIST | GETKEYS | GETKEYSANDFLAGS | HELP] (Redis 7.0.15 src/server.c).
// The metadata (flags, ACL categories, tips, key specs, docs) is Redis's own, captured from redis-server 7.0.15
// by tools/gen-command-docs.py into Resources/commands.json as a typed RESP3 tree; we render it in RESP3 or
// downgrade it to RESP2 exactly as Redis's addReply* functions do. Only commands (and subcommands) present in
// our table are reported, so COMMAND tells clients the truth about this node.
using System.Text.Json;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class ServerCommands
{
    private static void RegisterCommand(CommandTable t)
    {
        var command = t.AddContainer("command", -1, CommandFlags.Loading | CommandFlags.Stale, "server", CommandAll);
        const CommandFlags f = CommandFlags.Loading | CommandFlags.Stale;
        t.AddSub(command, "count", 2, f, ctx => ctx.Reply.Integer(ctx.Engine.Table.Count));
        t.AddSub(command, "info", -2, f, CommandInfo);
        t.AddSub(command, "docs", -2, f, CommandDocs);
        t.AddSub(command, "list", -2, f, CommandList);
        t.AddSub(command, "getkeys", -4, f, ctx => GetKeys(ctx, false));
        t.AddSub(command, "getkeysandflags", -4, f, ctx => GetKeys(ctx, true));
        t.AddSub(command, "help", 2, f, ctx => ReplyHelp(ctx, CommandHelp));
    }

    private static readonly string[] CommandHelp =
    [
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    ];

    private static void CommandAll(CommandContext ctx)
    {
        var table = ctx.Engine.Table;
        ctx.Reply.ArrayHeader(table.Count);
        foreach (var def in table.All) CommandMetadata.WriteInfo(ctx.Reply, def);
    }

    private static void CommandInfo(CommandContext ctx)
    {
        if (ctx.Args.Count == 2)
        {
            CommandAll(ctx);
            return;
        }
        ctx.Reply.ArrayHeader(ctx.Args.Count - 2);
        for (int i = 2; i < ctx.Args.Count; i++)
        {
            var def = LookupByFullName(ctx.Engine.Table, ctx.Args.GetString(i));
            if (def is null) ctx.Reply.Null(); // addReplyNull: "$-1" in RESP2
            else CommandMetadata.WriteInfo(ctx.Reply, def);
        }
    }

    private static void CommandDocs(CommandContext ctx)
    {
        var table = ctx.Engine.Table;
        var r = ctx.Reply;
        if (ctx.Args.Count == 2)
        {
            r.MapHeader(table.Count);
            foreach (var def in table.All)
            {
                r.Bulk(def.FullName);
                CommandMetadata.WriteDocs(r, def);
            }
            return;
        }
        var found = new List<CommandDef>();
        for (int i = 2; i < ctx.Args.Count; i++)
            if (LookupByFullName(table, ctx.Args.GetString(i)) is { } def) found.Add(def);
        r.MapHeader(found.Count);
        foreach (var def in found)
        {
            r.Bulk(def.FullName);
            CommandMetadata.WriteDocs(r, def);
        }
    }

    /// <summary>Redis's lookupCommandBySds: "get" or "config|get", case-insensitive.</summary>
    private static CommandDef? LookupByFullName(CommandTable table, string name)
    {
        var parts = name.Split('|');
        if (parts.Length > 2) return null;
        var def = table.Find(parts[0]);
        if (def is null || parts.Length == 1) return def;
        return def.Subcommands is not null && def.Subcommands.TryGetValue(parts[1].ToLowerInvariant(), out var sub) ? sub : null;
    }

    private static void CommandList(CommandContext ctx)
    {
        var a = ctx.Args;
        string? filterType = null;
        string filterArg = "";
        for (int i = 2; i < a.Count; i++)
        {
            int more = a.Count - 1 - i;
            if (a.Is(i, "filterby") && more == 2)
            {
                if (a.Is(i + 1, "module")) filterType = "module";
                else if (a.Is(i + 1, "aclcat")) filterType = "aclcat";
                else if (a.Is(i + 1, "pattern")) filterType = "pattern";
                else
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }
                filterArg = a.GetString(i + 2);
                i += 2;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        var names = new List<string>();
        void Visit(CommandDef def)
        {
            bool keep = filterType switch
            {
                null => true,
                "module" => false, // no modules are loaded
                "aclcat" => CommandMetadata.AclCategories(def).Contains("@" + filterArg.ToLowerInvariant()),
                _ => GlobMatcher.IsMatch(System.Text.Encoding.Latin1.GetBytes(filterArg), System.Text.Encoding.Latin1.GetBytes(def.FullName), noCase: true),
            };
            if (keep) names.Add(def.FullName);
            if (def.Subcommands is not null)
                foreach (var sub in def.Subcommands.Values) Visit(sub);
        }
        foreach (var def in ctx.Engine.Table.All) Visit(def);
        ctx.Reply.ArrayHeader(names.Count);
        foreach (var n in names) ctx.Reply.Bulk(n);
    }

    private static void GetKeys(CommandContext ctx, bool withFlags)
    {
        var a = ctx.Args;
        int argc = a.Count - 2;
        var def = ctx.Engine.Table.Find(a[2]);
        if (def is not null && def.Subcommands is not null && argc >= 2) def = CommandTable.FindSub(def, a[3]) ?? (def.Handler is null ? null : def);
        if (def is null)
        {
            ctx.Reply.Error("ERR Invalid command specified");
            return;
        }
        var specs = CommandMetadata.KeySpecs(def);
        if (specs.Count == 0 && def.FirstKey <= 0)
        {
            ctx.Reply.Error("ERR The command has no key arguments");
            return;
        }
        if ((def.Arity > 0 && def.Arity != argc) || argc < -def.Arity)
        {
            ctx.Reply.Error("ERR Invalid number of arguments specified for command");
            return;
        }
        var keys = CommandMetadata.FindKeys(def, specs, a, 2);
        if (keys is null)
        {
            ctx.Reply.Error("ERR Invalid arguments specified for command");
            return;
        }
        ctx.Reply.ArrayHeader(keys.Count);
        foreach (var (pos, flags) in keys)
        {
            if (!withFlags)
            {
                ctx.Reply.Bulk(a[pos]);
                continue;
            }
            ctx.Reply.ArrayHeader(2);
            ctx.Reply.Bulk(a[pos]);
            ctx.Reply.SetHeader(flags.Length);
            foreach (var flag in flags) ctx.Reply.SimpleString(flag);
        }
    }
}
