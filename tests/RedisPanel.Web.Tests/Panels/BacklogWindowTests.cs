using RedisPanel.Web.Components.Panels;

namespace RedisPanel.Web.Tests.Panels;

public sealed class BacklogWindowTests
{
    // A full 1 MB backlog: the master is at 5,000,000 and holds the last 1,048,576 bytes.
    private const long Mb = 1024 * 1024;
    private static readonly BacklogWindow Full = new(5_000_000, 5_000_000 - Mb + 1, Mb, Mb, true);

    [Fact]
    public void A_level_replica_can_stay_away_one_capacity_at_the_write_rate()
    {
        var outlook = Full.Survival(5_000_000, bytesPerSecond: 1024);
        Assert.Equal(OutlookKind.For, outlook.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1024), outlook.Time); // 1 MB at 1 KB/s
        Assert.Equal("17m 04s", outlook.ToString());
        Assert.Equal(outlook, Full.SurvivalFromNow(1024));
    }

    [Fact]
    public void A_lagging_replica_has_the_capacity_minus_its_lag()
    {
        // 524,288 bytes behind: half the backlog is left, 512 s at 1 KB/s
        var outlook = Full.Survival(5_000_000 - 524_288, 1024);
        Assert.Equal(TimeSpan.FromSeconds(512), outlook.Time);
        Assert.Equal(Mb - 524_288, Full.Headroom(5_000_000 - 524_288));
    }

    [Fact]
    public void No_writes_means_forever_and_outside_the_backlog_means_a_full_sync()
    {
        Assert.Equal(Outlook.Forever, Full.Survival(4_500_000, 0));
        Assert.Equal("∞", Full.SurvivalFromNow(0).ToString());
        // the oldest held byte is FirstByte: a replica at FirstByte - 1 asks for FirstByte and continues, one before it cannot
        Assert.True(Full.CanContinue(Full.FirstByte - 1));
        Assert.False(Full.CanContinue(Full.FirstByte - 2));
        Assert.Equal(Outlook.TooLate, Full.Survival(Full.FirstByte - 2, 1024));
        Assert.Equal("full sync", Outlook.TooLate.ToString());
        // and a master without a backlog has nothing to continue from
        var none = new BacklogWindow(100, 0, 0, Mb, false);
        Assert.Equal(Outlook.TooLate, none.Survival(100, 0));
        Assert.Equal(Outlook.TooLate, none.SurvivalFromNow(10));
    }

    [Fact]
    public void The_gauge_spans_one_capacity_ending_at_the_master_offset()
    {
        Assert.Equal(5_000_000 - Mb, Full.AxisStart);
        Assert.Equal(1.0, Full.Position(5_000_000));
        Assert.Equal(0.5, Full.Position(5_000_000 - Mb / 2), 6);
        Assert.Equal(0.0, Full.Position(1)); // far behind: pinned at the left end
        var (start, end) = Full.FilledSpan;
        Assert.Equal(0.0, start, 6);
        Assert.Equal(1.0, end, 6);

        // early in the stream (1,000 bytes written, backlog from offset 1): the axis is what was written
        var young = new BacklogWindow(1000, 1, 1000, Mb, true);
        Assert.Equal(0, young.AxisStart);
        Assert.Equal((0.0, 1.0), young.FilledSpan);
        Assert.Equal(0.5, young.Position(500));
    }

    [Fact]
    public void Write_rate_is_offset_growth_over_the_window_and_restarts_after_a_drop()
    {
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        ChartPoint P(int s, long offset) => new(t0.AddSeconds(s), offset, null, 0);

        Assert.Equal(0, BacklogWindow.WriteRate([], TimeSpan.FromSeconds(10)));
        Assert.Equal(0, BacklogWindow.WriteRate([P(0, 100)], TimeSpan.FromSeconds(10)));
        // 20 s of points, 10 s window: only the last 10 s count (1,000 B/s there, 0 before)
        var points = Enumerable.Range(0, 21).Select(s => P(s, s <= 10 ? 0 : (s - 10) * 1000L)).ToList();
        Assert.Equal(1000, BacklogWindow.WriteRate(points, TimeSpan.FromSeconds(10)), 6);
        Assert.Equal(500, BacklogWindow.WriteRate(points, TimeSpan.FromSeconds(20)), 6);
        // a restart (offset back to 0) restarts the measurement
        List<ChartPoint> restarted = [P(0, 50_000), P(1, 60_000), P(2, 0), P(3, 300), P(4, 600)];
        Assert.Equal(300, BacklogWindow.WriteRate(restarted, TimeSpan.FromSeconds(10)), 6);
    }

    [Theory]
    [InlineData(3.24, "3.2 s")]
    [InlineData(42, "42 s")]
    [InlineData(245, "4m 05s")]
    [InlineData(7800, "2h 10m")]
    [InlineData(86400 * 3, "3 days")]
    public void Durations_read_naturally(double seconds, string text) =>
        Assert.Equal(text, Outlook.Format(TimeSpan.FromSeconds(seconds)));
}
