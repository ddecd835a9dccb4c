// Every config directive Redis 7.0.15 knows, declared once (ConfigRegistry.Directives.cs), with the generic
// typed builders of Redis's src/config.c (bool yes/no, numeric with bounds and units, enum, string) and the
// case-insensitive name lookup (primary names and legacy aliases such as slaveof / slave-read-only).
// Directives RedisPanel acts on map onto ServerConfig's typed properties; the others are accepted and kept in
// ServerConfig.Stored so CONFIG GET / REWRITE show them as Redis would.
using System.Globalization;

namespace RedisPanel.Engine.Config;

public sealed partial class ConfigRegistry
{
    private readonly Dictionary<string, (ConfigDirective Directive, string Name)> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ConfigDirective> _all = new();
    private readonly List<(string Name, ConfigDirective Directive)> _names = new();

    /// <summary>The registry of Redis 7.0.15's directives (immutable, shared by every node).</summary>
    /// <remarks>Lazy: static fields of the other partial files must be initialised before the table is built.</remarks>
    public static ConfigRegistry Default => LazyDefault.Value;

    private static readonly Lazy<ConfigRegistry> LazyDefault = new(() => new ConfigRegistry());

    private ConfigRegistry()
    {
        foreach (var d in Declare())
        {
            _all.Add(d);
            _byName.Add(d.Name, (d, d.Name));
            _names.Add((d.Name, d));
            if (d.Alias is { } alias)
            {
                _byName.Add(alias, (d, alias));
                _names.Add((alias, d));
            }
        }
    }

    /// <summary>Every directive (primary entries, declaration order).</summary>
    public IReadOnlyList<ConfigDirective> All => _all;

    /// <summary>Every registered name (primaries and aliases) with its directive, in declaration order.</summary>
    public IReadOnlyList<(string Name, ConfigDirective Directive)> Names => _names;

    /// <summary>
    /// Looks a directive up by primary name or alias, case-insensitively. <paramref name="registeredName"/> is the
    /// name it is registered under (the alias when looked up by alias): Redis reports that one in CONFIG SET errors.
    /// </summary>
    public ConfigDirective? Find(string name, out string registeredName)
    {
        if (_byName.TryGetValue(name, out var e))
        {
            registeredName = e.Name;
            return e.Directive;
        }
        registeredName = name;
        return null;
    }

    public ConfigDirective? Find(string name) => Find(name, out _);

    /// <summary>
    /// Sets a directive from a CONFIG SET value: multi-argument directives split the value on single spaces
    /// (Redis's performInterfaceSet uses sdssplitlen, so "" gives no argument).
    /// </summary>
    public static ConfigSetResult SetFromValue(ConfigDirective d, ServerConfig config, string value, out string? error)
    {
        string[] args = d.Has(ConfigFlags.MultiArg)
            ? (value.Length == 0 ? [] : value.Split(' '))
            : [value];
        return d.Set(config, args, ConfigLoadSession.Runtime, out error);
    }

    // ---------------------------------------------------------------- typed builders (Redis's generic config types)

    private static ConfigDirective Bool(string name, string? alias, ConfigFlags flags, bool dflt,
        Func<ServerConfig, bool>? get = null, Action<ServerConfig, bool>? set = null,
        ApplyKind apply = ApplyKind.None, Func<bool, string?>? validate = null)
    {
        get ??= c => c.Stored.TryGetValue(name, out var v) ? v == "yes" : dflt;
        set ??= (c, v) => c.Stored[name] = v ? "yes" : "no";
        return new ConfigDirective(name, alias, flags,
            c => get(c) ? "yes" : "no",
            (ServerConfig c, string[] args, ConfigLoadSession _, out string? error) =>
            {
                error = null;
                bool yes = string.Equals(args[0], "yes", StringComparison.OrdinalIgnoreCase);
                if (!yes && !string.Equals(args[0], "no", StringComparison.OrdinalIgnoreCase))
                {
                    error = "argument must be 'yes' or 'no'";
                    return ConfigSetResult.Failed;
                }
                if (validate?.Invoke(yes) is { } invalid)
                {
                    error = invalid;
                    return ConfigSetResult.Failed;
                }
                if (get(c) == yes) return ConfigSetResult.Unchanged;
                set(c, yes);
                return ConfigSetResult.Changed;
            },
            (c, st) => st.RewriteLine(name, $"{name} {(get(c) ? "yes" : "no")}", get(c) != dflt),
            apply);
    }

