// The topology view under bunit with a fake door: cards, the graph's drag and drop, the menu path, dialogs,
// busy state and read-only mode.
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using Radzen.Blazor;
using RedisPanel.Node;
using RedisPanel.Web.Components.Nodes;
using RedisPanel.Web.Components.Topology;
using RedisPanel.Web.Components.Topology.Dialogs;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;
using static RedisPanel.Web.Tests.Components.Topology.Scenario;

namespace RedisPanel.Web.Tests.Components.Topology;

public sealed class TopologyViewTests : BunitContext
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);
    private FakeTopologyClient _topology = new(All);

    public TopologyViewTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        Services.AddSingleton<ITopologyClient>(_ => _topology);
        // As in the app: interactive Server (the view marks itself data-interactive for the browser tests).
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private IRenderedComponent<TopologyView> RenderView(FakeTopologyClient? topology = null)
    {
        if (topology is not null) _topology = topology;
        return Render<TopologyView>();
    }

    private static AngleSharp.Dom.IElement Card(IRenderedComponent<TopologyView> view, string name) =>
        view.Find($"article[data-node='{name}']");

    private static string Text(AngleSharp.Dom.IElement card, string testId) =>
        card.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();

    [Fact]
    public void Cards_show_identity_counters_and_replication_numbers()
    {
        var view = RenderView();

        var master = Card(view, "6379");
        Assert.Equal("127.0.0.1:6379", Text(master, "endpoint"));
        Assert.Equal("master", Text(master, "role"));
        Assert.Equal("running", Text(master, "state"));
        Assert.Equal("1,234", master.QuerySelector("[data-metric=keys] dd")!.TextContent);
        Assert.Equal("15", master.QuerySelector("[data-metric=ops] dd")!.TextContent);
        Assert.Equal("2.0 KB", master.QuerySelector("[data-metric=memory] dd")!.TextContent);
        Assert.Equal("a1b2c3d4…", Text(master, "replid"));
        Assert.Equal(IdA, master.QuerySelector("[data-testid=replid]")!.GetAttribute("title"));
        Assert.Equal("—", Text(master, "replid2"));
        Assert.Equal("5,000", Text(master, "offset"));
        Assert.Equal("1 … 5,000", Text(master, "backlog"));
        Assert.Equal("2 replicas", Text(master, "replicas"));

        // A replica: its own offset, and lag / last ACK from the master's slaveN line for it.
        var behind = Card(view, "6381");
        Assert.Equal("replica", Text(behind, "role"));
        Assert.Contains("6379", Text(behind, "master"));
        Assert.Equal("4,000", Text(behind, "replica-offset"));
        Assert.Equal("1000 B", Text(behind, "lag"));
        Assert.Equal("1s ago", Text(behind, "ack"));
        Assert.Equal("link up · last I/O 0s ago", Text(behind, "link-text"));

        Assert.Equal("replica of a replica", Text(Card(view, "6382"), "role"));
        Assert.Equal("down", Text(Card(view, "6384"), "role"));
        Assert.Equal("stopped", Text(Card(view, "6384"), "state"));
        Assert.Equal("5 of 6 running", view.Find("[data-testid=summary]").TextContent);
        Assert.Equal("true", view.Find("[data-interactive]").GetAttribute("data-interactive"));
    }

    [Fact]
    public void A_link_that_is_down_or_syncing_shows_on_the_card_and_on_its_edge()
    {
        var down = FakeTopologyClient.Replicating("6380", 6380, FakeTopologyClient.ReplicaRepl(IdA, 6379, 5000, linkUp: false, downSince: 12));
        var syncing = FakeTopologyClient.Replicating("6381", 6381,
            FakeTopologyClient.ReplicaRepl(IdA, 6379, 0, linkUp: false, syncing: true, syncRead: 420, syncTotal: 1000));
        var view = RenderView(new FakeTopologyClient(Master, down, syncing));

        Assert.Equal("link down 12s", Text(Card(view, "6380"), "link-text"));
        Assert.Equal("420 B of 1000 B · 42%", Text(Card(view, "6381"), "sync"));
        Assert.NotNull(Card(view, "6381").QuerySelector(".rz-progressbar"));
        Assert.Equal("down", view.Find("[data-edge='6379->6380']").GetAttribute("data-state"));
        Assert.Equal("down 12s", view.Find("[data-edge-label='6380'] text").TextContent);
        Assert.Equal("syncing", view.Find("[data-edge='6379->6381']").GetAttribute("data-state"));
        Assert.Equal("sync 42%", view.Find("[data-edge-label='6381'] text").TextContent);
    }

    [Fact]
    public void External_and_loading_nodes_are_tagged()
    {
        var view = RenderView(new FakeTopologyClient(Master with { External = true, Loading = true }));
        Assert.Equal("external", Text(Card(view, "6379"), "external"));
        Assert.Equal("loading", Text(Card(view, "6379"), "loading"));
    }

    [Fact]
    public void Hovering_a_drag_over_a_target_shows_the_what_if_and_dropping_asks_for_replicaof()
    {
        var view = RenderView();

        view.Find("[data-slot='6382']").DragStart();
        view.Find("[data-slot='6380']").DragEnter();
        Assert.Equal("PartialResync", view.Find("[data-testid=drop-hint]").GetAttribute("data-kind"));
        Assert.StartsWith("partial resync expected: 6382 continues from offset 3,901", view.Find("[data-testid=drop-text]").TextContent);

        // moving on to a node that would close a cycle: refused, and a drop there does nothing
        view.Find("[data-slot='6380']").DragLeave();
        view.Find("[data-slot='6383']").DragEnter();
        Assert.Contains("full resync: 1,199 keys on 6382 will be replaced by 6383's data.", view.Find("[data-testid=drop-text]").TextContent);

        view.Find("[data-slot='6380']").DragEnter();
        view.Find("[data-slot='6380']").Drop();
        view.WaitForAssertion(() => Assert.Equal(["replicaof 6382 6380"], _topology.Calls), Soon);
        Assert.Empty(view.FindAll("[data-testid=drop-hint]"));
    }

    [Fact]
    public void A_refused_drop_is_explained_and_calls_nothing()
    {
        var view = RenderView();

        view.Find("[data-slot='6379']").DragStart();
        view.Find("[data-slot='6382']").DragEnter();
        Assert.Equal("Refused", view.Find("[data-testid=drop-hint]").GetAttribute("data-kind"));
        Assert.Equal("would make a cycle: 6382 already replicates from 6379 through 6381", view.Find("[data-testid=drop-text]").TextContent);
        view.Find("[data-slot='6382']").Drop();
        view.Find("[data-slot='6379']").DragStart();
        view.Find("[data-slot='6379']").DragEnter();
        Assert.Equal("6379 cannot replicate from itself", view.Find("[data-testid=drop-text]").TextContent);
        view.Find("[data-slot='6379']").Drop();
        Assert.Empty(_topology.Calls);
    }

    [Fact]
    public void An_action_in_flight_shows_its_progress_on_the_card_until_it_finishes()
    {
        var gate = new TaskCompletionSource();
        var view = RenderView(new FakeTopologyClient(All) { Gate = gate, ProgressText = "full sync: 40%" });

        view.Find("[data-slot='6383']").DragStart();
        view.Find("[data-slot='6379']").DragEnter();
        view.Find("[data-slot='6379']").Drop();

        view.WaitForAssertion(() => Assert.Equal("full sync: 40%", Text(Card(view, "6383"), "progress")), Soon);
        Assert.Equal("true", Card(view, "6383").GetAttribute("aria-busy"));
        Assert.True(Card(view, "6383").QuerySelector("[data-action=stop]")!.HasAttribute("disabled"));
        Assert.Equal("false", view.Find("[data-slot='6383']").GetAttribute("draggable"));

        gate.SetResult();
        view.WaitForAssertion(() => Assert.Empty(Card(view, "6383").QuerySelectorAll("[data-testid=progress]")), Soon);
        Assert.Equal("true", view.Find("[data-slot='6383']").GetAttribute("draggable"));
    }

    [Fact]
    public void The_menu_path_lists_targets_with_the_same_what_if_and_calls_replicaof()
    {
        var dialogs = Render<RadzenDialog>();
        var view = RenderView();

        Card(view, "6382").QuerySelector("li[data-action=replicate]")!.Click();

        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid=replicate-dialog]")), Soon);
        var targets = dialogs.FindAll("[data-target]").Select(t => t.GetAttribute("data-target")).ToList();
        Assert.Equal(["6379", "6380", "6383", "6381", "6384"], targets); // partial, partial, full, then refused
        Assert.StartsWith("partial resync expected", dialogs.Find("[data-target='6380'] [data-testid=what-if]").TextContent);
        Assert.Equal("6382 already replicates from 6381", dialogs.Find("[data-target='6381'] [data-testid=what-if]").TextContent);
        Assert.True(dialogs.Find("[data-choose='6381']").HasAttribute("disabled"));

        dialogs.Find("[data-choose='6380']").Click();
        view.WaitForAssertion(() => Assert.Equal(["replicaof 6382 6380"], _topology.Calls), Soon);
    }

    [Fact]
    public void The_actions_menu_is_reachable_from_the_keyboard()
    {
        var dialogs = Render<RadzenDialog>();
        var view = RenderView();
        var menu = Card(view, "6381").QuerySelector("[data-action=menu]")!;

        // Two real buttons in the tab order: "Replicate from…" (Enter/Space click it) and the menu toggle, which
        // opens an ARIA menu (role=menu, items role=menuitem) driven by the arrow keys.
        var main = menu.QuerySelector("button:not(.rz-splitbutton-menubutton)")!;
        var toggle = menu.QuerySelector("button.rz-splitbutton-menubutton")!;
        Assert.Equal(("0", "Replicate 6381 from…"), (main.GetAttribute("tabindex"), main.GetAttribute("aria-label")));
        Assert.Equal(("0", "menu", "More actions on 6381"), (toggle.GetAttribute("tabindex"), toggle.GetAttribute("aria-haspopup"), toggle.GetAttribute("aria-label")));
        Assert.Equal("menu", menu.QuerySelector("ul")!.GetAttribute("role"));
        Assert.Equal(5, menu.QuerySelectorAll("li[role=menuitem]").Length);

        main.Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid=replicate-dialog]")), Soon);
        dialogs.Find("[data-choose='6383']").Click();
        view.WaitForAssertion(() => Assert.Equal(["replicaof 6381 6383"], _topology.Calls), Soon);
    }

    [Fact]
    public void The_promote_dialog_counts_the_writes_that_would_be_lost()
    {
        var index = new TopologyIndex(All);
        var behind = Render<PromoteDialog>(p => p.Add(d => d.Node, All[2]).Add(d => d.Index, index));
        Assert.Equal("6381 would lose 1,000 bytes of writes: 6379 is at offset 5,000, 6381 at 4,000.",
            behind.Find("[data-testid=loss] .rz-alert-message").TextContent.Trim());
        Assert.Contains("Re-point former siblings (6380) to 6381", behind.Markup);

        var caught = Render<PromoteDialog>(p => p.Add(d => d.Node, All[1]).Add(d => d.Index, index));
        Assert.Equal("6380 is fully caught up with 6379 (offset 5,000): no writes are lost.",
            caught.Find("[data-testid=loss] .rz-alert-message").TextContent.Trim());
    }

    [Fact]
    public void Promote_and_cut_link_go_through_their_dialogs()
    {
        var dialogs = Render<RadzenDialog>();
        var view = RenderView();

        Card(view, "6381").QuerySelector("li[data-action=promote]")!.Click();
        dialogs.WaitForAssertion(() => Assert.Contains("would lose 1,000 bytes", dialogs.Find("[data-testid=loss]").TextContent), Soon);
        dialogs.Find("[data-testid=promote-dialog] [data-testid=confirm]").Click();
        view.WaitForAssertion(() => Assert.Equal(["promote 6381 repoint"], _topology.Calls), Soon);

        Card(view, "6380").QuerySelector("li[data-action=cutlink]")!.Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid=cutlink-dialog]")), Soon);
        dialogs.Find("[data-testid=cutlink-dialog] [data-testid=confirm]").Click();
        view.WaitForAssertion(() => Assert.Equal(["promote 6381 repoint", "cutlink 6380 10"], _topology.Calls), Soon);
    }

    [Fact]
    public void Confirmation_texts_name_what_happens()
    {
        var index = new TopologyIndex(All);
        Assert.Equal("6379 stops taking writes until 6380 has caught up, then they swap roles (FAILOVER TO). No writes are lost.",
            ActionTexts.Switchover(index, All[1]));
        Assert.Equal("Remove node 6384? Its data is dropped.", ActionTexts.Remove(All[5]));
        Assert.Equal("6380 stops replicating (REPLICAOF NO ONE) and keeps its data; no other node is touched.", ActionTexts.Detach(All[1]));
        Assert.Equal(["6380"], ActionTexts.Siblings(index, All[2]));
    }

    [Fact]
    public void Rewiring_items_are_disabled_on_a_master()
    {
        var master = Card(RenderView(), "6379");
        foreach (var action in new[] { "promote", "switchover", "detach", "cutlink" })
            Assert.Equal("true", master.QuerySelector($"li[data-action={action}]")!.GetAttribute("aria-disabled"));
        Assert.Equal("false", master.QuerySelector("li[data-action=replicate]")!.GetAttribute("aria-disabled"));
    }

    [Fact]
    public void Read_only_mode_disables_every_action_and_says_so()
    {
        var view = RenderView(new FakeTopologyClient(All) { IsReadOnly = true });

        Assert.Equal("read-only", view.Find("[data-testid=read-only]").TextContent.Trim());
        foreach (var button in view.FindAll("button[data-action]"))
            Assert.True(button.HasAttribute("disabled"), $"{button.GetAttribute("data-action")} is enabled");
        Assert.All(view.FindAll("[data-slot]"), s => Assert.Equal("false", s.GetAttribute("draggable")));
        Assert.All(view.FindAll(".rz-splitbutton button"), b => Assert.True(b.HasAttribute("disabled")));

        view.Find("[data-slot='6382']").DragStart();
        view.Find("[data-slot='6380']").Drop();
        Assert.Empty(_topology.Calls);
    }

    [Fact]
    public void Buttons_call_the_topology_door_for_their_node()
    {
        var view = RenderView(new FakeTopologyClient(Master, Node("6381", NodeState.Failed, 6381), Node("6382", NodeState.Stopped, 6382)));

        Card(view, "6379").QuerySelector("[data-action=stop]")!.Click();
        Card(view, "6381").QuerySelector("[data-action=start]")!.Click();
        view.Find("[data-action=add]").Click();
        view.Find("[data-action=persist]").Click();

        view.WaitForAssertion(() => Assert.Equal(["stop 6379", "start 6381", "add", "persist"], _topology.Calls), Soon);
        Assert.True(Card(view, "6379").QuerySelector("[data-action=start]")!.HasAttribute("disabled"));
        Assert.True(Card(view, "6379").QuerySelector("[data-action=remove]")!.HasAttribute("disabled"));
        Assert.False(Card(view, "6382").QuerySelector("[data-action=remove]")!.HasAttribute("disabled"));
    }

    private static NodeViewModel Node(string name, NodeState state, int port) => FakeTopologyClient.Node(name, state, port: port);

    [Fact]
    public void Change_batches_update_add_and_remove_cards()
    {
        var view = RenderView(new FakeTopologyClient(Master, Node("6382", NodeState.Stopped, 6382)));

        _topology.Push(
            new NodeChange(NodeChangeKind.Upsert, Master with { Keys = 7 }),
            new NodeChange(NodeChangeKind.Upsert, Caught),
            new NodeChange(NodeChangeKind.Removed, Node("6382", NodeState.Stopped, 6382)));

        view.WaitForAssertion(() =>
        {
            Assert.Equal(["6379", "6380"], view.FindAll("article[data-node]").Select(e => e.GetAttribute("data-node")));
            Assert.Equal("7", Card(view, "6379").QuerySelector("[data-metric=keys] dd")!.TextContent);
            Assert.NotNull(view.Find("[data-edge='6379->6380']"));
        }, Soon);
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
