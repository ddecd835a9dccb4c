namespace RedisPanel.Web.Components.Topology.Dialogs;

/// <summary>What the promote dialog closes with.</summary>
public sealed record PromoteChoice(bool RepointSiblings);

/// <summary>What the attach dialog closes with.</summary>
public sealed record ExternalTarget(string Host, int Port, string? Password);
