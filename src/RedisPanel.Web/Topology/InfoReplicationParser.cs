// INFO text (any sections) → the fields the dashboard shows. One parser for every node: in-process nodes hand
// over their INFO replication text produced under the node lock, external ones answer INFO over RESP.
using System.Collections.Immutable;
using System.Globalization;

namespace RedisPanel.Web.Topology;

public static class InfoReplicationParser
{
    /// <summary>The "name:value" lines of an INFO reply ("# Section" headers and blank lines skipped).</summary>
    public static Dictionary<string, string> ParseFields(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#') continue;
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            fields[line[..colon]] = line[(colon + 1)..];
        }
        return fields;
    }

    /// <summary>The replication view of an INFO (or INFO replication) text.</summary>
    public static ReplicationView Parse(string info) => FromFields(ParseFields(info));

    /// <summary>The replication view of parsed INFO fields; missing fields read as Redis's "none" values.</summary>
    public static ReplicationView FromFields(IReadOnlyDictionary<string, string> f)
    {
        var replicas = ImmutableArray.CreateBuilder<ReplicaEntry>();
        int count = (int)Long(f, "connected_slaves", 0);
        for (int i = 0; i < count; i++)
        {
            if (!f.TryGetValue($"slave{i}", out var line)) continue;
            var kv = line.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            replicas.Add(new ReplicaEntry(kv.GetValueOrDefault("ip", ""), (int)Long(kv, "port", 0), kv.GetValueOrDefault("state", ""),
                Long(kv, "offset", 0), Long(kv, "lag", 0)));
        }
        MasterLinkView? link = null;
        if (f.TryGetValue("role", out var role) && role == "slave")
        {
            link = new MasterLinkView(
                f.GetValueOrDefault("master_host", ""),
                (int)Long(f, "master_port", 0),
                f.GetValueOrDefault("master_link_status") == "up",
                Long(f, "master_last_io_seconds_ago", -1),
                Long(f, "master_link_down_since_seconds", -1),
                Long(f, "master_sync_in_progress", 0) == 1,
                Long(f, "master_sync_total_bytes", -1),
                Long(f, "master_sync_read_bytes", 0),
                double.TryParse(f.GetValueOrDefault("master_sync_perc"), NumberStyles.Float, CultureInfo.InvariantCulture, out double perc) ? perc : 0,
                Long(f, "slave_repl_offset", 0),
                Long(f, "slave_read_only", 1) == 1);
        }
        string zeros = new('0', 40);
        return new ReplicationView(
            f.GetValueOrDefault("master_replid", zeros),
            f.GetValueOrDefault("master_replid2", zeros),
            Long(f, "master_repl_offset", 0),
            Long(f, "second_repl_offset", -1),
            Long(f, "repl_backlog_active", 0) == 1,
            Long(f, "repl_backlog_size", 0),
            Long(f, "repl_backlog_first_byte_offset", 0),
            Long(f, "repl_backlog_histlen", 0),
            new ValueList<ReplicaEntry>(replicas.ToImmutable()),
            link);
    }

    /// <summary>An integer field, or <paramref name="missing"/> when absent or not a number.</summary>
    public static long Long(IReadOnlyDictionary<string, string> f, string name, long missing) =>
        f.TryGetValue(name, out var v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? n : missing;
}