    private static ConfigDirective Numeric(string name, string? alias, ConfigFlags flags, long min, long max, long dflt,
        NumericKind kind, Func<ServerConfig, long>? get = null, Action<ServerConfig, long>? set = null,
        ApplyKind apply = ApplyKind.None)
    {
        get ??= c => c.Stored.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : dflt;
        set ??= (c, v) => c.Stored[name] = v.ToString(CultureInfo.InvariantCulture);
        return new ConfigDirective(name, alias, flags,
            c => FormatNumeric(get(c), kind),
            (ServerConfig c, string[] args, ConfigLoadSession _, out string? error) =>
            {
                if (!TryParseNumeric(args[0], kind, out long v, out error) || !CheckBounds(v, min, max, kind, out error))
                    return ConfigSetResult.Failed;
                if (get(c) == v) return ConfigSetResult.Unchanged;
                set(c, v);
                return ConfigSetResult.Changed;
            },
            (c, st) =>
            {
                long v = get(c);
                if ((kind & NumericKind.Percent) != 0 && v < 0)
                    st.RewriteLine(name, $"{name} {-v}%", v != dflt);
                else if ((kind & NumericKind.Memory) != 0)
                    st.RewriteLine(name, $"{name} {ConfigText.FormatMemory(v)}", v != dflt);
                else if ((kind & NumericKind.Octal) != 0)
                    st.RewriteLine(name, $"{name} {Convert.ToString(v, 8)}", v != dflt);
                else
                    st.RewriteLine(name, $"{name} {v.ToString(CultureInfo.InvariantCulture)}", v != dflt);
            },
            apply);
    }

