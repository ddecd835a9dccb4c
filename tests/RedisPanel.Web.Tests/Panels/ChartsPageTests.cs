using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using Radzen.Blazor;
using Radzen.Blazor.Rendering;
using RedisPanel.Web.Components.Pages;
using RedisPanel.Web.Components.Panels;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Panels;

public sealed class ChartsPageTests : BunitContext
{
    // The page stamps live points with this clock: the snapshot lands exactly one second after the last sample.
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 22, 0, 0, TimeSpan.Zero);
    private readonly FakeTopologyClient _topology;

    public ChartsPageTests()
    {
        var master = PanelNodes.Master("m", 6379, 60_000, new ReplicaEntry("127.0.0.1", 6380, "online", 59_000, 0));
        var replica = PanelNodes.Replica("r", 6380, 6379, 59_500);
        _topology = new FakeTopologyClient(master, replica);
        // 30 s of history, one sample per second: the master writes 2,000 B/s, the replica trails by 500 bytes
        _topology.History["m"] = Enumerable.Range(0, 30)
            .Select(i => new NodeSample(Now.AddSeconds(i - 30), i * 2000L, null, null, 100 + i, 4096)).ToList();
        _topology.History["r"] = Enumerable.Range(0, 30)
            .Select(i => new NodeSample(Now.AddSeconds(i - 30), i * 2000L - 500, i * 2000L - 500, 500, 0, 4096)).ToList();
        _topology.RecentEvents.Add(new TopologyEvent(1, Now.AddSeconds(-20), TopologyEventKind.SyncStarted, "r", "full sync", Partial: false));
        _topology.RecentEvents.Add(new TopologyEvent(2, Now.AddSeconds(-10), TopologyEventKind.LinkDown, "r", "link down"));
        _topology.RecentEvents.Add(new TopologyEvent(3, Now.AddSeconds(-5), TopologyEventKind.LinkUp, "r", "link up")); // no marker

        JSInterop.Mode = JSRuntimeMode.Loose;
        JSInterop.Setup<Rect>("Radzen.createChart", _ => true).SetResult(new Rect { Width = 900, Height = 300 });
        Services.AddRadzenComponents();
        Services.AddSingleton<ITopologyClient>(_topology);
        Services.AddSingleton<TimeProvider>(new FixedClock(Now));
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    private static IEnumerable<(string Title, ChartPoint[] Data)> Lines(IRenderedComponent<Charts> page, string chart) =>
        page.FindComponents<RadzenLineSeries<ChartPoint>>()
            .Where(s => s.Instance.ValueProperty == chart)
            .Select(s => (s.Instance.Title ?? "", s.Instance.Data!.ToArray()));

    [Fact]
    public void Draws_offset_lag_and_ops_series_from_the_history_and_the_event_markers()
    {
        var page = Render<Charts>();

        var offsets = Lines(page, "Offset").ToDictionary(l => l.Title, l => l.Data);
        Assert.Equal(["m", "r"], offsets.Keys.Order());
        // 30 seeded points plus the live picture of the snapshot
        Assert.Equal(31, offsets["m"].Length);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i * 2000L).Append(60_000), offsets["m"].Select(p => p.Offset));
        Assert.Equal(59_500, offsets["r"][^1].Offset);

        // lag only for the replica: 500 from history, then master offset − replica offset live
        var lag = Lines(page, "LagBytes").ToList();
        Assert.Equal("r", Assert.Single(lag).Title);
        Assert.Equal(500, lag[0].Data[0].LagBytes);
        Assert.Equal(500, lag[0].Data[^1].LagBytes);
        Assert.Equal(2, Lines(page, "OpsPerSec").Count());

        // markers: a full sync and a link cut on the replica's line (the link-up is not a marker)
        var scatter = page.FindComponents<RadzenScatterSeries<ReplicationCharts.MarkerPoint>>()
            .Where(s => s.Instance.ValueProperty == "Value").ToList();
        var onOffsets = scatter.Take(3).ToDictionary(s => s.Instance.Title!, s => s.Instance.Data!.ToArray());
        Assert.Equal("r", Assert.Single(onOffsets["Full sync"]).Node);
        Assert.Equal(20_000 - 500, Assert.Single(onOffsets["Full sync"]).Value); // the replica's offset at that second
        Assert.Single(onOffsets["Link down"]);
        Assert.Empty(onOffsets["Promotion"]);

        // the SVG really has the lines (Radzen draws once it knows its width)
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-chart=offsets] .rz-line-series path")), TimeSpan.FromSeconds(10));

        // one backlog gauge, for the master, at its write rate (2,000 B/s over the last 10 s of points)
        var gauge = page.FindComponent<BacklogGauge>();
        Assert.Equal("m", gauge.Instance.Master.Name);
        Assert.Equal(2000, gauge.Instance.WriteRate, 6);
        Assert.Equal("60000", page.Find("[data-testid=master-offset]").GetAttribute("data-offset"));
    }

    [Fact]
    public void Live_batches_extend_the_series_and_move_the_gauge()
    {
        var page = Render<Charts>();
        var master = _topology.Subscribe(default).Snapshot[0];
        var newer = master with { Replication = master.Replication! with { MasterReplOffset = 75_000 } };

        _topology.Push(new NodeChange(NodeChangeKind.Upsert, newer));

        page.WaitForAssertion(() => Assert.Equal("75000", page.Find("[data-testid=master-offset]").GetAttribute("data-offset")), TimeSpan.FromSeconds(10));
        // the charts catch up within the redraw throttle
        page.WaitForAssertion(() => Assert.Equal(75_000, Lines(page, "Offset").Single(l => l.Title == "m").Data[^1].Offset), TimeSpan.FromSeconds(10));
        // the replica's lag follows its master even though the replica itself did not change
        Assert.Equal(75_000 - 59_500, Lines(page, "LagBytes").Single().Data[^1].LagBytes);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
