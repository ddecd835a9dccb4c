// Redis's "special" directives (createSpecialConfig in src/config.c): each has its own parsing, CONFIG GET form
// and CONFIG REWRITE form. dir, save, client-output-buffer-limit, oom-score-adj-values, notify-keyspace-events,
// bind, replicaof (alias slaveof), latency-tracking-info-percentiles.
using System.Globalization;
using F = RedisPanel.Engine.Config.ConfigFlags;

namespace RedisPanel.Engine.Config;

public sealed partial class ConfigRegistry
{
    /// <summary>Redis's built-in bind default (CONFIG_DEFAULT_BINDADDR); CONFIG REWRITE omits bind when equal.</summary>
    private static readonly string[] RedisDefaultBind = ["*", "-::*"];

    private static readonly string[] ObufClassNames = ["normal", "slave", "pubsub"];

    private static readonly ClientOutputBufferLimit[] ObufDefaults =
        [new(0, 0, 0), new(256L * 1024 * 1024, 64L * 1024 * 1024, 60), new(32L * 1024 * 1024, 8L * 1024 * 1024, 60)];

    private static readonly int[] OomDefaults = [0, 200, 800];

    private static ConfigDirective[] Special() =>
    [
        new("dir", null, F.Protected | F.DenyLoading, c => c.Dir, SetDir,
            (c, st) => st.RewriteLine("dir", "dir " + ConfigText.Repr(c.Dir), true), ApplyKind.None),
        new("save", null, F.MultiArg, GetSave, SetSave, RewriteSave, ApplyKind.None),
        new("client-output-buffer-limit", null, F.MultiArg, GetObuf, SetObuf, RewriteObuf, ApplyKind.None),
        new("oom-score-adj-values", null, F.MultiArg, c => string.Join(' ', GetOom(c)), SetOom,
            (c, st) => st.RewriteLine("oom-score-adj-values", "oom-score-adj-values " + string.Join(' ', GetOom(c)),
                !GetOom(c).SequenceEqual(OomDefaults)), ApplyKind.None),
        new("notify-keyspace-events", null, F.None, c => ConfigText.FormatNotifyFlags(c.NotifyKeyspaceEvents), SetNotify,
            (c, st) => st.RewriteLine("notify-keyspace-events",
                "notify-keyspace-events " + ConfigText.Repr(ConfigText.FormatNotifyFlags(c.NotifyKeyspaceEvents)),
                c.NotifyKeyspaceEvents != 0), ApplyKind.None),
        new("bind", null, F.MultiArg, c => string.Join(' ', c.Bind), SetBind, RewriteBind, ApplyKind.Listener),
        new("replicaof", "slaveof", F.Immutable | F.MultiArg, c => c.ReplicaOf ?? "", SetReplicaOf, RewriteReplicaOf, ApplyKind.None),
        new("latency-tracking-info-percentiles", null, F.MultiArg, GetPercentiles, SetPercentiles,
            (c, st) =>
            {
                string v = GetPercentiles(c);
                st.RewriteLine("latency-tracking-info-percentiles",
                    "latency-tracking-info-percentiles " + (v.Length == 0 ? "\"\"" : v), true);
            }, ApplyKind.None),
    ];

    // ---- dir: Redis chdir()s; a node must not, so Dir holds the absolute path and relative values resolve
    // against the current Dir exactly as a chdir would.
    private static ConfigSetResult SetDir(ServerConfig c, string[] args, ConfigLoadSession s, out string? error)
    {
        error = null;
        if (args.Length != 1)
        {
            error = "wrong number of arguments";
            return ConfigSetResult.Failed;
        }
        string path;
        try
        {
            path = Path.GetFullPath(args[0], c.Dir);
        }
        catch (ArgumentException)
        {
            error = "No such file or directory";
            return ConfigSetResult.Failed;
        }
        if (!Directory.Exists(path))
        {
            error = File.Exists(path) ? "Not a directory" : "No such file or directory";
            return ConfigSetResult.Failed;
        }
        path = Path.TrimEndingDirectorySeparator(path);
        if (path.Length == 0) path = "/";
        c.Dir = path;
        return ConfigSetResult.Changed;
    }

    // ---- save
    private static string GetSave(ServerConfig c) =>
        string.Join(' ', c.SavePoints.Select(p => $"{p.Seconds} {p.Changes}"));

