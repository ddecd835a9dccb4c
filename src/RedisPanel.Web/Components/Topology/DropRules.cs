// What dropping one node on another would do (REPLICAOF target), predicted from INFO replication before the
// operator lets go. The partial/full prediction follows Redis 7.0's master side of PSYNC
// (masterTryPartialResynchronization): the replica asks for <replid> <offset+1>; the master accepts when the id is
// its replid, or its replid2 with offset+1 <= second_repl_offset, and offset+1 lies in its backlog window
// [repl_backlog_first_byte_offset, first_byte_offset + repl_backlog_histlen]; anything else is a full resync.
using System.Globalization;
using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Components.Topology;

public enum DropKind
{
    /// <summary>The drop would be refused (itself, a cycle, a node that is not running, already its master).</summary>
    Refused,
    PartialResync,
    FullResync,
}

/// <summary>The what-if of a drop: its kind, a one-line headline and the sentence shown to the operator.</summary>
/// <param name="MakesChain">The target is itself a replica: the dragged node becomes a replica of a replica.</param>
public sealed record DropVerdict(DropKind Kind, string Headline, string Text, bool MakesChain = false)
{
    public bool Allowed => Kind != DropKind.Refused;
}

/// <summary>Pure rules for drag and drop (and the "Replicate from…" dialog, which lists the same verdicts).</summary>
public static class DropRules
{
    public static DropVerdict Evaluate(IReadOnlyList<NodeViewModel> nodes, string dragged, string target)
    {
        var index = new TopologyIndex(nodes);
        return index.Find(dragged) is { } d && index.Find(target) is { } t
            ? Evaluate(index, d, t)
            : Refuse("unknown node");
    }

    public static DropVerdict Evaluate(TopologyIndex index, NodeViewModel dragged, NodeViewModel target)
    {
        if (dragged.Name == target.Name) return Refuse($"{dragged.Name} cannot replicate from itself");
        if (index.ReplicatesFrom(target, dragged))
        {
            var path = index.Upstream(target).TakeWhile(m => m.Name != dragged.Name).Select(m => m.Name).ToList();
            string via = path.Count == 0 ? "" : " through " + string.Join(" → ", path);
            return Refuse($"would make a cycle: {target.Name} already replicates from {dragged.Name}{via}");
        }
        if (dragged.State != NodeState.Running) return Refuse($"{dragged.Name} is not running");
        if (target.State != NodeState.Running) return Refuse($"{target.Name} is not running");
        if (index.MasterOf(dragged)?.Name == target.Name) return Refuse($"{dragged.Name} already replicates from {target.Name}");

        bool chain = TopologyIndex.IsReplica(target);
        string chainNote = chain
            ? $" {target.Name} is itself a replica{(index.MasterOf(target) is { } tm ? " of " + tm.Name : "")}: this makes a chain."
            : "";

        if (PredictsPartial(dragged, target, out long offset))
            return new DropVerdict(DropKind.PartialResync, "partial resync expected",
                string.Create(CultureInfo.InvariantCulture,
                    $"partial resync expected: {dragged.Name} continues from offset {offset + 1:N0} in {target.Name}'s backlog, its data is kept.{chainNote}"),
                chain);

        return new DropVerdict(DropKind.FullResync, "full resync",
            string.Create(CultureInfo.InvariantCulture,
                $"full resync: {dragged.Keys:N0} {(dragged.Keys == 1 ? "key" : "keys")} on {dragged.Name} will be replaced by {target.Name}'s data.{chainNote}"),
            chain);
    }

    /// <summary>
    /// Whether PSYNC from <paramref name="dragged"/> to <paramref name="target"/> can continue. The history the
    /// dragged node offers is its master_replid (a replica reports its master's id there, which is what it caches)
    /// and its offset: slave_repl_offset on a replica, master_repl_offset on a master.
    /// </summary>
    public static bool PredictsPartial(NodeViewModel dragged, NodeViewModel target, out long offset)
    {
        offset = 0;
        if (dragged.Replication is not { } mine || target.Replication is not { } theirs) return false;
        offset = mine.Link?.ReplicaOffset ?? mine.MasterReplOffset;
        if (mine.Link is { ReplicaOffset: <= 0 }) offset = mine.MasterReplOffset; // never synced: no history on the link
        long psyncOffset = offset + 1;
        bool sameHistory = string.Equals(mine.ReplId, theirs.ReplId, StringComparison.OrdinalIgnoreCase)
            || (string.Equals(mine.ReplId, theirs.ReplId2, StringComparison.OrdinalIgnoreCase) && psyncOffset <= theirs.SecondReplOffset);
        if (!sameHistory || IsZeroId(mine.ReplId)) return false;
        return theirs.BacklogActive
            && psyncOffset >= theirs.BacklogFirstByteOffset
            && psyncOffset <= theirs.BacklogFirstByteOffset + theirs.BacklogHistLen;
    }

    private static bool IsZeroId(string id) => id.All(c => c == '0');

    private static DropVerdict Refuse(string why) => new(DropKind.Refused, "not possible", why);
}
