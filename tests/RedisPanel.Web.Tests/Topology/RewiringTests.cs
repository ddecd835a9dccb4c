using Microsoft.Extensions.DependencyInjection;
using RedisPanel.Node;
using RedisPanel.Web.Remote;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Topology;

/// <summary>The rewiring actions on the real app: a master and two replicas on free ports, checked over RESP.</summary>
public sealed class RewiringTests : IAsyncLifetime
{
    private static readonly TimeSpan SyncDeadline = TimeSpan.FromSeconds(20);
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private TopologyFeed Feed => _app.App.Services.GetRequiredService<TopologyFeed>();
    private ITopologyClient Door => Feed;

    private NodeViewModel? View(string name) => Feed.Current.SingleOrDefault(n => n.Name == name);

    private Task WaitLinkedAsync(string replica, string master) =>
        Poll.UntilAsync(async () =>
        {
            var f = await Redis.InfoAsync(_app.PortOf(replica), "replication");
            return f.GetValueOrDefault("master_link_status") == "up" && f.GetValueOrDefault("master_port") == _app.PortOf(master).ToString();
        }, $"{replica} linked to {master}", SyncDeadline);

    private Task WaitRoleAsync(string name, string role) =>
        Poll.UntilAsync(async () => (await Redis.InfoAsync(_app.PortOf(name), "replication")).GetValueOrDefault("role") == role, $"{name} to be {role}", SyncDeadline);

    private async Task<string> AddNodeAsync()
    {
        var before = _app.Nodes.Nodes.Select(n => n.Name).ToHashSet();
        var added = await Door.AddNodeAsync();
        Assert.True(added.Succeeded, added.Message);
        return _app.Nodes.Nodes.Select(n => n.Name).Single(n => !before.Contains(n));
    }

    [Fact]
    public async Task Sampling_fills_the_replication_view_from_INFO_replication()
    {
        await WaitLinkedAsync("replica-a", "master");
        await WaitLinkedAsync("replica-b", "master");
        await Poll.UntilAsync(() => View("master")!.Replication!.Replicas.Count(r => r.State == "online") == 2, "two online replicas in the view");

        var master = View("master")!.Replication!;
        var info = await Redis.InfoAsync(_app.PortOf("master"), "replication");
        Assert.Equal(info["master_replid"], master.ReplId);
        Assert.Null(master.Link);
        Assert.True(master.BacklogActive);
        Assert.Equal(new[] { _app.PortOf("replica-a"), _app.PortOf("replica-b") }.Order(), master.Replicas.Select(r => r.Port).Order());
        await Poll.UntilAsync(() => View("replica-a")!.Replication?.Link is { LinkUp: true }, "replica-a's link in the view");
        var link = View("replica-a")!.Replication!.Link!;
        Assert.Equal(_app.PortOf("master"), link.MasterPort);
        Assert.True(link.ReadOnly);
        Assert.False(View("replica-a")!.Loading);

        // One sample a second, and the replica's lag computed against its master in the topology.
        await Poll.UntilAsync(() => Door.GetHistory("replica-a").Count >= 2, "two history samples");
        var samples = Door.GetHistory("replica-a");
        Assert.All(samples, s => Assert.NotNull(s.ReplicaOffset));
        Assert.Contains(samples, s => s.LagBytes is >= 0);
        Assert.True(samples[1].Time - samples[0].Time >= TimeSpan.FromMilliseconds(800));
        Assert.All(Door.GetHistory("master"), s => Assert.Null(s.LagBytes));
    }

