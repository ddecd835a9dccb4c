// Where the event log's entries come from: each hosted node's ReplicationEvent and StateChanged (hooked when the
// feed first sees the node, unhooked when it is gone), and the operator actions (TopologyFeed.Actions.cs).
using System.Collections.Immutable;
using RedisPanel.Node;
using RedisPanel.Replication;
using RedisPanel.Web.Nodes;

namespace RedisPanel.Web.Topology;

public sealed partial class TopologyFeed
{
    private readonly Dictionary<RedisNode, string> _hooked = new();
    // The last link-down text per node: a replica whose master is down retries every second, and the log should
    // say so once, not once a second.
    private readonly Dictionary<string, string> _lastLinkDown = new(StringComparer.Ordinal);

    /// <summary>Hooks nodes new to the feed and unhooks the ones that left (feed loop only).</summary>
    private void HookNodes(ImmutableList<ManagedNode> managed)
    {
        var live = managed.Where(m => m.Node is not null).ToDictionary(m => m.Node!, m => m.Name);
        lock (_hooked)
        {
            foreach (var (node, name) in live)
            {
                if (_hooked.ContainsKey(node)) continue;
                _hooked[node] = name;
                node.ReplicationEvent += OnReplicationEvent;
                node.StateChanged += OnStateChanged;
            }
            foreach (var node in _hooked.Keys.Where(n => !live.ContainsKey(n)).ToList())
            {
                node.ReplicationEvent -= OnReplicationEvent;
                node.StateChanged -= OnStateChanged;
                _hooked.Remove(node);
            }
        }
    }

    private void UnhookNodes()
    {
        lock (_hooked)
        {
            foreach (var node in _hooked.Keys)
            {
                node.ReplicationEvent -= OnReplicationEvent;
                node.StateChanged -= OnStateChanged;
            }
            _hooked.Clear();
        }
    }

    /// <summary>Raised on the node's thread, often under its lock: only records, never calls back into a node.</summary>
    private void OnReplicationEvent(RedisNode node, ReplicationEvent e)
    {
        string name = node.Name;
        switch (e.Kind)
        {
            case ReplicationEventKind.SyncStarted:
                Events.Add(TopologyEventKind.SyncStarted, name, e.Message, partial: false);
                break;
            case ReplicationEventKind.SyncFinished:
                ForgetLinkDown(name);
                Events.Add(TopologyEventKind.SyncFinished, name, e.Message, partial: e.Partial);
                Events.Add(TopologyEventKind.LinkUp, name, e.Peer is null ? "link up" : $"link to {e.Peer} up");
                break;
            case ReplicationEventKind.LinkDown:
                lock (_lastLinkDown)
                {
                    if (_lastLinkDown.TryGetValue(name, out var last) && last == e.Message) return;
                    _lastLinkDown[name] = e.Message;
                }
                Events.Add(TopologyEventKind.LinkDown, name, e.Peer is null ? e.Message : $"link to {e.Peer} down: {e.Message}");
                break;
            case ReplicationEventKind.Promoted:
                ForgetLinkDown(name);
                Events.Add(TopologyEventKind.Promoted, name, e.Message);
                break;
            case ReplicationEventKind.ReplicaOf:
                ForgetLinkDown(name);
                Events.Add(TopologyEventKind.ReplicaOf, name, e.Message);
                break;
            case ReplicationEventKind.Failover:
                // FAILOVER's steps (waiting for sync, timeout, the target promoting itself) belong with promotions.
                Events.Add(TopologyEventKind.Promoted, name, e.Peer is null ? e.Message : $"{e.Message} (target {e.Peer})");
                break;
            // Master-side events repeat what the replica's own events say; the log keeps the replica's view.
        }
        Kick();
    }

    private void ForgetLinkDown(string name)
    {
        lock (_lastLinkDown) _lastLinkDown.Remove(name);
    }

    private void OnStateChanged(RedisNode node)
    {
        switch (node.State)
        {
            case NodeState.Running:
                Events.Add(TopologyEventKind.NodeLifecycle, node.Name, $"started on port {node.Port}");
                break;
            case NodeState.Stopped:
                ForgetLinkDown(node.Name);
                Events.Add(TopologyEventKind.NodeLifecycle, node.Name, "stopped");
                break;
            case NodeState.Failed:
                Events.Add(TopologyEventKind.NodeLifecycle, node.Name, $"failed: {node.FailureReason}");
                break;
        }
    }

    /// <summary>Records an operator action's outcome.</summary>
    private NodeActionResult Record(string node, string action, NodeActionResult result)
    {
        Events.Add(TopologyEventKind.OperatorAction, node, $"{action}: {result.Message}", succeeded: result.Succeeded);
        Kick();
        return result;
    }
}
