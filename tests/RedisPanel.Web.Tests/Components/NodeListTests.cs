using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using RedisPanel.Node;
using RedisPanel.Web.Components.Nodes;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Components;

public sealed class NodeListTests : BunitContext
{
    private readonly FakeTopologyClient _topology = new(
        FakeTopologyClient.Node("6379", keys: 1234),
        FakeTopologyClient.Node("6380", port: 6380, role: NodeRole.ReplicaPending, master: "127.0.0.1:6379"),
        FakeTopologyClient.Node("6381", NodeState.Failed, port: 6381,
            failure: "Could not create server TCP listening socket 127.0.0.1:6381: bind: Address already in use"),
        FakeTopologyClient.Node("6382", NodeState.Stopped, port: 6382));

    public NodeListTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        Services.AddSingleton<ITopologyClient>(_topology);
        // (after the services: the renderer resolves them) As in the app: interactive Server (the list marks itself data-interactive for the browser tests).
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    private IRenderedComponent<NodeList> RenderList() => Render<NodeList>();

    private static AngleSharp.Dom.IElement Card(IRenderedComponent<NodeList> list, string name) =>
        list.Find($"article[data-node='{name}']");

    [Fact]
    public void Renders_every_node_with_endpoint_role_state_and_counters()
    {
        var list = RenderList();

        Assert.Equal(["6379", "6380", "6381", "6382"], list.FindAll("article[data-node]").Select(e => e.GetAttribute("data-node")));
        var master = Card(list, "6379");
        Assert.Equal("127.0.0.1:6379", master.QuerySelector("[data-testid=endpoint]")!.TextContent);
        Assert.Equal("master", master.QuerySelector("[data-testid=role]")!.TextContent.Trim());
        Assert.Equal("running", master.QuerySelector("[data-testid=state]")!.TextContent.Trim());
        Assert.Equal("1,234", master.QuerySelector("[data-metric=keys] dd")!.TextContent);
        Assert.Equal("2", master.QuerySelector("[data-metric=clients] dd")!.TextContent);
        Assert.Equal("15", master.QuerySelector("[data-metric=ops] dd")!.TextContent);
        Assert.Equal("2.0 KB", master.QuerySelector("[data-metric=memory] dd")!.TextContent);
        Assert.Null(master.QuerySelector("[data-testid=failure]"));

        var replica = Card(list, "6380");
        Assert.Equal("replica (link down)", replica.QuerySelector("[data-testid=role]")!.TextContent.Trim());
        Assert.Contains("127.0.0.1:6379", replica.QuerySelector("[data-testid=master]")!.TextContent);

        Assert.Equal("stopped", Card(list, "6382").QuerySelector("[data-testid=state]")!.TextContent.Trim());
        Assert.Equal("2 of 4 running", list.Find("[data-testid=summary]").TextContent);
        Assert.Equal("true", list.Find("[data-interactive]").GetAttribute("data-interactive"));
        Assert.Equal("1,234 keys 8 clients 60 ops/sec", string.Join(' ', list.Find("[data-testid=totals]").TextContent.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void A_failed_node_shows_its_reason_and_can_only_be_started()
    {
        var failed = Card(RenderList(), "6381");

        Assert.Equal("failed", failed.QuerySelector("[data-testid=state]")!.TextContent.Trim());
        Assert.Contains("bind: Address already in use", failed.QuerySelector("[data-testid=failure]")!.TextContent);
        Assert.False(failed.QuerySelector("[data-action=start]")!.HasAttribute("disabled"));
        Assert.True(failed.QuerySelector("[data-action=stop]")!.HasAttribute("disabled"));
        Assert.True(failed.QuerySelector("[data-action=restart]")!.HasAttribute("disabled"));
    }

    [Fact]
    public void Buttons_call_the_topology_door_for_their_node()
    {
        var list = RenderList();

        Card(list, "6379").QuerySelector("[data-action=stop]")!.Click();
        Card(list, "6380").QuerySelector("[data-action=restart]")!.Click();
        Card(list, "6381").QuerySelector("[data-action=start]")!.Click();
        list.Find("[data-action=add]").Click();

        Assert.Equal(["stop 6379", "restart 6380", "start 6381", "add"], _topology.Calls);
    }

    [Fact]
    public void A_running_node_cannot_be_started_again()
    {
        var running = Card(RenderList(), "6379");

        Assert.True(running.QuerySelector("[data-action=start]")!.HasAttribute("disabled"));
        Assert.True(running.QuerySelector("[data-action=remove]")!.HasAttribute("disabled"));
    }

    [Fact]
    public void Change_batches_update_add_and_remove_cards()
    {
        var list = RenderList();

        _topology.Push(
            new NodeChange(NodeChangeKind.Upsert, FakeTopologyClient.Node("6379", NodeState.Stopped, keys: 7)),
            new NodeChange(NodeChangeKind.Upsert, FakeTopologyClient.Node("6390", port: 6390)),
            new NodeChange(NodeChangeKind.Removed, FakeTopologyClient.Node("6382")));

        list.WaitForAssertion(() =>
        {
            Assert.Equal(["6379", "6380", "6381", "6390"], list.FindAll("article[data-node]").Select(e => e.GetAttribute("data-node")));
            Assert.Equal("stopped", Card(list, "6379").QuerySelector("[data-testid=state]")!.TextContent.Trim());
            Assert.Equal("7", Card(list, "6379").QuerySelector("[data-metric=keys] dd")!.TextContent);
        }, TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KB")]
    [InlineData(5L * 1024 * 1024, "5.0 MB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3.00 GB")]
    public void Memory_is_shown_in_binary_units(long bytes, string expected) =>
        Assert.Equal(expected, NodeCard.FormatBytes(bytes));
}
