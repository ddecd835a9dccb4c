using RedisPanel.Web.Components.Topology;
using RedisPanel.Web.Topology;
using static RedisPanel.Web.Tests.Components.Topology.Scenario;
using static RedisPanel.Web.Tests.Infrastructure.FakeTopologyClient;
using RedisPanel.Web.Tests.Infrastructure;

namespace RedisPanel.Web.Tests.Components.Topology;

public sealed class DropRulesTests
{
    private static DropVerdict Drop(string dragged, string target, params NodeViewModel[] nodes) =>
        DropRules.Evaluate(nodes.Length == 0 ? All : nodes, dragged, target);

    [Fact]
    public void A_node_cannot_replicate_from_itself()
    {
        var v = Drop("6380", "6380");
        Assert.Equal(DropKind.Refused, v.Kind);
        Assert.False(v.Allowed);
        Assert.Equal("6380 cannot replicate from itself", v.Text);
    }

    [Fact]
    public void A_drop_that_would_close_a_cycle_is_refused_directly_and_through_a_chain()
    {
        var direct = Drop("6379", "6380");
        Assert.Equal(DropKind.Refused, direct.Kind);
        Assert.Equal("would make a cycle: 6380 already replicates from 6379", direct.Text);

        var chain = Drop("6379", "6382");
        Assert.Equal(DropKind.Refused, chain.Kind);
        Assert.Equal("would make a cycle: 6382 already replicates from 6379 through 6381", chain.Text);
    }

    [Fact]
    public void Stopped_nodes_and_the_current_master_are_refused()
    {
        Assert.Equal("6384 is not running", Drop("6380", "6384").Text);
        Assert.Equal("6384 is not running", Drop("6384", "6379").Text);
        Assert.Equal("6380 already replicates from 6379", Drop("6380", "6379").Text);
    }

    [Fact]
    public void Same_history_inside_the_backlog_predicts_a_partial_resync_and_a_replica_target_makes_a_chain()
    {
        // 6382 (history A, offset 3900) onto 6380 (history A, backlog 1..5000): PSYNC A 3901 is inside the window.
        var v = Drop("6382", "6380");
        Assert.Equal(DropKind.PartialResync, v.Kind);
        Assert.True(v.MakesChain);
        Assert.Equal("partial resync expected: 6382 continues from offset 3,901 in 6380's backlog, its data is kept. 6380 is itself a replica of 6379: this makes a chain.", v.Text);

        var onMaster = Drop("6382", "6379");
        Assert.Equal(DropKind.PartialResync, onMaster.Kind);
        Assert.False(onMaster.MakesChain);
        Assert.DoesNotContain("chain", onMaster.Text);
    }

    [Fact]
    public void Another_history_predicts_a_full_resync_naming_the_keys_that_are_replaced()
    {
        var v = Drop("6383", "6379");
        Assert.Equal(DropKind.FullResync, v.Kind);
        Assert.Equal("full resync: 7 keys on 6383 will be replaced by 6379's data.", v.Text);

        var reverse = Drop("6380", "6383");
        Assert.Equal("full resync: 1,234 keys on 6380 will be replaced by 6383's data.", reverse.Text);
    }

    [Fact]
    public void An_offset_outside_the_backlog_window_means_a_full_resync()
    {
        // The target's backlog starts at 4500: offset 3901 has already been overwritten.
        var target = Replicating("6379", 6379, MasterRepl(IdA, 5000, backlogFirst: 4500));
        var dragged = Replicating("6383", 6383, MasterRepl(IdA, 3900));
        Assert.Equal(DropKind.FullResync, Drop("6383", "6379", target, dragged).Kind);

        // ...and a node ahead of the target (offset 6000 > 5000) cannot continue either.
        var ahead = Replicating("6383", 6383, MasterRepl(IdA, 6000));
        Assert.Equal(DropKind.FullResync, Drop("6383", "6379", target, ahead).Kind);

        // At the very end of the window (offset+1 == first+histlen) it still can.
        var atEnd = Replicating("6383", 6383, MasterRepl(IdA, 5000));
        Assert.Equal(DropKind.PartialResync, Drop("6383", "6379", target, atEnd).Kind);
    }

    [Fact]
    public void A_former_history_counts_up_to_second_repl_offset()
    {
        // The target was promoted: its replid2 is A up to offset 4001 (second_repl_offset), its new id is C.
        string idC = new('c', 40);
        var promoted = Replicating("6380", 6380, MasterRepl(idC, 5000, replId2: IdA, secondOffset: 4001));
        Assert.Equal(DropKind.PartialResync, Drop("6383", "6380", promoted, Replicating("6383", 6383, MasterRepl(IdA, 4000))).Kind);
        // offset+1 = 4002 > second_repl_offset: that part of A's history was never the target's.
        Assert.Equal(DropKind.FullResync, Drop("6383", "6380", promoted, Replicating("6383", 6383, MasterRepl(IdA, 4001))).Kind);
    }

    [Fact]
    public void Without_replication_info_the_prediction_is_a_full_resync()
    {
        Assert.Equal(DropKind.FullResync, Drop("a", "b", FakeTopologyClient.Node("a", port: 1, keys: 3), FakeTopologyClient.Node("b", port: 2)).Kind);
    }
}
