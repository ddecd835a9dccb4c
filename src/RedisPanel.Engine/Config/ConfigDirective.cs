// One config directive (Redis's standardConfig in src/config.c): its names, flags, and how its value is parsed,
// shown (CONFIG GET), stored into ServerConfig and rewritten (CONFIG REWRITE). The typed builders (Bool, Numeric,
// Enum, String) reproduce Redis 7.0's generic config types, including their error texts.
namespace RedisPanel.Engine.Config;

/// <summary>Redis's config flags (IMMUTABLE_CONFIG, PROTECTED_CONFIG ...).</summary>
[Flags]
public enum ConfigFlags
{
    None = 0,
    /// <summary>Only settable from the config file / command line.</summary>
    Immutable = 1,
    /// <summary>CONFIG SET needs enable-protected-configs (dir, dbfilename).</summary>
    Protected = 2,
    /// <summary>Value is a secret (masterauth, requirepass).</summary>
    Sensitive = 4,
    /// <summary>Several arguments (save, bind, replicaof ...); one quoted argument is split on spaces.</summary>
    MultiArg = 8,
    /// <summary>Not matched by CONFIG GET patterns, only by its exact name.</summary>
    Hidden = 16,
    /// <summary>CONFIG SET refused with -LOADING while the dataset loads.</summary>
    DenyLoading = 32,
}

/// <summary>Numeric config flavours (Redis's INTEGER_CONFIG, MEMORY_CONFIG, PERCENT_CONFIG, OCTAL_CONFIG).</summary>
[Flags]
public enum NumericKind
{
    Integer = 0,
    Memory = 1,
    Percent = 2,
    Octal = 4,
    /// <summary>The C type is unsigned: bounds are compared as unsigned 64-bit numbers.</summary>
    Unsigned = 8,
}

/// <summary>What a directive needs after CONFIG SET changed it (Redis's apply functions).</summary>
public enum ApplyKind
{
    None,
    /// <summary>port, bind: the listener must rebind (through ServerConfig.ApplyHook).</summary>
    Listener,
    /// <summary>hz: clamp to 1..500 as Redis's updateHZ.</summary>
    Hz,
    /// <summary>Effect lives in another layer; ServerConfig.ApplyHook is told.</summary>
    External,
}

/// <summary>Result of setting a value: Redis's set() returns 0 error, 1 changed, 2 unchanged.</summary>
public enum ConfigSetResult
{
    Failed,
    Changed,
    Unchanged,
}

/// <summary>State shared by the lines of one config-file load (Redis's reading_config_file / save_loaded).</summary>
public sealed class ConfigLoadSession
{
    /// <summary>True while loading a file (not CONFIG SET).</summary>
    public bool FromFile { get; init; }

    /// <summary>The first `save` line of a load replaces the defaults; the later ones append.</summary>
    public bool SaveSeen { get; set; }

    internal static readonly ConfigLoadSession Runtime = new() { FromFile = false };
}

/// <summary>Sets a directive from its arguments. On <see cref="ConfigSetResult.Failed"/>, error holds Redis's reason.</summary>
public delegate ConfigSetResult ConfigSetter(ServerConfig config, string[] args, ConfigLoadSession session, out string? error);

/// <summary>One directive as declared in <see cref="ConfigRegistry"/>.</summary>
public sealed class ConfigDirective
{
    internal ConfigDirective(string name, string? alias, ConfigFlags flags, Func<ServerConfig, string> get,
        ConfigSetter set, Action<ServerConfig, ConfigRewriter.State> rewrite, ApplyKind apply)
    {
        Name = name;
        Alias = alias;
        Flags = flags;
        Get = get;
        Set = set;
        Rewrite = rewrite;
        Apply = apply;
    }

    /// <summary>Primary (lower-case) name.</summary>
    public string Name { get; }
    /// <summary>Legacy alias (slaveof, slave-read-only ...) or null.</summary>
    public string? Alias { get; }
    public ConfigFlags Flags { get; }
    public ApplyKind Apply { get; }

    /// <summary>The CONFIG GET text of the value.</summary>
    public Func<ServerConfig, string> Get { get; }

    /// <summary>Parses and stores a value (file line arguments or CONFIG SET value split on spaces).</summary>
    public ConfigSetter Set { get; }

    /// <summary>Emits this directive's lines into a CONFIG REWRITE state.</summary>
    internal Action<ServerConfig, ConfigRewriter.State> Rewrite { get; }

    public bool Has(ConfigFlags f) => (Flags & f) != 0;

    public override string ToString() => Name;
}

/// <summary>An enum config's names and values (Redis's configEnum arrays).</summary>
public sealed class ConfigEnum(params (string Name, int Value)[] items)
{
    public IReadOnlyList<(string Name, int Value)> Items { get; } = items;

    /// <summary>Redis's configEnumGetValue: null when any argument is unknown or the count is wrong.</summary>
    public int? Parse(string[] args, bool bitFlags)
    {
        if (args.Length == 0 || (!bitFlags && args.Length != 1)) return null;
        int values = 0;
        foreach (var a in args)
        {
            bool matched = false;
            foreach (var (name, value) in Items)
            {
                if (!string.Equals(a, name, StringComparison.OrdinalIgnoreCase)) continue;
                values |= value;
                matched = true;
            }
            if (!matched) return null;
        }
        return values;
    }

    /// <summary>Redis's configEnumGetName: the first exact match, else (bit flags) the names covering the bits, else "unknown".</summary>
    public string NameOf(int values, bool bitFlags)
    {
        var names = new List<string>();
        int unmatched = values;
        foreach (var (name, value) in Items)
        {
            if (values == value) return name;
            if (bitFlags && value != 0 && value == (unmatched & value))
            {
                names.Add(name);
                unmatched &= ~value;
            }
        }
        return names.Count == 0 || unmatched != 0 ? "unknown" : string.Join(' ', names);
    }

    /// <summary>"argument(s) must be one of the following: a, b, c", cut to Redis's 255-byte buffer.</summary>
    public string Error()
    {
        string s = "argument(s) must be one of the following: " + string.Join(", ", Items.Select(i => i.Name));
        return s.Length > 255 ? s[..255] : s;
    }
}
