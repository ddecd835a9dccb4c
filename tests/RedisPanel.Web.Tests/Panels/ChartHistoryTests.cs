using RedisPanel.Web.Components.Panels;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Panels;

public sealed class ChartHistoryTests
{
    private static readonly DateTime T0 = new(2026, 11, 21, 22, 0, 0, DateTimeKind.Utc);

    private static NodeViewModel M(long offset) => PanelNodes.Master("m", 6379, offset);

    [Fact]
    public void Live_pictures_make_about_one_point_per_second_the_last_one_following_the_latest_value()
    {
        var history = new ChartHistory(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));
        // the feed delivers 4 pictures a second for 3 seconds
        for (int i = 0; i <= 12; i++) history.Record([M(i * 100)], T0.AddMilliseconds(250 * i));

        var points = history.Points("m");
        Assert.Equal(1200, points[^1].Offset); // the newest value is always drawn
        Assert.InRange(points.Count, 3, 5);
        for (int i = 2; i < points.Count; i++) Assert.True(points[i].Time - points[i - 2].Time >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Points_older_than_the_window_are_dropped_and_stopped_nodes_leave_a_gap()
    {
        var history = new ChartHistory(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        for (int s = 0; s < 30; s++) history.Record([M(s)], T0.AddSeconds(s));
        Assert.Equal(Enumerable.Range(19, 11).Select(s => (long)s), history.Points("m").Select(p => p.Offset));

        history.Record([PanelNodes.Stopped(M(0))], T0.AddSeconds(31));
        Assert.Equal(29, history.Points("m")[^1].Offset); // no drop to 0 while stopped
    }

    [Fact]
    public void A_node_without_history_starts_empty_and_grows_from_the_feed()
    {
        var history = new ChartHistory();
        history.Seed("m", []);
        Assert.Empty(history.Points("m"));
        history.Record([M(5)], T0);
        Assert.Equal(5, Assert.Single(history.Points("m")).Offset);
    }

    [Fact]
    public void Replica_lag_is_its_masters_offset_minus_its_own_and_climbs_while_the_link_is_down()
    {
        var history = new ChartHistory();
        history.Record([M(10_000), PanelNodes.Replica("r", 6380, 6379, 9_000)], T0);
        Assert.Equal(1_000, history.Points("r")[^1].LagBytes);
        Assert.Equal(9_000, history.Points("r")[^1].Offset);
        Assert.Null(history.Points("m")[^1].LagBytes);

        history.Record([M(12_000), PanelNodes.Replica("r", 6380, 6379, 9_000, linkUp: false)], T0.AddSeconds(2));
        Assert.Equal(3_000, history.Points("r")[^1].LagBytes);
        // a master that is not running (or not ours): unknown
        history.Record([PanelNodes.Stopped(M(12_000)), PanelNodes.Replica("r", 6380, 6379, 9_000, linkUp: false)], T0.AddSeconds(4));
        Assert.Null(history.Points("r")[^1].LagBytes);
    }

    [Fact]
    public void Full_syncs_link_cuts_and_promotions_become_markers_on_their_nodes_line()
    {
        var history = new ChartHistory();
        history.Seed("r", [new NodeSample(T0, 500, 500, 0, 0, 0), new NodeSample(T0.AddSeconds(10), 900, 900, 0, 0, 0)]);
        history.AddEvents(
        [
            new TopologyEvent(1, T0.AddSeconds(1), TopologyEventKind.SyncStarted, "r", "full sync", Partial: false),
            new TopologyEvent(2, T0.AddSeconds(2), TopologyEventKind.SyncFinished, "r", "full sync done", Partial: false), // same sync
            new TopologyEvent(3, T0.AddSeconds(8), TopologyEventKind.SyncFinished, "r", "partial", Partial: true),
            new TopologyEvent(4, T0.AddSeconds(9), TopologyEventKind.LinkDown, "r", "down"),
            new TopologyEvent(5, T0.AddSeconds(9.5), TopologyEventKind.Promoted, "r", "promoted"),
            new TopologyEvent(6, T0.AddSeconds(9.6), TopologyEventKind.OperatorAction, "r", "Promote r", Succeeded: true),
        ]);

        Assert.Equal([MarkerKind.FullSync, MarkerKind.LinkDown, MarkerKind.Promotion], history.Markers.Select(m => m.Kind));
        Assert.Equal(500, history.Markers[0].Offset); // nearest point in time
        Assert.Equal(900, history.Markers[1].Offset);
    }
}
