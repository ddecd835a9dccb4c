using System.Collections.Concurrent;

namespace RedisPanel.Web.Topology;

/// <summary>
/// Per-node history for the charts: one <see cref="NodeSample"/> per second at most, the last
/// <see cref="Capacity"/> kept (ten minutes). Written by the feed loop, read by any thread.
/// </summary>
public sealed class NodeHistory
{
    public const int Capacity = 600;
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Queue<NodeSample>> _byNode = new(StringComparer.Ordinal);

    /// <summary>Records a sample of every running node whose last one is a second old or more.</summary>
    public void Record(IReadOnlyList<NodeViewModel> nodes, DateTimeOffset now)
    {
        foreach (var n in nodes)
        {
            if (n.State != RedisPanel.Node.NodeState.Running) continue;
            var q = _byNode.GetOrAdd(n.Name, _ => new Queue<NodeSample>());
            lock (q)
            {
                // A little slack, so a 250 ms sampler does not drift to one sample every 1.25 s.
                if (q.Count > 0 && now - q.Last().Time < Spacing - TimeSpan.FromMilliseconds(120)) continue;
                var repl = n.Replication ?? ReplicationView.Empty;
                long? replicaOffset = repl.Link?.ReplicaOffset;
                long? lag = null;
                if (repl.Link is { } link && TopologyFeed.FindByEndpoint(nodes, link.MasterHost, link.MasterPort) is { Replication: { } master })
                    lag = Math.Max(0, master.MasterReplOffset - link.ReplicaOffset);
                q.Enqueue(new NodeSample(now, repl.MasterReplOffset, replicaOffset, lag, n.OpsPerSec, n.UsedMemoryBytes));
                while (q.Count > Capacity) q.Dequeue();
            }
        }
    }

    public void Forget(string name) => _byNode.TryRemove(name, out _);

    public IReadOnlyList<NodeSample> Get(string name)
    {
        if (!_byNode.TryGetValue(name, out var q)) return [];
        lock (q) return q.ToArray();
    }
}
