// Where each card of the topology graph goes, computed in C# so the graph renders without any script:
// masters in the top row, their replicas under them, a replica of a replica under its own master (a chain is
// drawn as a chain). Each subtree gets as many columns as its widest row; a parent sits centred over its children.
using System.Globalization;
using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Components.Topology;

/// <summary>How an edge master → replica is drawn.</summary>
public enum EdgeState
{
    /// <summary>Link up, streaming: solid.</summary>
    Online,
    /// <summary>Full sync running: animated dashes and the percent.</summary>
    Syncing,
    /// <summary>Link down: red dashes and how long.</summary>
    Down,
    /// <summary>The replica is not running: a faint dotted line (the configured link).</summary>
    Idle,
}

/// <summary>One box of the graph: a node card, or a ghost for a master that is not one of ours.</summary>
/// <param name="Key">The node's name, or "ghost:" + endpoint.</param>
/// <param name="Node">Null for a ghost.</param>
/// <param name="Endpoint">host:port.</param>
public sealed record LayoutBox(string Key, NodeViewModel? Node, string Endpoint, double X, double Y, double Width, double Height, int Depth)
{
    public bool IsGhost => Node is null;
}

/// <summary>An edge from a master's bottom edge to a replica's top edge.</summary>
/// <param name="Path">SVG path data (a vertical S-curve).</param>
/// <param name="Label">"sync 42%", "down 12s", or null.</param>
public sealed record LayoutEdge(string FromKey, string ToKey, EdgeState State, string? Label, string Path, double LabelX, double LabelY);

/// <summary>The computed graph: boxes, edges and the canvas size in pixels.</summary>
public sealed record TopologyGraphLayout(IReadOnlyList<LayoutBox> Boxes, IReadOnlyList<LayoutEdge> Edges, double Width, double Height);

/// <summary>Positions the topology graph from the nodes (pure; the sizes match the card styles).</summary>
public static class TopologyLayout
{
    public const double CardWidth = 320;
    /// <summary>A replica's card (and the row pitch): it shows the link and sync progress too.</summary>
    public const double CardHeight = 352;
    /// <summary>A master's card: no link rows.</summary>
    public const double MasterCardHeight = 308;
    public const double GhostHeight = 112;
    public const double GapX = 40;
    public const double GapY = 72;
    private const double Slot = CardWidth + GapX;

    public static TopologyGraphLayout Compute(IReadOnlyList<NodeViewModel> nodes) => Compute(new TopologyIndex(nodes));