    [Fact]
    public async Task ReplicaOf_rewires_a_node_and_ROLE_shows_it_and_loops_are_refused()
    {
        string fresh = await AddNodeAsync();
        var progress = new ProgressLog();
        var result = await Door.ReplicaOfAsync(fresh, "master", progress);
        Assert.True(result.Succeeded, result.Message);
        Assert.Contains($"REPLICAOF 127.0.0.1 {_app.PortOf("master")} on {fresh}", progress.Lines);

        await Poll.UntilAsync(async () =>
        {
            var role = await Redis.CallAsync(_app.PortOf(fresh), "ROLE");
            return role.Items.Count == 5 && role.Items[0].Text == "slave" && role.Items[2].Integer == _app.PortOf("master") && role.Items[3].Text == "connected";
        }, "ROLE: slave of master, connected", SyncDeadline);
        await Poll.UntilAsync(() => View(fresh)?.Role == NodeRole.Replica, "the view to show the replica");
        Assert.Contains(Feed.Events.Snapshot(), e => e.Kind == TopologyEventKind.ReplicaOf && e.Node == fresh);
        Assert.Contains(Feed.Events.Snapshot(), e => e.Kind == TopologyEventKind.OperatorAction && e.Node == fresh && e.Succeeded == true);

        var self = await Door.ReplicaOfAsync("master", "master");
        Assert.False(self.Succeeded);
        Assert.Contains("itself", self.Message);
        var loop = await Door.ReplicaOfAsync("master", fresh);
        Assert.False(loop.Succeeded);
        Assert.Contains("loop", loop.Message);
        Assert.Contains(Feed.Events.Snapshot(), e => e.Kind == TopologyEventKind.OperatorAction && e.Node == "master" && e.Succeeded == false);
        Assert.Equal("master", (await Redis.InfoAsync(_app.PortOf("master"), "replication"))["role"]);
    }

    [Fact]
    public async Task Promote_with_repoint_makes_the_sibling_resync_partially()
    {
        await WaitLinkedAsync("replica-a", "master");
        await WaitLinkedAsync("replica-b", "master");
        for (int i = 0; i < 20; i++) Assert.Equal("OK", (await Redis.CallAsync(_app.PortOf("master"), "SET", $"k{i}", "v")).Text);
        long masterOffset = long.Parse((await Redis.InfoAsync(_app.PortOf("master"), "replication"))["master_repl_offset"]);
        foreach (var r in new[] { "replica-a", "replica-b" })
            await Poll.UntilAsync(async () => long.Parse((await Redis.InfoAsync(_app.PortOf(r), "replication"))["slave_repl_offset"]) >= masterOffset, $"{r} caught up");

        var progress = new ProgressLog();
        var result = await Door.PromoteAsync("replica-a", repointSiblings: true, progress);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("replica-b: partial resync", result.Message);
        Assert.Contains("REPLICAOF NO ONE on replica-a", progress.Lines);
        Assert.Equal("master", (await Redis.InfoAsync(_app.PortOf("replica-a"), "replication"))["role"]);
        Assert.True(long.Parse((await Redis.InfoAsync(_app.PortOf("replica-a"), "stats"))["sync_partial_ok"]) >= 1);
        await WaitLinkedAsync("replica-b", "replica-a");
        Assert.Equal("v", (await Redis.CallAsync(_app.PortOf("replica-b"), "GET", "k19")).Text);
        Assert.Contains(Feed.Events.Snapshot(), e => e.Kind == TopologyEventKind.Promoted && e.Node == "replica-a");
        Assert.Contains(Feed.Events.Snapshot(), e => e.Kind == TopologyEventKind.SyncFinished && e.Node == "replica-b" && e.Partial == true);
    }

    [Fact]
    public async Task Switchover_swaps_master_and_replica_without_losing_writes()
    {
        await WaitLinkedAsync("replica-a", "master");
        Assert.Equal("OK", (await Redis.CallAsync(_app.PortOf("master"), "SET", "before", "switch")).Text);
        await Poll.UntilAsync(() => View("replica-a")!.Replication?.Link is { LinkUp: true }, "the view to show replica-a linked");

        var progress = new ProgressLog();
        var result = await Door.SwitchoverAsync("replica-a", progress);

        Assert.True(result.Succeeded, result.Message + " | " + string.Join(" | ", progress.Lines));
        Assert.StartsWith("FAILOVER TO 127.0.0.1", progress.Lines[0]);
        Assert.Equal("master", (await Redis.InfoAsync(_app.PortOf("replica-a"), "replication"))["role"]);
        await WaitLinkedAsync("master", "replica-a");
        Assert.Equal("switch", (await Redis.CallAsync(_app.PortOf("replica-a"), "GET", "before")).Text);
        // The old master takes writes again from its new master only: it is a read-only replica now, unpaused.
        Assert.StartsWith("READONLY", (await Redis.CallAsync(_app.PortOf("master"), "SET", "x", "y")).Text);
    }

