// Redis 7.0.15's command metadata (COMMAND INFO entries and COMMAND DOCS maps) captured by
// tools/gen-command-docs.py into Resources/commands.json as a typed RESP3 tree: rendering, filtering to the
// commands our table has, and key extraction from key specs (COMMAND GETKEYS).
using System.Text.Json;
using RedisPanel.Protocol;

namespace RedisPanel.Engine.Commands;

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