    private static ConfigSetResult SetSave(ServerConfig c, string[] args, ConfigLoadSession s, out string? error)
    {
        error = null;
        // A single "" argument means no save points (save ""): Redis clears them right away, even mid-file.
        if (args.Length == 1 && args[0].Length == 0)
        {
            c.SavePoints = new();
            args = [];
        }
        if ((args.Length & 1) != 0)
        {
            error = "Invalid save parameters";
            return ConfigSetResult.Failed;
        }
        var points = new List<(int, int)>();
        for (int j = 0; j < args.Length; j++)
        {
            long v = ConfigText.CStrtoll(args[j], 10, out bool complete, out _);
            if (!complete || ((j & 1) == 0 && v < 1) || ((j & 1) == 1 && v < 0))
            {
                error = "Invalid save parameters";
                return ConfigSetResult.Failed;
            }
        }
        for (int j = 0; j < args.Length; j += 2)
        {
            long seconds = ConfigText.CStrtoll(args[j], 10, out _, out _);
            long changes = ConfigText.CStrtoll(args[j + 1], 10, out _, out _);
            points.Add(((int)Math.Min(seconds, int.MaxValue), unchecked((int)changes)));
        }
        // In a file, the first save line replaces the defaults and later ones append; CONFIG SET replaces.
        if (!s.FromFile || !s.SaveSeen)
        {
            c.SavePoints = new();
            s.SaveSeen = s.FromFile;
        }
        c.SavePoints.AddRange(points);
        return ConfigSetResult.Changed;
    }

    private static void RewriteSave(ServerConfig c, ConfigRewriter.State st)
    {
        if (c.SavePoints.Count == 0) st.RewriteLine("save", "save \"\"", true);
        else
            foreach (var (sec, ch) in c.SavePoints) st.RewriteLine("save", $"save {sec} {ch}", true);
        st.MarkProcessed("save");
    }

    // ---- client-output-buffer-limit <class> <hard> <soft> <seconds> [...]
    private static string GetObuf(ServerConfig c) => string.Join(' ', c.ClientOutputBufferLimits.Select((l, i) =>
        $"{ObufClassNames[i]} {(ulong)l.HardBytes} {(ulong)l.SoftBytes} {l.SoftSeconds}"));

    private static ConfigSetResult SetObuf(ServerConfig c, string[] args, ConfigLoadSession s, out string? error)
    {
        error = null;
        if (args.Length % 4 != 0)
        {
            error = "Wrong number of arguments in buffer limit configuration.";
            return ConfigSetResult.Failed;
        }
        var values = (ClientOutputBufferLimit[])c.ClientOutputBufferLimits.Clone();
        for (int j = 0; j < args.Length; j += 4)
        {
            int cls = args[j].ToLowerInvariant() switch
            {
                "normal" => 0,
                "slave" or "replica" => 1,
                "pubsub" => 2,
                _ => -1, // "master" is a client type too, but not a buffer-limit class
            };
            if (cls < 0)
            {
                error = "Invalid client class specified in buffer limit configuration.";
                return ConfigSetResult.Failed;
            }
            bool hardOk = ConfigText.TryParseMemory(args[j + 1], out ulong hard);
            bool softOk = ConfigText.TryParseMemory(args[j + 2], out ulong soft);
            long seconds = unchecked((int)ConfigText.CStrtoll(args[j + 3], 10, out bool complete, out _));
            if (!hardOk || !softOk || seconds < 0 || !complete)
            {
                error = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
                return ConfigSetResult.Failed;
            }
            values[cls] = new ClientOutputBufferLimit(unchecked((long)hard), unchecked((long)soft), seconds);
        }
        c.ClientOutputBufferLimits = values;
        return ConfigSetResult.Changed;
    }

    private static void RewriteObuf(ServerConfig c, ConfigRewriter.State st)
    {
        for (int j = 0; j < 3; j++)
        {
            var l = c.ClientOutputBufferLimits[j];
            string type = j == 1 ? "replica" : ObufClassNames[j];
            st.RewriteLine("client-output-buffer-limit",
                $"client-output-buffer-limit {type} {ConfigText.FormatMemory(l.HardBytes)} {ConfigText.FormatMemory(l.SoftBytes)} {l.SoftSeconds}",
                l != ObufDefaults[j]);
        }
    }

    // ---- oom-score-adj-values (stored)
    private static int[] GetOom(ServerConfig c) =>
        c.Stored.TryGetValue("oom-score-adj-values", out var v) ? v.Split(' ').Select(int.Parse).ToArray() : OomDefaults;