    private static string FormatNumeric(long v, NumericKind kind)
    {
        if ((kind & NumericKind.Percent) != 0 && v < 0) return (-v).ToString(CultureInfo.InvariantCulture) + "%";
        if ((kind & NumericKind.Memory) != 0) return ((ulong)v).ToString(CultureInfo.InvariantCulture);
        if ((kind & NumericKind.Octal) != 0) return Convert.ToString(v, 8);
        return v.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Redis's numericParseString: memory, then percent, then octal, then a plain integer.</summary>
    private static bool TryParseNumeric(string s, NumericKind kind, out long value, out string? error)
    {
        error = null;
        if ((kind & NumericKind.Memory) != 0 && ConfigText.TryParseMemory(s, out ulong mem))
        {
            value = unchecked((long)mem);
            return true;
        }
        if ((kind & NumericKind.Percent) != 0 && s.Length > 1 && s[^1] == '%'
            && ConfigText.TryParseStrictLong(s[..^1], out value) && value >= 0)
        {
            value = -value; // Redis stores a percentage as a negative number
            return true;
        }
        if ((kind & NumericKind.Octal) != 0)
        {
            value = ConfigText.CStrtoll(s, 8, out bool complete, out bool overflow);
            if (complete && !overflow) return true;
        }
        if ((kind & ~NumericKind.Unsigned) == NumericKind.Integer && ConfigText.TryParseStrictLong(s, out value)) return true;
        value = 0;
        error = (kind & (NumericKind.Memory | NumericKind.Percent)) == (NumericKind.Memory | NumericKind.Percent)
            ? "argument must be a memory or percent value"
            : (kind & NumericKind.Memory) != 0 ? "argument must be a memory value"
            : (kind & NumericKind.Octal) != 0 ? "argument couldn't be parsed as an octal number"
            : "argument couldn't be parsed into an integer";
        return false;
    }

    /// <summary>Redis's numericBoundaryCheck, with its unsigned, octal and percent message variants.</summary>
    private static bool CheckBounds(long v, long min, long max, NumericKind kind, out string? error)
    {
        error = null;
        if ((kind & NumericKind.Unsigned) != 0)
        {
            ulong u = (ulong)v, lo = (ulong)min, hi = (ulong)max;
            if (u <= hi && u >= lo) return true;
            error = (kind & NumericKind.Octal) != 0
                ? $"argument must be between {Convert.ToString(min, 8)} and {Convert.ToString(max, 8)} inclusive"
                : $"argument must be between {lo} and {hi} inclusive";
            return false;
        }
        if ((kind & NumericKind.Percent) != 0 && v < 0)
        {
            if (v >= min) return true;
            error = $"percentage argument must be less or equal to {-min}";
            return false;
        }
        if (v <= max && v >= min) return true;
        error = $"argument must be between {min} and {max} inclusive";
        return false;
    }

    private static ConfigDirective Enum(string name, string? alias, ConfigFlags flags, ConfigEnum values, string dflt,
        Func<ServerConfig, string>? get = null, Action<ServerConfig, string>? set = null,
        ApplyKind apply = ApplyKind.None, Func<int, string?>? validate = null)
    {
        bool bitFlags = (flags & ConfigFlags.MultiArg) != 0;
        get ??= c => c.Stored.TryGetValue(name, out var v) ? v : dflt;
        set ??= (c, v) => c.Stored[name] = v;
        int Value(ServerConfig c) => values.Parse(get(c).Split(' '), bitFlags) ?? -1;
        int defaultValue = values.Parse(dflt.Split(' '), bitFlags) ?? -1;
        return new ConfigDirective(name, alias, flags,
            c => values.NameOf(Value(c), bitFlags),
            (ServerConfig c, string[] args, ConfigLoadSession _, out string? error) =>
            {
                error = null;
                if (values.Parse(args, bitFlags) is not int v)
                {
                    error = values.Error();
                    return ConfigSetResult.Failed;
                }
                if (validate?.Invoke(v) is { } invalid)
                {
                    error = invalid;
                    return ConfigSetResult.Failed;
                }
                if (Value(c) == v) return ConfigSetResult.Unchanged;
                set(c, values.NameOf(v, bitFlags));
                return ConfigSetResult.Changed;
            },
            (c, st) => st.RewriteLine(name, $"{name} {values.NameOf(Value(c), bitFlags)}", Value(c) != defaultValue),
            apply);
    }

    /// <summary>
    /// A string directive. Typed properties hold "" for Redis's NULL when <paramref name="emptyIsNull"/>;
    /// CONFIG REWRITE then drops the directive's lines, so the next start gets NULL again.
    /// </summary>
    private static ConfigDirective String(string name, string? alias, ConfigFlags flags, bool emptyIsNull, string? dflt,
        Func<ServerConfig, string>? get = null, Action<ServerConfig, string>? set = null,
        Func<string, string?>? validate = null, ApplyKind apply = ApplyKind.None)
    {
        get ??= c => c.Stored.TryGetValue(name, out var v) ? v : dflt ?? "";
        set ??= (c, v) => c.Stored[name] = v;
        string? Value(ServerConfig c)
        {
            string v = get(c);
            return emptyIsNull && v.Length == 0 ? null : v;
        }
        return new ConfigDirective(name, alias, flags,
            c => Value(c) ?? "",
            (ServerConfig c, string[] args, ConfigLoadSession _, out string? error) =>
            {
                error = validate?.Invoke(args[0]);
                if (error is not null) return ConfigSetResult.Failed;
                string? v = emptyIsNull && args[0].Length == 0 ? null : args[0];
                if (Value(c) == v) return ConfigSetResult.Unchanged;
                set(c, v ?? "");
                return ConfigSetResult.Changed;
            },
            (c, st) =>
            {
                if (Value(c) is not { } v)
                {
                    st.MarkProcessed(name);
                    return;
                }
                st.RewriteLine(name, $"{name} {ConfigText.Repr(v)}", !(dflt is not null && v == dflt));
            },
            apply);
    }

    // ---------------------------------------------------------------- validators (Redis's is_valid_fn)

    private static string? ValidActiveDefrag(bool on) => on
        ? "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
        : null;

    private static bool IsBaseName(string s) => !s.Contains('/') && !s.Contains('\\');

    private static string? ValidDbFilename(string v) => IsBaseName(v) ? null : "dbfilename can't be a path, just a filename";

    private static string? ValidAofFilename(string v) =>
        v.Length == 0 ? "appendfilename can't be empty" : IsBaseName(v) ? null : "appendfilename can't be a path, just a filename";

    private static string? ValidAofDirname(string v) =>
        v.Length == 0 ? "appenddirname can't be empty" : IsBaseName(v) ? null : "appenddirname can't be a path, just a dirname";

    private static string? ValidAnnouncedHostname(string v)
    {
        if (v.Length >= 256) return "Hostnames must be less than 256 characters";
        foreach (char c in v)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '.'))
                return "Hostnames may only contain alphanumeric characters, hyphens or dots";
        }
        return null;
    }

    private static string? ValidShutdownFlags(int v) =>
        (v & 1) != 0 && (v & 2) != 0 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null;
}
