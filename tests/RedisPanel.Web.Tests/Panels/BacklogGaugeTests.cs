using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using RedisPanel.Web.Components.Panels;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Panels;

public sealed class BacklogGaugeTests : BunitContext
{
    public BacklogGaugeTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
    }

    private static readonly Dictionary<string, string> Names = new() { ["127.0.0.1:6380"] = "r1", ["127.0.0.1:6381"] = "r2" };

    [Fact]
    public void Shows_the_window_the_replica_markers_and_how_long_each_can_stay_away()
    {
        // master at 4 MB, full 1 MB backlog; r1 is level, r2 is 768 KB behind; writes at 1 KB/s
        const long m = 4 * PanelNodes.Mb;
        var master = PanelNodes.Master("m", 6379, m,
            new ReplicaEntry("127.0.0.1", 6380, "online", m, 0),
            new ReplicaEntry("127.0.0.1", 6381, "online", m - 768 * 1024, 1));

        var gauge = Render<BacklogGauge>(p => p.Add(g => g.Master, master).Add(g => g.WriteRate, 1024).Add(g => g.Names, Names));

        Assert.Equal(m.ToString(), gauge.Find("[data-testid=master-offset]").GetAttribute("data-offset"));
        Assert.Contains("1 KB/s", gauge.Find("[data-testid=write-rate]").TextContent);
        Assert.Equal("left:100%", Style(gauge, "[data-replica=r1].gauge-marker"));
        Assert.Equal("left:25%", Style(gauge, "[data-replica=r2].gauge-marker"));
        Assert.Equal("left:0%;width:100%", gauge.Find(".gauge-fill").GetAttribute("style"));

        Assert.Equal("can stay away 17m 04s", Survival(gauge, "r1"));  // 1 MB / 1 KB/s
        Assert.Equal("can stay away 4m 16s", Survival(gauge, "r2"));   // 256 KB / 1 KB/s
        Assert.Equal("17m 04s at 1 KB/s", gauge.Find("[data-testid=survival-now]").TextContent.Trim());
        Assert.Equal(["r2", "r1"], gauge.FindAll(".gauge-marker-label").Select(l => l.TextContent));
    }

    [Fact]
    public void Replicas_own_offsets_win_over_their_last_ack_and_close_markers_share_one_label()
    {
        const long m = 4 * PanelNodes.Mb;
        var master = PanelNodes.Master("m", 6379, m,
            new ReplicaEntry("127.0.0.1", 6380, "online", m - 512 * 1024, 1),
            new ReplicaEntry("127.0.0.1", 6381, "online", m - 1000, 0));
        // r1 acked 512 KB ago but has applied everything by now
        var live = new Dictionary<string, long> { ["127.0.0.1:6380"] = m };

        var gauge = Render<BacklogGauge>(p => p.Add(g => g.Master, master).Add(g => g.WriteRate, 1024).Add(g => g.Names, Names)
            .Add(g => g.LiveOffsets, live));

        Assert.Equal("can stay away 17m 04s", Survival(gauge, "r1"));
        Assert.Equal("r2 +1", Assert.Single(gauge.FindAll(".gauge-marker-label")).TextContent);
    }

    [Fact]
    public void A_replica_sampled_after_its_master_is_level_not_ahead()
    {
        // the replica's own INFO was read after a few more writes than the master's: it is level, not lost
        const long m = 4 * PanelNodes.Mb;
        var master = PanelNodes.Master("m", 6379, m, new ReplicaEntry("127.0.0.1", 6380, "online", m - 300, 0));
        var live = new Dictionary<string, long> { ["127.0.0.1:6380"] = m + 700 };

        var gauge = Render<BacklogGauge>(p => p.Add(g => g.Master, master).Add(g => g.WriteRate, 1024).Add(g => g.Names, Names)
            .Add(g => g.LiveOffsets, live));

        Assert.Equal("can stay away 17m 04s", Survival(gauge, "r1"));
        Assert.Contains("0 B behind", gauge.Find("li[data-replica='r1']").TextContent);
        Assert.Equal("left:100%", Style(gauge, "[data-replica=r1].gauge-marker"));
    }

    [Fact]
    public void A_replica_outside_the_backlog_is_marked_for_a_full_sync_and_no_writes_is_infinity()
    {
        const long m = 4 * PanelNodes.Mb;
        var master = PanelNodes.Master("m", 6379, m,
            new ReplicaEntry("127.0.0.1", 6380, "online", m - 10, 0),
            new ReplicaEntry("127.0.0.1", 6381, "online", m - 2 * PanelNodes.Mb, 30));

        var gauge = Render<BacklogGauge>(p => p.Add(g => g.Master, master).Add(g => g.WriteRate, 0).Add(g => g.Names, Names));

        Assert.Equal("can stay away ∞", Survival(gauge, "r1"));
        Assert.Equal("needs a full sync", Survival(gauge, "r2"));
        Assert.Contains("gauge-marker--out", gauge.Find("[data-replica=r2].gauge-marker").ClassList);
        Assert.DoesNotContain("gauge-marker--out", gauge.Find("[data-replica=r1].gauge-marker").ClassList);
        Assert.Equal("∞ at 0 B/s", gauge.Find("[data-testid=survival-now]").TextContent.Trim());
    }

    [Fact]
    public void Without_a_backlog_it_says_so_and_unknown_replicas_show_their_endpoint()
    {
        var master = FakeMaster() with
        {
            Replication = ReplicationView.Empty with
            {
                MasterReplOffset = 0,
                Replicas = new ValueList<ReplicaEntry>([new ReplicaEntry("10.0.0.9", 7000, "wait_bgsave", 0, 0)]),
            },
        };
        var gauge = Render<BacklogGauge>(p => p.Add(g => g.Master, master));

        Assert.NotNull(gauge.Find("[data-testid=no-backlog]"));
        Assert.Empty(gauge.FindAll(".gauge-bar"));
        Assert.Equal("needs a full sync", Survival(gauge, "10.0.0.9:7000"));
    }

    private static RedisPanel.Web.Topology.NodeViewModel FakeMaster() => Infrastructure.FakeTopologyClient.Node("m");

    private static string? Style(IRenderedComponent<BacklogGauge> gauge, string selector) => gauge.Find(selector).GetAttribute("style");

    private static string Survival(IRenderedComponent<BacklogGauge> gauge, string replica) =>
        gauge.Find($"li[data-replica='{replica}'] [data-testid=survival]").TextContent.Trim();
}
