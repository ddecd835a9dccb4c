// What the charts draw: per node a bounded series of points (seeded from the door's history, extended from the
// feed's batches at about one point per second) and the replication events worth a marker.
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Components.Panels;

/// <summary>One chart point of a node.</summary>
/// <param name="Offset">master_repl_offset of a master, the applied offset (slave_repl_offset) of a replica.</param>
/// <param name="LagBytes">For a replica: how far its master is ahead, when known.</param>
public sealed record ChartPoint(DateTime Time, long Offset, long? LagBytes, long OpsPerSec);

/// <summary>An event drawn on the charts: at its time, on the line of its node.</summary>
public sealed record ChartMarker(DateTime Time, double Offset, double Lag, double Ops, MarkerKind Kind, string Node, string Text);

/// <summary>The events that get a marker on the charts (each its own legend entry).</summary>
public enum MarkerKind
{
    FullSync,
    LinkDown,
    Promotion,
}

/// <summary>
/// Bounded chart data of all nodes. Not thread-safe: the page touches it on its renderer's dispatcher only.
/// Times are UTC <see cref="DateTime"/>s (Radzen's category axis scales DateTime values).
/// </summary>
public sealed class ChartHistory(TimeSpan window, TimeSpan minGap)
{
    /// <summary>Five minutes at one point per second.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultGap = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, List<ChartPoint>> _points = new(StringComparer.Ordinal);
    private readonly List<ChartMarker> _markers = new();

    public ChartHistory() : this(DefaultWindow, DefaultGap) { }

    public TimeSpan Window => window;

    /// <summary>Bumped by every change, so a chart can tell whether it has anything new to draw.</summary>
    public long Version { get; private set; }

    public IReadOnlyList<ChartPoint> Points(string node) => _points.TryGetValue(node, out var p) ? p : [];

    public IReadOnlyList<ChartMarker> Markers => _markers;

    public IEnumerable<ChartMarker> MarkersOf(MarkerKind kind) => _markers.Where(m => m.Kind == kind);

    /// <summary>Replaces a node's points by its history from the door (oldest first).</summary>
    public void Seed(string node, IReadOnlyList<NodeSample> history)
    {
        var list = new List<ChartPoint>(history.Count);
        foreach (var s in history)
        {
            var p = new ChartPoint(s.Time.UtcDateTime, s.ReplicaOffset ?? s.MasterReplOffset, s.LagBytes, s.OpsPerSec);
            if (list.Count > 0 && p.Time < list[^1].Time) continue; // keep the series ordered
            list.Add(p);
        }
        _points[node] = list;
        if (list.Count > 0) Trim(list, list[^1].Time);
        Version++;
    }

    /// <summary>
    /// Adds the live picture of every node (call it with all current nodes on each feed batch: a replica's lag moves
    /// when its master writes even if the replica itself did not change). At most one point per <c>minGap</c> and
    /// node: a newer picture inside the gap replaces the last point, so the chart shows the latest value without
    /// growing faster than ~1 point/s.
    /// </summary>
    public void Record(IReadOnlyCollection<NodeViewModel> nodes, DateTime now)
    {
        var offsetsByEndpoint = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var n in nodes)
            if (n.Replication is { } r && n.State == RedisPanel.Node.NodeState.Running) offsetsByEndpoint.TryAdd(n.Endpoint, r.MasterReplOffset);
        foreach (var node in nodes)
        {
            if (node.State != RedisPanel.Node.NodeState.Running || node.Replication is null) continue; // a gap, not a drop to 0
            var point = ToPoint(node, offsetsByEndpoint, now);
            if (!_points.TryGetValue(node.Name, out var list)) _points[node.Name] = list = new();
            if (list.Count >= 2 && now - list[^2].Time < minGap) list[^1] = point;
            else list.Add(point);
            Trim(list, now);
        }
        Version++;
    }

    public void Remove(string node)
    {
        if (_points.Remove(node)) Version++;
    }

    /// <summary>Turns the events worth a marker into markers, placed on their node's line at the event's time.</summary>
    public void AddEvents(IEnumerable<TopologyEvent> events)
    {
        foreach (var e in events)
        {
            MarkerKind? kind = e.Kind switch
            {
                TopologyEventKind.SyncStarted => MarkerKind.FullSync,
                TopologyEventKind.SyncFinished when e.Partial == false => MarkerKind.FullSync,
                TopologyEventKind.LinkDown => MarkerKind.LinkDown,
                TopologyEventKind.Promoted => MarkerKind.Promotion,
                _ => null,
            };
            if (kind is null) continue;
            // A full sync is announced when it starts and again when it ends: one marker at the start is enough.
            if (e.Kind == TopologyEventKind.SyncFinished && _markers.Any(m => m.Kind == MarkerKind.FullSync && m.Node == e.Node
                    && (e.Time.UtcDateTime - m.Time).Duration() < TimeSpan.FromSeconds(30)))
                continue;
            var time = e.Time.UtcDateTime;
            var at = NearestPoint(e.Node, time);
            _markers.Add(new ChartMarker(time, at?.Offset ?? 0, at?.LagBytes ?? 0, at?.OpsPerSec ?? 0, kind.Value, e.Node, e.Message));
            Version++;
        }
        _markers.Sort((a, b) => a.Time.CompareTo(b.Time));
    }

    /// <summary>
    /// A replica's own INFO has no lag (its master_repl_offset is its own): lag = its master's offset − its applied
    /// offset, with the master found by endpoint among the running nodes (samples are not atomic across nodes: clamp
    /// at 0); unknown when the master is not one of them.
    /// </summary>
    internal static ChartPoint ToPoint(NodeViewModel node, IReadOnlyDictionary<string, long> offsetsByEndpoint, DateTime now)
    {
        var repl = node.Replication!;
        if (repl.Link is not { } link) return new ChartPoint(now, repl.MasterReplOffset, null, node.OpsPerSec);
        // Also while the link is down: the replica's offset stands still and the lag climbs, which is the point.
        long? lag = offsetsByEndpoint.TryGetValue(link.MasterEndpoint, out long masterOffset)
            ? Math.Max(0, masterOffset - link.ReplicaOffset)
            : null;
        return new ChartPoint(now, link.ReplicaOffset, lag, node.OpsPerSec);
    }

    private ChartPoint? NearestPoint(string node, DateTime time)
    {
        if (!_points.TryGetValue(node, out var list) || list.Count == 0) return null;
        ChartPoint best = list[0];
        foreach (var p in list)
            if ((p.Time - time).Duration() < (best.Time - time).Duration()) best = p;
        return best;
    }

    private void Trim(List<ChartPoint> list, DateTime now)
    {
        var cutoff = now - window;
        int drop = 0;
        while (drop < list.Count && list[drop].Time < cutoff) drop++;
        if (drop > 0) list.RemoveRange(0, drop);
        _markers.RemoveAll(m => m.Time < cutoff);
    }
}
