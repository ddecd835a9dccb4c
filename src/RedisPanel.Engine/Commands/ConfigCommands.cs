// CONFIG GET/SET/RESETSTAT/REWRITE/HELP (Redis 7.0's src/config.c), on top of Config/ConfigRegistry.
using System.Text;
using RedisPanel.Engine.Config;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static class ConfigCommands
{
    private static readonly string[] Help =
    [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t)
    {
        const CommandFlags admin = CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
        var config = t.AddContainer("config", -2, CommandFlags.None, "server");
        t.AddSub(config, "get", -3, admin, Get);
        t.AddSub(config, "set", -4, admin, Set);
        t.AddSub(config, "resetstat", 2, admin, ResetStat);
        t.AddSub(config, "rewrite", 2, admin, Rewrite);
        t.AddSub(config, "help", 2, CommandFlags.Loading | CommandFlags.Stale, HelpCommand);
    }

    private static void HelpCommand(CommandContext ctx)
    {
        ctx.Reply.ArrayHeader(Help.Length);
        foreach (var line in Help) ctx.Reply.SimpleString(line);
    }

    /// <summary>CONFIG GET pattern [pattern ...]: exact names (aliases too, echoed as typed) or globs over every
    /// non-hidden name; each directive once. RESP3 gets a map.</summary>
    private static void Get(CommandContext ctx)
    {
        var registry = ConfigRegistry.Default;
        var matches = new List<(string Name, ConfigDirective Directive)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 2; i < ctx.Args.Count; i++)
        {
            string pattern = ctx.Args.GetString(i);
            if (pattern.IndexOfAny(['[', '*', '?']) < 0)
            {
                if (seen.Contains(pattern)) continue;
                if (registry.Find(pattern) is { } d)
                {
                    seen.Add(pattern);
                    matches.Add((pattern, d));
                }
                continue;
            }
            var p = ctx.Args[i];
            foreach (var (name, d) in registry.Names)
            {
                if (d.Has(ConfigFlags.Hidden) || seen.Contains(name)) continue;
                if (!GlobMatcher.IsMatch(p, Encoding.UTF8.GetBytes(name), noCase: true)) continue;
                seen.Add(name);
                matches.Add((name, d));
            }
        }
        ctx.Reply.MapHeader(matches.Count);
        var config = ctx.Engine.Config;
        foreach (var (name, d) in matches)
        {
            ctx.Reply.Bulk(name);
            ctx.Reply.Bulk(d.Get(config));
        }
    }

    /// <summary>
    /// CONFIG SET name value [name value ...]: all or nothing. Every name is checked first (unknown, immutable,
    /// protected, loading, duplicate), then the values are set in order; a failure restores the old values.
    /// Apply steps (listener, hz, hooks) run once per directive after all values are in.
    /// </summary>
    private static void Set(CommandContext ctx)
    {
        var args = ctx.Args;
        if ((args.Count & 1) != 0)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        var engine = ctx.Engine;
        var config = engine.Config;
        int count = (args.Count - 2) / 2;
        var directives = new ConfigDirective[count];
        var registeredNames = new string[count];
        var values = new string[count];
        string? unknown = null, errArg = null, err = null;
        bool invalid = false, denyLoading = false;
        for (int i = 0; i < count; i++)
        {
            string name = args.GetString(2 + i * 2);
            var d = ConfigRegistry.Default.Find(name, out string registered);
            if (d is null)
            {
                if (!invalid)
                {
                    unknown = name;
                    invalid = true;
                }
                continue;
            }
            if (invalid) continue;
            if (d.Has(ConfigFlags.Immutable) || (d.Has(ConfigFlags.Protected) && !ctx.Client.AllowsProtectedAction(config.EnableProtectedConfigs)))
            {
                err = d.Has(ConfigFlags.Immutable) ? "can't set immutable config" : "can't set protected config";
                errArg = name;
                invalid = true;
                continue;
            }
            if (engine.Loading && d.Has(ConfigFlags.DenyLoading))
            {
                denyLoading = true;
                invalid = true;
                continue;
            }
            for (int j = 0; j < i; j++)
            {
                if (directives[j] != d) continue;
                err = "duplicate parameter";
                errArg = name;
                invalid = true;
                break;
            }
            directives[i] = d;
            registeredNames[i] = registered;
            values[i] = args.GetString(3 + i * 2);
        }

        if (!invalid)
        {
            var old = new string[count];
            for (int i = 0; i < count; i++) old[i] = directives[i].Get(config);
            var applies = new List<int>();
            for (int i = 0; i < count && !invalid; i++)
            {
                var result = ConfigRegistry.SetFromValue(directives[i], config, values[i], out err);
                if (result == ConfigSetResult.Failed)
                {
                    Restore(config, directives, old, i + 1);
                    errArg = registeredNames[i];
                    invalid = true;
                }
                else if (result == ConfigSetResult.Changed && directives[i].Apply != ApplyKind.None
                    && !applies.Exists(a => directives[a] == directives[i]))
                    applies.Add(i);
            }
            if (!invalid)
            {
                foreach (int i in applies)
                {
                    if (RunApply(directives[i], config, ctx.Engine) is not { } applyError) continue;
                    Restore(config, directives, old, count);
                    foreach (int k in applies) RunApply(directives[k], config, ctx.Engine);
                    err = applyError;
                    errArg = registeredNames[i];
                    invalid = true;
                    break;
                }
            }
        }

        if (!invalid)
        {
            ctx.Reply.Ok();
            return;
        }
        if (denyLoading) ctx.Reply.Error(Errors.Loading);
        else if (unknown is not null) ctx.Reply.Error($"ERR Unknown option or number of arguments for CONFIG SET - '{unknown}'");
        else if (err is not null) ctx.Reply.Error($"ERR CONFIG SET failed (possibly related to argument '{errArg}') - {err}");
        else ctx.Reply.Error($"ERR CONFIG SET failed (possibly related to argument '{errArg}')");
    }

    private static void Restore(ServerConfig config, ConfigDirective[] directives, string[] old, int count)
    {
        for (int i = 0; i < count; i++) ConfigRegistry.SetFromValue(directives[i], config, old[i], out _);
    }

    /// <summary>Redis's apply functions: hz is clamped; port/bind and other-layer settings go to the host's hook.</summary>
    private static string? RunApply(ConfigDirective d, ServerConfig config, RedisEngine engine)
    {
        switch (d.Apply)
        {
            case ApplyKind.External when d.Name == "appendonly":
                // The AOF lives in the engine (RedisEngine.Aof.cs): startAppendOnly / stopAppendOnly.
                return engine.ApplyAppendOnlyConfig();
            case ApplyKind.Hz:
                // Hz is a hint: out-of-range values are accepted and capped (Redis's updateHZ).
                config.Hz = Math.Clamp(config.Hz, 1, 500);
                return null;
            case ApplyKind.Listener:
                if (config.ApplyHook is { } listenerHook) return listenerHook(d.Name);
                return d.Name == "port" ? "Unable to listen on this port. Check server logs." : "Failed to bind to specified addresses.";
            case ApplyKind.External:
                return config.ApplyHook?.Invoke(d.Name);
            default:
                return null;
        }
    }

    private static void ResetStat(CommandContext ctx)
    {
        var engine = ctx.Engine;
        engine.Stats.Reset();
        foreach (var def in engine.Table.All)
        {
            ResetCommandStats(def);
            if (def.Subcommands is { } subs)
                foreach (var sub in subs.Values) ResetCommandStats(sub);
        }
        ctx.Reply.Ok();
    }

    private static void ResetCommandStats(CommandDef def)
    {
        def.Calls = 0;
        def.Microseconds = 0;
        def.RejectedCalls = 0;
        def.FailedCalls = 0;
    }

    private static void Rewrite(CommandContext ctx)
    {
        var config = ctx.Engine.Config;
        if (config.ConfigFile is not { } path)
        {
            ctx.Reply.Error("ERR The server is running without a config file");
            return;
        }
        if (ConfigRewriter.Rewrite(config, path) is { } error)
        {
            ctx.Reply.Error("ERR Rewriting config file: " + error);
            return;
        }
        ctx.Reply.Ok();
    }
}
