using System.Globalization;
using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Components.Topology;

/// <summary>The sentences the confirmation dialogs show, computed from the nodes (pure, so they are tested as text).</summary>
public static class ActionTexts
{
    /// <summary>
    /// What promoting a replica now costs: the writes its master has (master_repl_offset) that the replica has
    /// not applied yet (slave_repl_offset). REPLICAOF NO ONE keeps what the replica has; the rest is lost to it.
    /// </summary>
    public static string PromoteLoss(TopologyIndex index, NodeViewModel replica)
    {
        var master = index.MasterOf(replica);
        if (replica.Replication?.Link is not { } link)
            return $"{replica.Name} reports no link to a master: nothing to compare.";
        if (master is null)
            return $"Its master {link.MasterEndpoint} is not one of these nodes: the writes {replica.Name} has not received cannot be counted.";
        if (master.State != NodeState.Running || master.Replication is null)
            return $"Its master {master.Name} is not running: writes {replica.Name} has not received cannot be counted.";
        long missing = master.Replication.MasterReplOffset - link.ReplicaOffset;
        return missing <= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{replica.Name} is fully caught up with {master.Name} (offset {link.ReplicaOffset:N0}): no writes are lost.")
            : string.Create(CultureInfo.InvariantCulture,
                $"{replica.Name} would lose {missing:N0} {(missing == 1 ? "byte" : "bytes")} of writes: {master.Name} is at offset {master.Replication.MasterReplOffset:N0}, {replica.Name} at {link.ReplicaOffset:N0}.");
    }

    /// <summary>The former siblings that "re-point former siblings" would move under the promoted node.</summary>
    public static IReadOnlyList<string> Siblings(TopologyIndex index, NodeViewModel replica) =>
        index.MasterOf(replica) is { } master
            ? index.ReplicasOf(master).Where(n => n.Name != replica.Name).Select(n => n.Name).ToList()
            : [];

    public static string Switchover(TopologyIndex index, NodeViewModel replica) =>
        index.MasterOf(replica) is { } master
            ? $"{master.Name} stops taking writes until {replica.Name} has caught up, then they swap roles (FAILOVER TO). No writes are lost."
            : $"{replica.Name}'s master is not one of these nodes: a switchover needs both.";

    public static string Detach(NodeViewModel replica) =>
        $"{replica.Name} stops replicating (REPLICAOF NO ONE) and keeps its data; no other node is touched.";

    public static string Remove(NodeViewModel node) => node.External
        ? $"Forget the external node {node.Name}? The server itself is not touched."
        : $"Remove node {node.Name}? Its data is dropped.";
}
