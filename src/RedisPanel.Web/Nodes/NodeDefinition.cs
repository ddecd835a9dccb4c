namespace RedisPanel.Web.Nodes;

/// <summary>
/// One entry of the <c>Nodes</c> section of appsettings.json: either inline settings (Port, ReplicaOf, Bind) or a
/// <see cref="ConfigFile"/> (a redis.conf, parsed like redis-server does). Inline values override the file's.
/// </summary>
public sealed class NodeDefinition
{
    /// <summary>Display name, unique in the process; defaults to the port.</summary>
    public string? Name { get; set; }

    /// <summary>TCP port; 0 asks the OS for a free one (kept across restarts once bound).</summary>
    public int? Port { get; set; }

    /// <summary>Listen addresses (Redis's <c>bind</c>); default 127.0.0.1.</summary>
    public string[]? Bind { get; set; }

    /// <summary>Redis's <c>replicaof</c>: "host port".</summary>
    public string? ReplicaOf { get; set; }

    /// <summary>Path of a redis.conf, relative to the content root (the folder holding appsettings.json).</summary>
    public string? ConfigFile { get; set; }
}

/// <summary>Bound from the configuration root: the nodes the dashboard starts with.</summary>
public sealed class NodeManagerOptions
{
    public List<NodeDefinition> Nodes { get; set; } = new();

    /// <summary>Parent of each node's working directory (its `dir`: dump.rdb ...), relative to the content root.</summary>
    public string DataDirectory { get; set; } = "data";
}

/// <summary>
/// Parses a redis.conf into a node's settings; throws with a user-facing message when the file is unreadable or
/// invalid (the node then shows Failed with that message).
/// </summary>
public delegate RedisPanel.Engine.Config.ServerConfig LoadConfigFile(string path);
