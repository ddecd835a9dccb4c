using RedisPanel.Engine.Config;

namespace RedisPanel.Node;

/// <summary>How to create a node: its display name and its settings (usually parsed from a redis.conf).</summary>
public sealed class NodeOptions
{
    public string Name { get; set; } = "node";
    public ServerConfig Config { get; set; } = new();
    /// <summary>Seed for the node's random source (tests); null for a random one.</summary>
    public int? RandomSeed { get; set; }
    public TimeProvider Time { get; set; } = TimeProvider.System;
}