    [Fact]
    public async Task A_cut_link_goes_down_and_heals_with_a_partial_resync()
    {
        await WaitLinkedAsync("replica-a", "master");
        long since = Feed.Events.Snapshot().Select(e => e.Id).DefaultIfEmpty(0).Max();

        var result = await Door.CutLinkAsync("replica-a", TimeSpan.FromSeconds(1));
        Assert.True(result.Succeeded, result.Message);

        await Poll.UntilAsync(() => Feed.Events.Snapshot().Any(e => e.Id > since && e.Kind == TopologyEventKind.LinkDown && e.Node == "replica-a"), "a LinkDown event");
        Assert.Equal("down", (await Redis.InfoAsync(_app.PortOf("replica-a"), "replication"))["master_link_status"]);
        await Poll.UntilAsync(() => Feed.Events.Snapshot().Any(e => e.Id > since && e.Kind == TopologyEventKind.SyncFinished && e.Node == "replica-a" && e.Partial == true),
            "the link to heal with a partial resync", SyncDeadline);
        Assert.Equal("up", (await Redis.InfoAsync(_app.PortOf("replica-a"), "replication"))["master_link_status"]);

        var onMaster = await Door.CutLinkAsync("master", TimeSpan.FromSeconds(1));
        Assert.False(onMaster.Succeeded);
        Assert.Contains("not a replica", onMaster.Message);
    }

    [Fact]
    public async Task A_persisted_replicaof_survives_a_restart_and_an_unpersisted_one_does_not()
    {
        string fresh = await AddNodeAsync();
        Assert.True((await Door.ReplicaOfAsync(fresh, "master")).Succeeded);
        await WaitLinkedAsync(fresh, "master");

        var restarted = await Door.RestartNodeAsync(fresh);
        Assert.True(restarted.Succeeded, restarted.Message);
        await WaitRoleAsync(fresh, "master"); // as redis-server: a runtime REPLICAOF not rewritten is forgotten

        Assert.True((await Door.ReplicaOfAsync(fresh, "master")).Succeeded);
        await WaitLinkedAsync(fresh, "master");
        var progress = new ProgressLog();
        var persisted = await Door.PersistTopologyAsync(progress);
        Assert.True(persisted.Succeeded, persisted.Message);
        Assert.True(progress.Lines.Contains($"CONFIG REWRITE on {fresh}"), string.Join(" | ", progress.Lines) + " | " + persisted.Message);
        string file = _app.Nodes.Find(fresh)!.Sample().ConfigFile!;
        Assert.Contains($"replicaof 127.0.0.1 {_app.PortOf("master")}", await File.ReadAllTextAsync(file));

        Assert.True((await Door.RestartNodeAsync(fresh)).Succeeded);
        await WaitLinkedAsync(fresh, "master");
        Assert.Equal("slave", (await Redis.InfoAsync(_app.PortOf(fresh), "replication"))["role"]);
    }

    [Fact]
    public async Task Detach_turns_a_replica_into_a_master_and_refuses_a_master()
    {
        await WaitLinkedAsync("replica-b", "master");
        var result = await Door.DetachAsync("replica-b");
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("master", (await Redis.InfoAsync(_app.PortOf("replica-b"), "replication"))["role"]);
        Assert.False((await Door.DetachAsync("replica-b")).Succeeded);
        Assert.False((await Door.DetachAsync("nope")).Succeeded);
    }

    [Fact]
    public async Task Events_reach_subscribers_in_batches_and_in_the_recent_log()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var sub = Door.Subscribe(cts.Token);
        await using var changes = sub.Changes.GetAsyncEnumerator(cts.Token);
        Assert.True((await Door.StopNodeAsync("replica-b")).Succeeded);

        var seen = new List<TopologyEvent>();
        while (!seen.Any(e => e.Kind == TopologyEventKind.OperatorAction && e.Node == "replica-b"))
        {
            Assert.True(await changes.MoveNextAsync());
            seen.AddRange(changes.Current.Events);
        }
        Assert.Contains(seen, e => e.Kind == TopologyEventKind.NodeLifecycle && e.Node == "replica-b" && e.Message == "stopped");
        Assert.Equal(seen.Count, seen.Select(e => e.Id).Distinct().Count());
        var again = Door.Subscribe(cts.Token);
        Assert.Contains(again.RecentEvents, e => e.Kind == TopologyEventKind.OperatorAction && e.Node == "replica-b" && e.Succeeded == true);
    }
}