    public static TopologyGraphLayout Compute(TopologyIndex index)
    {
        // The forest: each node hangs under its master; a replica of an unknown master hangs under a ghost.
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var roots = new List<string>();
        var ghosts = new Dictionary<string, string>(StringComparer.Ordinal); // key -> endpoint
        foreach (var node in index.Nodes)
        {
            string? parent = null;
            if (TopologyIndex.MasterEndpointOf(node) is { } masterEndpoint)
            {
                if (index.MasterOf(node) is { } master && master.Name != node.Name) parent = master.Name;
                else if (index.MasterOf(node) is null)
                {
                    parent = "ghost:" + TopologyIndex.NormalizeEndpoint(masterEndpoint);
                    if (ghosts.TryAdd(parent, masterEndpoint)) roots.Add(parent);
                }
            }
            if (parent is null) roots.Add(node.Name);
            else Children(children, parent).Add(node.Name);
        }

        var widths = new Dictionary<string, int>(StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var boxes = new List<LayoutBox>();
        int column = 0;
        foreach (var root in roots) column += Place(root, column, 0);
        // Nodes caught in a cycle (A follows B follows A, for a moment while rewiring) have no root: start one.
        foreach (var node in index.Nodes)
            if (!placed.Contains(node.Name)) column += Place(node.Name, column, 0);

        var byKey = boxes.ToDictionary(b => b.Key, StringComparer.Ordinal);
        var edges = new List<LayoutEdge>();
        foreach (var box in boxes)
        {
            if (box.Node is not { } node || TopologyIndex.MasterEndpointOf(node) is not { } masterEndpoint) continue;
            string parentKey = index.MasterOf(node)?.Name ?? "ghost:" + TopologyIndex.NormalizeEndpoint(masterEndpoint);
            if (!byKey.TryGetValue(parentKey, out var parentBox) || parentKey == box.Key) continue;
            edges.Add(Edge(parentBox, box, node));
        }

        int depth = boxes.Count == 0 ? 0 : boxes.Max(b => b.Depth) + 1;
        double width = Math.Max(column, 1) * Slot - GapX;
        double height = depth == 0 ? 0 : depth * (CardHeight + GapY) - GapY;
        return new TopologyGraphLayout(boxes, edges, width, height);

        int Width(string key)
        {
            if (widths.TryGetValue(key, out int known)) return known;
            widths[key] = 1; // a cycle back to this key counts as one column
            int sum = children.TryGetValue(key, out var kids) ? kids.Sum(Width) : 0;
            return widths[key] = Math.Max(1, sum);
        }

        int Place(string key, int startColumn, int level)
        {
            if (!placed.Add(key)) return 0;
            int span = Width(key);
            double x = (startColumn + (span - 1) / 2.0) * Slot;
            double y = level * (CardHeight + GapY);
            var node = index.Find(key);
            boxes.Add(node is null
                ? new LayoutBox(key, null, ghosts[key], x, y, CardWidth, GhostHeight, level)
                : new LayoutBox(key, node, node.Endpoint, x, y, CardWidth, TopologyIndex.IsReplica(node) ? CardHeight : MasterCardHeight, level));
            int next = startColumn;
            if (children.TryGetValue(key, out var kids))
                foreach (var kid in kids) next += Place(kid, next, level + 1);
            return span;
        }
    }

    private static List<string> Children(Dictionary<string, List<string>> children, string parent)
    {
        if (!children.TryGetValue(parent, out var list)) children[parent] = list = new List<string>();
        return list;
    }

    private static LayoutEdge Edge(LayoutBox from, LayoutBox to, NodeViewModel replica)
    {
        var (state, label) = EdgeStateOf(replica);
        double x1 = from.X + from.Width / 2, y1 = from.Y + from.Height;
        double x2 = to.X + to.Width / 2, y2 = to.Y - 6; // stop short of the card: the arrowhead ends on its border
        double bend = (y2 - y1) / 2;
        string path = string.Create(CultureInfo.InvariantCulture,
            $"M {x1:0.#} {y1:0.#} C {x1:0.#} {y1 + bend:0.#}, {x2:0.#} {y2 - bend:0.#}, {x2:0.#} {y2:0.#}");
        return new LayoutEdge(from.Key, to.Key, state, label, path, (x1 + x2) / 2, (y1 + y2) / 2);
    }

    /// <summary>The edge's look from the replica's side of the link (INFO replication on the replica).</summary>
    public static (EdgeState State, string? Label) EdgeStateOf(NodeViewModel replica)
    {
        if (replica.State != NodeState.Running) return (EdgeState.Idle, "not running");
        var link = replica.Replication?.Link;
        if (link is { SyncInProgress: true })
            return (EdgeState.Syncing, string.Create(CultureInfo.InvariantCulture, $"sync {link.SyncPercent:0}%"));
        if (link is { LinkUp: true } || (link is null && replica.Role == NodeRole.Replica)) return (EdgeState.Online, null);
        return (EdgeState.Down, link is { LinkDownSinceSeconds: >= 0 } ? $"down {FormatSeconds(link.LinkDownSinceSeconds)}" : "down");
    }

    /// <summary>12s, 3m 05s, 2h 10m.</summary>
    public static string FormatSeconds(long seconds) => seconds switch
    {
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m {seconds % 60:00}s",
        _ => $"{seconds / 3600}h {seconds % 3600 / 60:00}m",
    };
}
