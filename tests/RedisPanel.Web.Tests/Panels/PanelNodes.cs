using RedisPanel.Node;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Panels;

/// <summary>Nodes with INFO replication filled in, for the panel tests.</summary>
internal static class PanelNodes
{
    public const long Mb = 1024 * 1024;

    public static NodeViewModel Master(string name, int port, long offset, params ReplicaEntry[] replicas) =>
        FakeTopologyClient.Node(name, port: port) with
        {
            Replication = ReplicationView.Empty with
            {
                MasterReplOffset = offset,
                BacklogActive = true,
                BacklogSize = Mb,
                BacklogFirstByteOffset = Math.Max(1, offset - Mb + 1),
                BacklogHistLen = Math.Min(offset, Mb),
                Replicas = new ValueList<ReplicaEntry>(replicas),
            },
        };

    public static NodeViewModel Replica(string name, int port, int masterPort, long offset, bool linkUp = true) =>
        FakeTopologyClient.Node(name, port: port, role: linkUp ? NodeRole.Replica : NodeRole.ReplicaPending, master: $"127.0.0.1:{masterPort}") with
        {
            Replication = ReplicationView.Empty with
            {
                MasterReplOffset = offset,
                Link = new MasterLinkView("127.0.0.1", masterPort, linkUp, 0, linkUp ? 0 : 5, false, -1, 0, 0, offset, true),
            },
        };

    public static NodeViewModel Stopped(NodeViewModel node) => node with { State = NodeState.Stopped, Replication = null };
}
