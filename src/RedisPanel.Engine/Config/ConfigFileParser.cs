// redis.conf reading with Redis 7.0.15's rules (loadServerConfig / loadServerConfigFromString in src/config.c):
// lines split on '\n' and trimmed; '#' and blank lines skipped; arguments split like sdssplitargs (quotes,
// escapes); the directive name is case-insensitive; single-value directives need exactly one argument; a
// multi-argument directive given one non-empty argument has it split again (replicaof "host port"); later lines
// override earlier ones, except save lines which accumulate (the first replaces the defaults); `include` reads
// another file at that point (globs allowed, no match is fine; a plain path that cannot be opened is fatal).
// Command-line options become config lines appended after the file, as redis-server does.
using System.Text;
using RedisPanel.Protocol;

namespace RedisPanel.Engine.Config;

public static class ConfigFileParser
{
    /// <summary>Name used in errors for lines that came from command-line options.</summary>
    public const string CommandLineSource = "command line";

    // Redis ignores these old directives when given with exactly one argument (deprecated_configs).
    private static readonly string[] Deprecated = ["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

    /// <summary>Loads a config file without overrides (usable as a method group, e.g. the web host's LoadConfigFile).</summary>
    /// <exception cref="ConfigFileException">A line Redis would refuse, or a file that cannot be opened.</exception>
    public static ServerConfig Load(string path) => Load(path, null);

    /// <summary>
    /// Loads a config file like redis-server: the file, then <paramref name="overrides"/> (config lines such as
    /// "port 6380", typically from <see cref="CommandLineToLines"/>) appended after it, so they win. Sets
    /// <see cref="ServerConfig.ConfigFile"/> to the absolute path (CONFIG REWRITE target).
    /// </summary>
    /// <exception cref="ConfigFileException">A line Redis would refuse, or a file that cannot be opened.</exception>
    public static ServerConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        var config = new ServerConfig();
        string full = Path.GetFullPath(path);
        string text = ReadFile(full);
        var session = new ConfigLoadSession { FromFile = true };
        var extra = overrides?.ToList() ?? [];
        int fileLines = text.Split('\n').Length;
        if (extra.Count > 0) text = text + "\n" + string.Join("\n", extra);
        ApplyText(config, text, full, session, fileLines);
        FinishLoad(config, full);
        config.ConfigFile = full;
        return config;
    }

    /// <summary>
    /// Applies config text to an existing config (for hosts that build a config without a file, or layer
    /// per-node settings). <paramref name="sourceName"/> names the text in errors.
    /// </summary>
    /// <exception cref="ConfigFileException">A line Redis would refuse.</exception>
    public static void Apply(ServerConfig config, string text, string sourceName)
    {
        ApplyText(config, text, sourceName, new ConfigLoadSession { FromFile = true }, int.MaxValue);
        FinishLoad(config, sourceName);
    }

    /// <summary>
    /// Turns redis-server style arguments into (config file, config lines): the first argument is the file unless
    /// it starts with '-'; "--name v1 v2" becomes the line "name "v1" "v2"" (values quoted like sdscatrepr);
    /// a bare "--save" (last, or followed by another option) means save "".
    /// </summary>
    public static (string? ConfigFile, List<string> Lines) CommandLineToLines(IReadOnlyList<string> args)
    {
        string? file = null;
        int j = 0;
        if (args.Count > 0 && !args[0].StartsWith('-'))
        {
            file = args[0];
            j = 1;
        }
        var lines = new List<string>();
        StringBuilder? current = null;
        bool handledLast = true;
        for (; j < args.Count; j++)
        {
            string a = args[j];
            if (handledLast && a.StartsWith("--", StringComparison.Ordinal))
            {
                if (current is not null) lines.Add(current.ToString());
                current = new StringBuilder(a[2..]).Append(' ');
                var split = InlineSplitter.Split(Encoding.UTF8.GetBytes(a));
                if (split is { Count: 1 })
                {
                    handledLast = false;
                    bool nextIsOption = j != args.Count - 1 && args[j + 1].StartsWith("--", StringComparison.Ordinal);
                    if (string.Equals(a, "--save", StringComparison.OrdinalIgnoreCase) && (nextIsOption || j == args.Count - 1))
                    {
                        current.Append("\"\"");
                        handledLast = true;
                    }
                }
                else handledLast = true;
            }
            else
            {
                current ??= new StringBuilder();
                current.Append(ConfigText.Repr(a)).Append(' ');
                handledLast = true;
            }
        }
        if (current is not null) lines.Add(current.ToString());
        return (file, lines);
    }

    private static string ReadFile(string path)
    {
        try
        {
            if (Directory.Exists(path)) return ""; // fopen() of a directory succeeds and reads nothing
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw ConfigFileException.CannotOpen(path, ConfigText.StrError(ex));
        }
    }

