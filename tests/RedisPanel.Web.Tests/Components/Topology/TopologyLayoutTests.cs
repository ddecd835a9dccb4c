using RedisPanel.Node;
using RedisPanel.Web.Components.Topology;
using RedisPanel.Web.Topology;
using static RedisPanel.Web.Tests.Components.Topology.Scenario;
using static RedisPanel.Web.Tests.Infrastructure.FakeTopologyClient;
using RedisPanel.Web.Tests.Infrastructure;

namespace RedisPanel.Web.Tests.Components.Topology;

public sealed class TopologyLayoutTests
{
    private const double Row = TopologyLayout.CardHeight + TopologyLayout.GapY;
    private const double Slot = TopologyLayout.CardWidth + TopologyLayout.GapX;

    [Fact]
    public void Masters_on_top_replicas_below_and_a_chain_below_its_replica()
    {
        var layout = TopologyLayout.Compute(All);
        var box = layout.Boxes.ToDictionary(b => b.Key);

        Assert.Equal(0, box["6379"].Y);
        Assert.Equal(0, box["6383"].Y);
        Assert.Equal(0, box["6384"].Y); // a stopped master is still a root
        Assert.Equal(Row, box["6380"].Y);
        Assert.Equal(Row, box["6381"].Y);
        Assert.Equal(2 * Row, box["6382"].Y);

        // 6379's subtree spans two columns (6380 | 6381 over 6382): the master sits centred over them.
        Assert.Equal(0, box["6380"].X);
        Assert.Equal(Slot, box["6381"].X);
        Assert.Equal(Slot / 2, box["6379"].X);
        Assert.Equal(box["6381"].X, box["6382"].X);
        Assert.Equal(2 * Slot, box["6383"].X);
        Assert.Equal(3 * Slot, box["6384"].X);
        Assert.Equal(4 * Slot - TopologyLayout.GapX, layout.Width);
        Assert.Equal(3 * Row - TopologyLayout.GapY, layout.Height);

        Assert.Equal(["6379->6380", "6379->6381", "6381->6382"], layout.Edges.Select(e => $"{e.FromKey}->{e.ToKey}").Order());
        Assert.All(layout.Edges, e => Assert.Equal(EdgeState.Online, e.State));
    }

    [Fact]
    public void A_replica_of_an_unknown_master_hangs_under_a_ghost()
    {
        var stray = Replicating("6390", 6390, ReplicaRepl(IdA, 7000, 10));
        var layout = TopologyLayout.Compute([stray]);

        var ghost = Assert.Single(layout.Boxes, b => b.IsGhost);
        Assert.Equal("127.0.0.1:7000", ghost.Endpoint);
        Assert.Equal(TopologyLayout.GhostHeight, ghost.Height);
        Assert.Equal(Row, layout.Boxes.Single(b => b.Key == "6390").Y);
        Assert.Equal(ghost.Key, Assert.Single(layout.Edges).FromKey);
    }

    [Fact]
    public void A_master_named_localhost_is_matched_to_the_node_on_127_0_0_1()
    {
        var replica = FakeTopologyClient.Node("r", port: 2, role: NodeRole.ReplicaPending, master: "localhost:1");
        var layout = TopologyLayout.Compute([FakeTopologyClient.Node("m", port: 1), replica]);
        Assert.DoesNotContain(layout.Boxes, b => b.IsGhost);
        Assert.Equal("m", Assert.Single(layout.Edges).FromKey);
    }

    [Fact]
    public void Edges_show_sync_progress_and_how_long_a_link_is_down()
    {
        var syncing = Replicating("s", 2, ReplicaRepl(IdA, 1, 0, linkUp: false, syncing: true, syncRead: 420, syncTotal: 1000));
        var down = Replicating("d", 3, ReplicaRepl(IdA, 1, 10, linkUp: false, downSince: 12));
        var stopped = FakeTopologyClient.Node("x", NodeState.Stopped, port: 4, role: NodeRole.ReplicaPending, master: "127.0.0.1:1");
        var layout = TopologyLayout.Compute([FakeTopologyClient.Node("m", port: 1), syncing, down, stopped]);
        var edges = layout.Edges.ToDictionary(e => e.ToKey);

        Assert.Equal((EdgeState.Syncing, "sync 42%"), (edges["s"].State, edges["s"].Label));
        Assert.Equal((EdgeState.Down, "down 12s"), (edges["d"].State, edges["d"].Label));
        Assert.Equal(EdgeState.Idle, edges["x"].State);
    }

    [Fact]
    public void A_momentary_cycle_still_places_every_node_once()
    {
        var a = FakeTopologyClient.Node("a", port: 1, role: NodeRole.ReplicaPending, master: "127.0.0.1:2");
        var b = FakeTopologyClient.Node("b", port: 2, role: NodeRole.ReplicaPending, master: "127.0.0.1:1");
        var layout = TopologyLayout.Compute([a, b]);
        Assert.Equal(["a", "b"], layout.Boxes.Select(x => x.Key).Order());
    }
}
