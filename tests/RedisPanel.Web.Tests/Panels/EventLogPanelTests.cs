using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using Radzen.Blazor;
using RedisPanel.Web.Components.Panels;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Panels;

public sealed class EventLogPanelTests : BunitContext
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 22, 0, 0, TimeSpan.Zero);
    private readonly FakeTopologyClient _topology = new(FakeTopologyClient.Node("a"), FakeTopologyClient.Node("b", port: 6380));

    public EventLogPanelTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        Services.AddSingleton<ITopologyClient>(_topology);
        _topology.RecentEvents.AddRange(
        [
            new TopologyEvent(1, T0, TopologyEventKind.NodeLifecycle, "a", "started on 127.0.0.1:6379"),
            new TopologyEvent(2, T0.AddSeconds(1), TopologyEventKind.SyncStarted, "b", "full sync from 127.0.0.1:6379", Partial: false),
            new TopologyEvent(3, T0.AddSeconds(2), TopologyEventKind.LinkUp, "b", "link up"),
            new TopologyEvent(4, T0.AddSeconds(3), TopologyEventKind.OperatorAction, "b", "Promote b: done", Succeeded: true),
            new TopologyEvent(5, T0.AddSeconds(4), TopologyEventKind.OperatorAction, "a", "Cut link a: a is not a replica", Succeeded: false),
        ]);
    }

    private static long[] Ids(IRenderedComponent<EventLogPanel> log) =>
        log.FindAll("li[data-event]").Select(e => long.Parse(e.GetAttribute("data-event")!)).ToArray();

    [Fact]
    public void Lists_events_newest_first_with_outcome_styling()
    {
        var log = Render<EventLogPanel>();

        Assert.Equal([5L, 4, 3, 2, 1], Ids(log));
        var ok = log.Find("li[data-event='4']");
        Assert.Contains("log-item--ok", ok.ClassList);
        Assert.Equal("succeeded", ok.QuerySelector("[data-testid=outcome]")!.TextContent.Trim());
        var bad = log.Find("li[data-event='5']");
        Assert.Contains("log-item--bad", bad.ClassList);
        Assert.Equal("failed", bad.QuerySelector("[data-testid=outcome]")!.TextContent.Trim());
        Assert.Contains("full", log.Find("li[data-event='2']").TextContent);
        Assert.Equal(T0.ToString("O"), log.Find("li[data-event='1'] time").GetAttribute("datetime"));
        Assert.Equal("5 of 5", log.Find("[data-testid=event-shown]").TextContent);
    }

    [Fact]
    public void Kind_chips_node_and_text_filter_the_list()
    {
        var log = Render<EventLogPanel>();

        // switch off operator actions and lifecycle: only the sync and the link remain
        log.Find("button[data-kind=OperatorAction]").Click();
        log.Find("button[data-kind=NodeLifecycle]").Click();
        Assert.Equal([3L, 2], Ids(log));
        Assert.Equal("false", log.Find("button[data-kind=OperatorAction]").GetAttribute("aria-pressed"));
        log.Find("button[data-kind=OperatorAction]").Click(); // back on
        Assert.Equal([5L, 4, 3, 2], Ids(log));

        // text (case-insensitive, message or node)
        log.Find("[data-testid=event-text]").Input("CUT LINK");
        Assert.Equal([5L], Ids(log));
        log.Find("[data-testid=event-text]").Input("");

        // node: pick "b" in the dropdown's component
        var nodeFilter = log.FindComponent<RadzenDropDown<string>>();
        log.InvokeAsync(() => nodeFilter.Instance.ValueChanged.InvokeAsync("b"));
        Assert.Equal([4L, 3, 2], Ids(log));
        Assert.Equal("3 of 5", log.Find("[data-testid=event-shown]").TextContent);
    }

    [Fact]
    public void Live_events_arrive_on_top_once_each_and_the_log_is_bounded()
    {
        var log = Render<EventLogPanel>();

        _topology.PushEvents(new TopologyEvent(6, T0.AddSeconds(5), TopologyEventKind.LinkDown, "b", "connection lost"));
        log.WaitForAssertion(() => Assert.Equal(6L, Ids(log)[0]), TimeSpan.FromSeconds(10));
        Assert.Contains("log-item--warn", log.Find("li[data-event='6']").ClassList);
        // a repeated id is not shown twice
        _topology.PushEvents(new TopologyEvent(6, T0.AddSeconds(5), TopologyEventKind.LinkDown, "b", "connection lost"),
            new TopologyEvent(7, T0.AddSeconds(6), TopologyEventKind.Promoted, "b", "promoted"));
        log.WaitForAssertion(() => Assert.Equal([7L, 6, 5, 4, 3, 2, 1], Ids(log)), TimeSpan.FromSeconds(10));

        var buffer = new EventBuffer(3);
        buffer.AddRange(Enumerable.Range(1, 10).Select(i => new TopologyEvent(i, T0, TopologyEventKind.LinkUp, "a", "up")));
        Assert.Equal([8L, 9, 10], buffer.OldestFirst.Select(e => e.Id));
    }
}
