using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Components.Panels;

/// <summary>
/// The event log's filter: the kinds shown (all by default), one node or all, and a text that must occur in the
/// message or the node name (case-insensitive).
/// </summary>
public sealed class EventFilter
{
    public HashSet<TopologyEventKind> Kinds { get; } = [.. Enum.GetValues<TopologyEventKind>()];

    /// <summary>Null: every node.</summary>
    public string? Node { get; set; }

    public string? Text { get; set; }

    public bool Matches(TopologyEvent e) =>
        Kinds.Contains(e.Kind)
        && (Node is null || string.Equals(e.Node, Node, StringComparison.Ordinal))
        && (string.IsNullOrWhiteSpace(Text)
            || e.Message.Contains(Text.Trim(), StringComparison.OrdinalIgnoreCase)
            || e.Node.Contains(Text.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Newest first.</summary>
    public IEnumerable<TopologyEvent> Apply(IEnumerable<TopologyEvent> oldestFirst) => oldestFirst.Reverse().Where(Matches);

    public void Toggle(TopologyEventKind kind)
    {
        if (!Kinds.Remove(kind)) Kinds.Add(kind);
    }

    /// <summary>A short label for a kind's chip.</summary>
    public static string Label(TopologyEventKind kind) => kind switch
    {
        TopologyEventKind.SyncStarted => "Sync started",
        TopologyEventKind.SyncFinished => "Sync finished",
        TopologyEventKind.LinkUp => "Link up",
        TopologyEventKind.LinkDown => "Link down",
        TopologyEventKind.Promoted => "Promoted",
        TopologyEventKind.ReplicaOf => "Replica of",
        TopologyEventKind.NodeLifecycle => "Lifecycle",
        _ => "Operator",
    };
}

/// <summary>A bounded, ordered event log (oldest first): events are appended as the feed delivers them.</summary>
public sealed class EventBuffer(int capacity)
{
    public const int DefaultCapacity = 1000;

    private readonly LinkedList<TopologyEvent> _events = new();
    private readonly HashSet<long> _ids = new();

    public EventBuffer() : this(DefaultCapacity) { }

    public int Count => _events.Count;

    public IEnumerable<TopologyEvent> OldestFirst => _events;

    /// <summary>Adds events not seen yet (by id); drops the oldest beyond the capacity.</summary>
    public void AddRange(IEnumerable<TopologyEvent> events)
    {
        foreach (var e in events)
        {
            if (!_ids.Add(e.Id)) continue;
            _events.AddLast(e);
            while (_events.Count > capacity)
            {
                _ids.Remove(_events.First!.Value.Id);
                _events.RemoveFirst();
            }
        }
    }
}
