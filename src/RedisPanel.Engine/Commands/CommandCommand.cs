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
                _ => GlobMatcher.IsMatch(System.Text.Encoding.UTF8.GetBytes(filterArg), System.Text.Encoding.UTF8.GetBytes(def.FullName), noCase: true),
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

/// <summary>Redis 7.0.15's command metadata (embedded Resources/commands.json), rendered for our table.</summary>
public static class CommandMetadata
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
    {
        using var stream = typeof(CommandMetadata).Assembly.GetManifestResourceStream("RedisPanel.Engine.commands.json")
            ?? throw new InvalidOperationException("commands.json resource missing");
        return JsonDocument.Parse(stream);
    });

    /// <summary>The captured COMMAND INFO entry of a command ("get", "client|list"), or null.</summary>
    public static JsonElement? Info(CommandDef def)
    {
        var info = Document.Value.RootElement.GetProperty("info");
        if (def.Parent is null) return info.TryGetProperty(def.Name, out var e) ? e : null;
        if (!info.TryGetProperty(def.Parent.Name, out var parent) || parent[9].ValueKind != JsonValueKind.Array) return null;
        foreach (var sub in parent[9].EnumerateArray())
            if (sub[0].GetString() == def.FullName) return sub;
        return null;
    }

    /// <summary>The captured COMMAND DOCS map of a command, or null.</summary>
    public static JsonElement? Docs(CommandDef def)
    {
        var docs = Document.Value.RootElement.GetProperty("docs");
        if (def.Parent is null) return docs.TryGetProperty(def.Name, out var d) ? d : null;
        if (Docs(def.Parent) is not { } parent) return null;
        var flat = parent.GetProperty("%");
        for (int i = 0; i + 1 < flat.GetArrayLength(); i += 2)
        {
            if (flat[i].GetString() != "subcommands") continue;
            var subs = flat[i + 1].GetProperty("%");
            for (int j = 0; j + 1 < subs.GetArrayLength(); j += 2)
                if (subs[j].GetString() == def.FullName) return subs[j + 1];
        }
        return null;
    }

    /// <summary>Arity, first key, last key and step as Redis declares them (for the table meta-test).</summary>
    public static (int Arity, int First, int Last, int Step)? Declared(CommandDef def) =>
        Info(def) is { } e ? (e[1].GetInt32(), e[3].GetInt32(), e[4].GetInt32(), e[5].GetInt32()) : null;

    public static HashSet<string> AclCategories(CommandDef def)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (Info(def) is { } e)
            foreach (var c in Items(e[6])) set.Add(c.GetProperty("+").GetString()!);
        return set;
    }

    /// <summary>Writes COMMAND INFO's entry for <paramref name="def"/>, listing only subcommands we implement.</summary>
    public static void WriteInfo(RespWriter w, CommandDef def)
    {
        if (Info(def) is not { } e)
        {
            WriteFallbackInfo(w, def);
            return;
        }
        w.ArrayHeader(10);
        for (int i = 0; i < 9; i++) Write(w, e[i]);
        WriteSubcommandInfos(w, def);
    }

    private static void WriteSubcommandInfos(RespWriter w, CommandDef def)
    {
        if (def.Subcommands is null)
        {
            w.SetHeader(0); // Redis: an empty set when there are no subcommands
            return;
        }
        var subs = OrderedSubcommands(def);
        w.ArrayHeader(subs.Count);
        foreach (var sub in subs) WriteInfo(w, sub);
    }

    /// <summary>Subcommands in the order Redis lists them (its dict order, as captured), then any others.</summary>
    private static List<CommandDef> OrderedSubcommands(CommandDef def)
    {
        var result = new List<CommandDef>();
        var remaining = new Dictionary<string, CommandDef>(def.Subcommands!);
        if (Info(def) is { } e && e[9].ValueKind == JsonValueKind.Array)
            foreach (var sub in e[9].EnumerateArray())
            {
                string name = sub[0].GetString()!;
                string shortName = name[(name.IndexOf('|') + 1)..];
                if (remaining.Remove(shortName, out var d)) result.Add(d);
            }
        result.AddRange(remaining.Values);
        return result;
    }

    /// <summary>A command missing from the capture: what the table knows, in COMMAND INFO's shape.</summary>
    private static void WriteFallbackInfo(RespWriter w, CommandDef def)
    {
        w.ArrayHeader(10);
        w.Bulk(def.FullName);
        w.Integer(def.Arity);
        var flags = new List<string>();
        if (def.IsWrite) flags.Add("write");
        if ((def.Flags & CommandFlags.ReadOnly) != 0) flags.Add("readonly");
        if ((def.Flags & CommandFlags.Admin) != 0) flags.Add("admin");
        if ((def.Flags & CommandFlags.Fast) != 0) flags.Add("fast");
        w.SetHeader(flags.Count);
        foreach (var f in flags) w.SimpleString(f);
        w.Integer(def.FirstKey);
        w.Integer(def.LastKey);
        w.Integer(def.KeyStep);
        w.SetHeader(0);
        w.SetHeader(0);
        w.SetHeader(0);
        WriteSubcommandInfos(w, def);
    }

    /// <summary>Writes COMMAND DOCS's map for <paramref name="def"/>, listing only subcommands we implement.</summary>
    public static void WriteDocs(RespWriter w, CommandDef def)
    {
        if (Docs(def) is not { } d)
        {
            w.MapHeader(1);
            w.Bulk("group"u8);
            w.Bulk(def.Group);
            return;
        }
        var flat = d.GetProperty("%");
        int n = flat.GetArrayLength();
        w.MapHeader(n / 2);
        for (int i = 0; i + 1 < n; i += 2)
        {
            Write(w, flat[i]);
            if (flat[i].GetString() == "subcommands" && def.Subcommands is not null)
            {
                var subs = OrderedSubcommands(def);
                w.MapHeader(subs.Count);
                foreach (var sub in subs)
                {
                    w.Bulk(sub.FullName);
                    WriteDocs(w, sub);
                }
            }
            else Write(w, flat[i + 1]);
        }
    }

    /// <summary>Renders a captured RESP3 value; RESP2 downgrades follow the writer (map → flat array, set → array).</summary>
    public static void Write(RespWriter w, JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                w.Integer(v.GetInt64());
                break;
            case JsonValueKind.String:
                w.Bulk(v.GetString()!);
                break;
            case JsonValueKind.Null:
                w.Null();
                break;
            case JsonValueKind.Array:
                w.ArrayHeader(v.GetArrayLength());
                foreach (var item in v.EnumerateArray()) Write(w, item);
                break;
            case JsonValueKind.Object:
                if (v.TryGetProperty("+", out var simple)) w.SimpleString(simple.GetString()!);
                else if (v.TryGetProperty("%", out var map))
                {
                    w.MapHeader(map.GetArrayLength() / 2);
                    foreach (var item in map.EnumerateArray()) Write(w, item);
                }
                else if (v.TryGetProperty("~", out var set))
                {
                    w.SetHeader(set.GetArrayLength());
                    foreach (var item in set.EnumerateArray()) Write(w, item);
                }
                break;
            default:
                throw new InvalidOperationException($"unexpected metadata value {v.ValueKind}");
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement v) =>
        v.ValueKind == JsonValueKind.Array ? v.EnumerateArray()
        : v.TryGetProperty("~", out var s) ? s.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static JsonElement MapGet(JsonElement map, string key)
    {
        var flat = map.GetProperty("%");
        for (int i = 0; i + 1 < flat.GetArrayLength(); i += 2)
            if (flat[i].GetString() == key) return flat[i + 1];
        throw new KeyNotFoundException(key);
    }

    /// <summary>A key spec: begin_search (index or keyword) and find_keys (range or keynum), with its flags.</summary>
    public sealed record KeySpec(string[] Flags, int Index, string? Keyword, int StartFrom, bool Range, int LastKey, int KeyStep, int Limit, int KeyNumIdx, int FirstKey);

    public static List<KeySpec> KeySpecs(CommandDef def)
    {
        var list = new List<KeySpec>();
        if (Info(def) is not { } e) return list;
        foreach (var spec in Items(e[8]))
        {
            var flags = Items(MapGet(spec, "flags")).Select(f => f.GetProperty("+").GetString()!).ToArray();
            var bs = MapGet(spec, "begin_search");
            var bsSpec = MapGet(bs, "spec");
            var fk = MapGet(spec, "find_keys");
            var fkSpec = MapGet(fk, "spec");
            bool keyword = MapGet(bs, "type").GetString() == "keyword";
            bool range = MapGet(fk, "type").GetString() == "range";
            list.Add(new KeySpec(flags,
                keyword ? 0 : MapGet(bsSpec, "index").GetInt32(),
                keyword ? MapGet(bsSpec, "keyword").GetString() : null,
                keyword ? MapGet(bsSpec, "startfrom").GetInt32() : 0,
                range,
                range ? MapGet(fkSpec, "lastkey").GetInt32() : 0,
                MapGet(fkSpec, "keystep").GetInt32(),
                range ? MapGet(fkSpec, "limit").GetInt32() : 0,
                range ? 0 : MapGet(fkSpec, "keynumidx").GetInt32(),
                range ? 0 : MapGet(fkSpec, "firstkey").GetInt32()));
        }
        return list;
    }

    /// <summary>
    /// Redis's getKeysUsingKeySpecs over the command that starts at argument <paramref name="offset"/>. Returns
    /// null for invalid arguments. Commands whose specs are incomplete fall back to the table's first/last/step
    /// (Redis uses a per-command getkeys procedure there).
    /// </summary>
    public static List<(int Pos, string[] Flags)>? FindKeys(CommandDef def, List<KeySpec> specs, ArgList args, int offset)
    {
        int argc = args.Count - offset;
        var result = new List<(int, string[])>();
        bool incomplete = false;
        foreach (var s in specs)
        {
            if (s.Flags.Contains("not_key")) continue;
            if (s.Flags.Contains("incomplete") || s.Flags.Contains("variable_flags")) incomplete = true;
            int first = 0, last, step;
            if (s.Keyword is null) first = s.Index;
            else
            {
                int start = s.StartFrom > 0 ? s.StartFrom : argc + s.StartFrom;
                int end = s.StartFrom > 0 ? argc - 1 : 1;
                for (int i = start; i != end; i = start <= end ? i + 1 : i - 1)
                {
                    if (i >= argc || i < 1) break;
                    if (args.Is(offset + i, s.Keyword))
                    {
                        first = i + 1;
                        break;
                    }
                }
                if (first == 0) continue;
            }
            if (s.Range)
            {
                step = s.KeyStep;
                last = s.LastKey >= 0 ? first + s.LastKey
                    : s.Limit == 0 ? argc + s.LastKey
                    : first + ((argc - first) / s.Limit + s.LastKey);
            }
            else
            {
                step = s.KeyStep;
                if (s.KeyNumIdx >= argc || first + s.KeyNumIdx >= argc) return Fallback();
                if (!RespParser.TryParseLong(args[offset + first + s.KeyNumIdx], out long numkeys) || numkeys < 0) return Fallback();
                first += s.FirstKey;
                last = first + (int)numkeys - 1;
            }
            if (last >= argc || last < first || first >= argc) return Fallback();
            for (int i = first; i <= last; i += Math.Max(1, step))
                if (i < argc) result.Add((offset + i, s.Flags));
        }
        return incomplete ? Fallback() : result;

        // Redis's per-command getkeys procedures for the three commands whose specs are not enough.
        List<(int, string[])>? Fallback()
        {
            switch (def.FullName)
            {
                case "set":
                {
                    bool get = false;
                    for (int i = 3; i < argc; i++) get |= args.Is(offset + i, "get");
                    return [(offset + 1, get ? ["RW", "access", "update"] : ["OW", "update"])];
                }
                case "bitfield":
                {
                    bool write = false;
                    for (int i = 2; i < argc; i++) write |= args.Is(offset + i, "set") || args.Is(offset + i, "incrby");
                    return [(offset + 1, write ? ["RW", "access", "update"] : ["RO", "access"])];
                }
                case "migrate":
                {
                    string[] flags = ["RW", "access", "delete"];
                    for (int i = 6; i < argc; i++)
                    {
                        if (!args.Is(offset + i, "keys")) continue;
                        var keys = new List<(int, string[])>();
                        for (int k = i + 1; k < argc; k++) keys.Add((offset + k, flags));
                        return keys;
                    }
                    return [(offset + 3, flags)];
                }
            }
            if (def.FirstKey <= 0) return null;
            var legacy = new List<(int, string[])>();
            foreach (int i in def.KeyIndexes(argc)) legacy.Add((offset + i, Array.Empty<string>()));
            return legacy.Count == 0 ? null : legacy;
        }
    }
}