    private static void ApplyText(ServerConfig config, string text, string sourceName, ConfigLoadSession session, int fileLines)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            string line = lines[i].Trim(' ', '\t', '\r', '\n');
            if (line.Length == 0 || line[0] == '#') continue;
            string source = lineNo > fileLines ? CommandLineSource : sourceName;
            var parts = InlineSplitter.Split(Encoding.UTF8.GetBytes(line));
            if (parts is null) throw new ConfigFileException(source, lineNo, line, "Unbalanced quotes in configuration line");
            if (parts.Count == 0) continue;
            string[] argv = parts.Select(p => Encoding.UTF8.GetString(p)).ToArray();
            string name = argv[0].ToLowerInvariant();
            if (ApplyLine(config, name, argv, session) is { } error)
                throw new ConfigFileException(source, lineNo, line, error);
        }
    }

    /// <summary>One parsed line; returns Redis's error reason or null.</summary>
    private static string? ApplyLine(ServerConfig config, string name, string[] argv, ConfigLoadSession session)
    {
        if (ConfigRegistry.Default.Find(name) is { } d)
        {
            bool multi = d.Has(ConfigFlags.MultiArg);
            if (!multi && argv.Length != 2) return "wrong number of arguments";
            string[] args;
            if (multi && argv.Length == 2 && argv[1].Length > 0)
            {
                // One argument for a multi-arg directive: split it again, so --replicaof "127.0.0.1 6379" works.
                var again = InlineSplitter.Split(Encoding.UTF8.GetBytes(argv[1]));
                if (again is null) return "Unbalanced quotes in configuration line";
                args = again.Select(p => Encoding.UTF8.GetString(p)).ToArray();
            }
            else args = argv[1..];
            return d.Set(config, args, session, out string? error) == ConfigSetResult.Failed ? error ?? "unknown error" : null;
        }
        if (argv.Length == 2 && Deprecated.Contains(name)) return null;
        switch (name)
        {
            case "include" when argv.Length == 2:
                Include(config, argv[1], session);
                return null;
            case "rename-command" when argv.Length == 3:
                if (CommandTable.CreateDefault().Find(argv[1]) is null) return "No such command in rename-command";
                config.RenamedCommands.Add((argv[1], argv[2]));
                return null;
            case "user" when argv.Length >= 2:
                config.UserLines.Add(string.Join(' ', argv));
                return null;
            case "loadmodule" when argv.Length >= 2:
                // Redis would try to load the shared object at start-up; RedisPanel cannot host Redis modules.
                return $"Module loading is not supported by RedisPanel ('{argv[1]}')";
            case "sentinel":
                return argv.Length != 1 ? "sentinel directive while not in sentinel mode" : null;
        }
        if (name.Contains('.'))
        {
            // Module configs ("module.name value") are queued by Redis until the module loads.
            if (argv.Length < 2) return "Module config specified without value";
            config.Stored[name] = string.Join(' ', argv[1..]);
            return null;
        }
        return "Bad directive or wrong number of arguments";
    }

    private static void Include(ServerConfig config, string path, ConfigLoadSession session)
    {
        // Relative paths resolve against the working directory Redis would have at this point: the process's,
        // changed by any earlier `dir` line (Redis chdir()s while parsing; ServerConfig.Dir models that).
        string full = Path.GetFullPath(path, config.Dir);
        if (path.IndexOfAny(['*', '?', '[']) >= 0)
        {
            // glob(3): matches in alphabetical order; no match is silently fine (empty conf.d directories).
            string dir = Path.GetDirectoryName(full) ?? "/";
            string pattern = Path.GetFileName(full);
            if (!Directory.Exists(dir)) return;
            var matches = Directory.GetFileSystemEntries(dir)
                .Where(f => Storage.GlobMatcher.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(Path.GetFileName(f))))
                .Order(StringComparer.Ordinal)
                .ToList();
            // Redis concatenates every match and parses the whole as one text.
            var sb = new StringBuilder();
            foreach (var m in matches) sb.Append(ReadFile(m));
            if (matches.Count > 0) ApplyText(config, sb.ToString(), string.Join(", ", matches), session, int.MaxValue);
            return;
        }
        ApplyText(config, ReadFile(full), full, session, int.MaxValue);
    }

    /// <summary>The checks Redis makes after the last line: the log file must be openable; hz is clamped.</summary>
    private static void FinishLoad(ServerConfig config, string sourceName)
    {
        if (config.LogFile.Length > 0)
        {
            try
            {
                using var _ = new FileStream(Path.GetFullPath(config.LogFile, config.Dir), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigFileException(sourceName, 0, null, "Can't open the log file: " + ConfigText.StrError(ex));
            }
        }
        config.Hz = Math.Clamp(config.Hz, 1, 500);
    }
}