    private static ConfigSetResult SetOom(ServerConfig c, string[] args, ConfigLoadSession s, out string? error)
    {
        error = null;
        if (args.Length != 3)
        {
            error = "wrong number of arguments";
            return ConfigSetResult.Failed;
        }
        var values = new int[3];
        for (int i = 0; i < 3; i++)
        {
            long v = ConfigText.CStrtoll(args[i], 10, out bool complete, out _);
            if (!complete || v < -2000 || v > 2000)
            {
                error = "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
                return ConfigSetResult.Failed;
            }
            values[i] = (int)v;
        }
        if (values.SequenceEqual(GetOom(c))) return ConfigSetResult.Unchanged;
        c.Stored["oom-score-adj-values"] = string.Join(' ', values);
        return ConfigSetResult.Changed;
    }

    // ---- notify-keyspace-events
    private static ConfigSetResult SetNotify(ServerConfig c, string[] args, ConfigLoadSession s, out string? error)
    {
        error = null;
        if (args.Length != 1)
        {
            error = "wrong number of arguments";
            return ConfigSetResult.Failed;
        }
        int flags = ConfigText.ParseNotifyFlags(args[0]);
        if (flags == -1)
        {
            error = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
            return ConfigSetResult.Failed;
        }
        c.NotifyKeyspaceEvents = flags;
        return ConfigSetResult.Changed;
    }

    // ---- bind
    private static ConfigSetResult SetBind(ServerConfig c, string[] args, ConfigLoadSession s, out string? error)
    {
        error = null;
        if (args.Length > 16)
        {
            error = "Too many bind addresses specified.";
            return ConfigSetResult.Failed;
        }
        // A single empty argument means no address at all (Redis then refuses to start: nothing to listen on).
        c.Bind = args.Length == 1 && args[0].Length == 0 ? [] : (string[])args.Clone();
        return ConfigSetResult.Changed;
    }

    private static void RewriteBind(ServerConfig c, ConfigRewriter.State st)
    {
        if (c.Bind.SequenceEqual(RedisDefaultBind))
        {
            st.MarkProcessed("bind");
            return;
        }
        st.RewriteLine("bind", "bind " + (c.Bind.Length > 0 ? string.Join(' ', c.Bind) : "\"\""), true);
    }

    // ---- replicaof <host> <port> | no one
    private static ConfigSetResult SetReplicaOf(ServerConfig c, string[] args, ConfigLoadSession s, out string? error)
    {
        error = null;
        if (args.Length != 2)
        {
            error = "wrong number of arguments";
            return ConfigSetResult.Failed;
        }
        c.ReplicaOf = null;
        if (string.Equals(args[0], "no", StringComparison.OrdinalIgnoreCase) && string.Equals(args[1], "one", StringComparison.OrdinalIgnoreCase))
            return ConfigSetResult.Changed;
        // strtol: white space and a sign are accepted, trailing garbage is not.
        long port = ConfigText.CStrtoll(args[1], 10, out bool complete, out _);
        if (port < 0 || port > 65535 || !complete)
        {
            error = "Invalid master port";
            return ConfigSetResult.Failed;
        }
        c.ReplicaOf = $"{args[0]} {port}";
        return ConfigSetResult.Changed;
    }

    private static void RewriteReplicaOf(ServerConfig c, ConfigRewriter.State st)
    {
        // A master drops every replicaof/slaveof line; a replica writes "replicaof <host> <port>".
        if (c.ReplicaOf is null)
        {
            st.MarkProcessed("replicaof");
            return;
        }
        st.RewriteLine("replicaof", "replicaof " + c.ReplicaOf, true);
    }

    // ---- latency-tracking-info-percentiles (stored)
    private static string GetPercentiles(ServerConfig c) =>
        c.Stored.TryGetValue("latency-tracking-info-percentiles", out var v) ? v : "50 99 99.9";

    private static ConfigSetResult SetPercentiles(ServerConfig c, string[] args, ConfigLoadSession s, out string? error)
    {
        error = null;
        if (args.Length == 1 && args[0].Length == 0) args = [];
        var parts = new List<string>();
        foreach (var a in args)
        {
            if (!CommandContext.TryParseDouble(System.Text.Encoding.UTF8.GetBytes(a), out double p))
            {
                error = "Invalid latency-tracking-info-percentiles parameters";
                c.Stored["latency-tracking-info-percentiles"] = ""; // Redis clears the list on error
                return ConfigSetResult.Failed;
            }
            if (p > 100.0 || p < 0.0)
            {
                error = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
                c.Stored["latency-tracking-info-percentiles"] = "";
                return ConfigSetResult.Failed;
            }
            // "%f" then trailing zeros trimmed (Redis's trimDoubleString).
            string f = p.ToString("F6", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
            parts.Add(f);
        }
        c.Stored["latency-tracking-info-percentiles"] = string.Join(' ', parts);
        return ConfigSetResult.Changed;
    }
}
