using Microsoft.Extensions.DependencyInjection;
using RedisPanel.Node;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Topology;

/// <summary>A real redis-server attached by host:port, watched over RESP and rewired like a hosted node.</summary>
public sealed class ExternalNodeTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private RealRedisServer _server = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _server = await RealRedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
    }

    private TopologyFeed Feed => _app.App.Services.GetRequiredService<TopologyFeed>();
    private ITopologyClient Door => Feed;
    private string Name => $"127.0.0.1:{_server.Port}";
    private NodeViewModel? View => Feed.Current.SingleOrDefault(n => n.Name == Name);

    [Fact]
    public async Task An_attached_redis_server_is_shown_rewired_onto_a_hosted_master_and_shown_down_when_lost()
    {
        var attached = await Door.AttachExternalAsync("127.0.0.1", _server.Port, null);
        Assert.True(attached.Succeeded, attached.Message);
        await Poll.UntilAsync(() => View is { State: NodeState.Running }, "the external node in the feed");
        Assert.True(View!.External);
        Assert.Equal(NodeRole.Master, View.Role);
        Assert.Equal(_server.Port, View.Port);
        Assert.Equal((await Redis.InfoAsync(_server.Port, "replication"))["master_replid"], View.Replication!.ReplId);
        Assert.Contains(Feed.Events.Snapshot(), e => e.Kind == TopologyEventKind.NodeLifecycle && e.Node == Name && e.Message.StartsWith("attached"));
        Assert.False((await Door.AttachExternalAsync("127.0.0.1", _server.Port, null)).Succeeded); // already shown

        // Lifecycle actions are not ours for a server we do not host; the link-cut drill neither.
        foreach (var refused in new[] { await Door.StopNodeAsync(Name), await Door.StartNodeAsync(Name), await Door.RestartNodeAsync(Name) })
        {
            Assert.False(refused.Succeeded);
            Assert.Contains("external", refused.Message);
        }

        Assert.Equal("OK", (await Redis.CallAsync(_app.PortOf("master"), "SET", "from-hosted", "42")).Text);
        var rewired = await Door.ReplicaOfAsync(Name, "master");
        Assert.True(rewired.Succeeded, rewired.Message);
        await Poll.UntilAsync(() => View is { Role: NodeRole.Replica }, "redis-server linked to the hosted master", TimeSpan.FromSeconds(20));
        Assert.Equal($"127.0.0.1:{_app.PortOf("master")}", View!.MasterAddress);
        await Poll.UntilAsync(async () => (await Redis.CallAsync(_server.Port, "GET", "from-hosted")).Text == "42", "the key replicated into redis-server");
        Assert.Contains(Feed.Events.Snapshot(), e => e.Kind == TopologyEventKind.ReplicaOf && e.Node == Name);
        var cut = await Door.CutLinkAsync(Name, TimeSpan.FromSeconds(1));
        Assert.False(cut.Succeeded);
        Assert.Contains("external", cut.Message);

        // Console over the same path.
        Assert.Equal("\"42\"", (await Door.ExecuteAsync(Name, "GET from-hosted")).Text);

        _server.Kill();
        await Poll.UntilAsync(() => View is { State: NodeState.Failed }, "the lost server shown failed");
        Assert.False(string.IsNullOrEmpty(View!.FailureReason));
        Assert.Contains(Feed.Events.Snapshot(), e => e.Kind == TopologyEventKind.NodeLifecycle && e.Node == Name && e.Message.StartsWith("connection lost"));

        var removed = await Door.RemoveNodeAsync(Name);
        Assert.True(removed.Succeeded, removed.Message);
        await Poll.UntilAsync(() => View is null, "the external node gone from the feed");
    }

    [Fact]
    public async Task Switchover_between_two_real_redis_servers_uses_FAILOVER()
    {
        await using var other = await RealRedisServer.StartAsync();
        string replica = $"127.0.0.1:{other.Port}";
        Assert.True((await Door.AttachExternalAsync("127.0.0.1", _server.Port, null)).Succeeded);
        Assert.True((await Door.AttachExternalAsync("127.0.0.1", other.Port, null)).Succeeded);
        await Poll.UntilAsync(() => Feed.Current.Count(n => n.External) == 2, "both servers in the feed");
        Assert.True((await Door.ReplicaOfAsync(replica, Name)).Succeeded);
        await Poll.UntilAsync(() => Feed.Current.Single(n => n.Name == replica).Role == NodeRole.Replica, "the real replica linked", TimeSpan.FromSeconds(20));
        Assert.Equal("OK", (await Redis.CallAsync(_server.Port, "SET", "before", "switch")).Text);

        var progress = new ProgressLog();
        var result = await Door.SwitchoverAsync(replica, progress);

        Assert.True(result.Succeeded, result.Message + " | " + string.Join(" | ", progress.Lines));
        Assert.Contains("(FAILOVER)", result.Message);
        Assert.Equal("master", (await Redis.InfoAsync(other.Port, "replication"))["role"]);
        var old = await Redis.InfoAsync(_server.Port, "replication");
        Assert.Equal("slave", old["role"]);
        Assert.Equal(other.Port.ToString(), old["master_port"]);
        Assert.Equal("switch", (await Redis.CallAsync(other.Port, "GET", "before")).Text);
    }

    [Fact]
    public async Task Attaching_nothing_fails_with_the_reason()
    {
        _server.Kill();
        var result = await Door.AttachExternalAsync("127.0.0.1", _server.Port, null);
        Assert.False(result.Succeeded);
        Assert.Contains("could not attach", result.Message);
        Assert.DoesNotContain(Feed.Current, n => n.External);
    }
}
