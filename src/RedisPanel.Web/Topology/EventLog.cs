namespace RedisPanel.Web.Topology;

/// <summary>
/// The bounded event log (a ring of the latest <see cref="Capacity"/> events, oldest dropped first). Thread-safe:
/// events come from node threads (often under a node's lock), the feed loop and actions.
/// </summary>
public sealed class EventLog(TimeProvider time)
{
    public const int Capacity = 2000;

    private readonly Queue<TopologyEvent> _ring = new();
    private long _nextId;

    /// <summary>Raised after an event was added (outside the log's lock; keep handlers short, never call back in).</summary>
    public event Action<TopologyEvent>? Added;

    public TopologyEvent Add(TopologyEventKind kind, string node, string message, bool? partial = null, bool? succeeded = null)
    {
        TopologyEvent e;
        lock (_ring)
        {
            e = new TopologyEvent(++_nextId, time.GetUtcNow(), kind, node, message, partial, succeeded);
            _ring.Enqueue(e);
            while (_ring.Count > Capacity) _ring.Dequeue();
        }
        Added?.Invoke(e);
        return e;
    }

    /// <summary>The events held, oldest first.</summary>
    public TopologyEvent[] Snapshot()
    {
        lock (_ring) return _ring.ToArray();
    }
}
