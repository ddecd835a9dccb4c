// The panels end to end: 32 nodes under write load and how fast a write shows on the page; the charts page with
// real replication data (screenshots); events and console against the real door.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RedisPanel.Node;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace RedisPanel.Browser.Tests;

public sealed class PanelsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string ScreenshotDir = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        (_playwright, _browser) = await Chromium.LaunchAsync();
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await Expect(page.Locator("[data-interactive='true']")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    private static long OffsetOf(TestApp app, string node) => app.Nodes.Find(node)!.Sample().Replication?.MasterReplOffset ?? 0;

    private static Task WaitForTopologyAsync(TestApp app, int count) =>
        Poll.UntilAsync(() =>
        {
            var nodes = app.App.Services.GetRequiredService<TopologyFeed>().Current;
            return nodes.Length == count && nodes.All(n => n.State == NodeState.Running && n.Role != NodeRole.ReplicaPending);
        }, $"{count} nodes running with their replication links up", TimeSpan.FromSeconds(90));

    /// <summary>
    /// Records in the page when the value shown by <paramref name="selector"/> changes (its data-offset, else its
    /// digits), stamped at the next animation frame (when it is painted), in window.__seen as [epoch ms, value].
    /// </summary>
    private static Task WatchAsync(IPage page, string selector) => page.EvaluateAsync(@"sel => {
        window.__seen = [];
        let last = null;
        const read = () => {
          const e = document.querySelector(sel);
          if (!e) return null;
          const v = e.dataset.offset ?? e.textContent;
          return Number(String(v).replace(/[^0-9]/g, ''));
        };
        new MutationObserver(() => {
          const v = read();
          if (v === null || v === last) return;
          last = v;
          requestAnimationFrame(() => window.__seen.push([Date.now(), v]));
        }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      }", selector);

    [Fact]
    public async Task With_32_nodes_under_write_load_a_write_shows_on_the_page_within_half_a_second()
    {
        await using var app = await TestApp.StartTopologyAsync(masters: 8, replicasPerMaster: 3);
        await WaitForTopologyAsync(app, 32);
        var masters = Enumerable.Range(0, 8).Select(i => $"m{i}").ToList();
        // ~200 SETs/s of 100 bytes on each master (~25 KB/s of replication stream each, to 3 replicas)
        await using var load = new WriteLoad(masters.Select(app.PortOf), _ => 2);
        const string probe = "m5";
        var page = await _browser.NewPageAsync(Chromium.PageOptions(app.BaseAddress));

        // the charts page: the master's offset on its backlog gauge (8 gauges, 8 charted nodes redrawn 1/s)
        await OpenAsync(page, "/charts");
        await Expect(page.Locator("[data-testid=backlog-gauge]")).ToHaveCountAsync(8, new() { Timeout = 15_000 });
        var charts = await MeasureAsync(app, page, probe, $"[data-testid=master-offset][data-node='{probe}']");
        await page.Locator(".rp-shell").ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "panels-32-nodes-charts.png") });
        string summary = Summarize($"/charts, {load.Writes} load writes so far", charts);

        // the topology page (32 cards), when its cards show the offset
        await OpenAsync(page, "/");
        var card = page.Locator($"article[data-node='{probe}'] [data-testid=offset]");
        if (await card.CountAsync() > 0)
        {
            var topology = await MeasureAsync(app, page, probe, $"article[data-node='{probe}'] [data-testid=offset]");
            summary += Environment.NewLine + Summarize($"/ (topology), {load.Writes} load writes so far", topology);
            Assert.True(Median(topology) <= 500, summary);
        }
        output.WriteLine(summary);
        File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "responsiveness.txt"), $"{DateTime.UtcNow:O}{Environment.NewLine}{summary}{Environment.NewLine}");
        Assert.True(Median(charts) <= 500, summary);
    }

    /// <summary>
    /// Writes to <paramref name="probe"/> and times until the page shows an offset at least as far (25 samples, in ms).
    /// The write's time is taken when its reply arrives; the offset to wait for is read right after (so it may include
    /// a few load writes after the probe: the figure errs on the slow side).
    /// </summary>
    private static async Task<List<double>> MeasureAsync(TestApp app, IPage page, string probe, string selector)
    {
        await WatchAsync(page, selector);
        var latencies = new List<double>();
        var pacing = new Random(20261121);
        await using var client = await RespClient.ConnectAsync(app.PortOf(probe));
        for (int i = 0; i < 25; i++)
        {
            Assert.Equal("+OK", await client.CommandAsync("SET", "probe", i.ToString(CultureInfo.InvariantCulture)));
            long written = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            long offset = OffsetOf(app, probe);
            double? seen = null;
            await Poll.UntilAsync(async () =>
            {
                seen = await page.EvaluateAsync<double?>("o => { const e = window.__seen.find(x => x[1] >= o); return e ? e[0] : null; }", offset);
                return seen is not null;
            }, $"offset {offset} of {probe} on the page", TimeSpan.FromSeconds(10));
            latencies.Add(seen!.Value - written);
            // Spread the probes over the feed's sampling phase (a fixed period would lock onto it).
            await Task.Delay(150 + pacing.Next(500));
        }
        latencies.Sort();
        return latencies;
    }

    private static double Median(List<double> sorted) => sorted[sorted.Count / 2];

    private static string Summarize(string where, List<double> sorted) =>
        $"32 nodes (8 masters x 3 replicas), {where}, {sorted.Count} probes: median {Median(sorted):0} ms, " +
        $"p95 {sorted[(int)Math.Ceiling(sorted.Count * 0.95) - 1]:0} ms, max {sorted[^1]:0} ms, min {sorted[0]:0} ms; " +
        $"loadavg {File.ReadAllText("/proc/loadavg").Trim()}; all: {string.Join(' ', sorted.Select(l => l.ToString("0", CultureInfo.InvariantCulture)))}";

    [Fact]
    public async Task Charts_events_and_console_with_real_replication_a_link_cut_and_a_promotion()
    {
        await using var app = await TestApp.StartAsync();
        await WaitForTopologyAsync(app, 3);
        var door = app.App.Services.GetRequiredService<ITopologyClient>();
        // a load that swells and ebbs (1 to 7 SETs of 200 bytes per 10 ms), so the charts have a shape
        await using var load = new WriteLoad([app.PortOf("master")],
            t => 1 + (int)Math.Round(3 * (1 + Math.Sin(t.TotalSeconds / 4))), valueBytes: 200);

        var page = await _browser.NewPageAsync(Chromium.PageOptions(app.BaseAddress));
        await OpenAsync(page, "/charts");
        await Expect(page.Locator("[data-testid=backlog-gauge]")).ToHaveCountAsync(1, new() { Timeout = 15_000 });

        long start = OffsetOf(app, "master");
        await Poll.UntilAsync(() => OffsetOf(app, "master") > start + 1_500_000, "1.5 MB of writes", TimeSpan.FromSeconds(60));

        // a link cut on replica-b: its lag climbs while the link is down, then it resyncs (partially, from the backlog)
        var cut = await door.CutLinkAsync("replica-b", TimeSpan.FromSeconds(4));
        Assert.True(cut.Succeeded, cut.Message);
        await Poll.UntilAsync(() => app.Nodes.Find("replica-b")!.Sample().Role == NodeRole.ReplicaPending, "replica-b's link down", TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => app.Nodes.Find("replica-b")!.Sample().Role == NodeRole.Replica, "replica-b's link back", TimeSpan.FromSeconds(30));
        long afterCut = OffsetOf(app, "master");
        await Poll.UntilAsync(() => OffsetOf(app, "master") > afterCut + 1_000_000, "1 MB more writes", TimeSpan.FromSeconds(60));

        // promote replica-a (it leaves; the master keeps writing to replica-b)
        var promoted = await door.PromoteAsync("replica-a", repointSiblings: false);
        Assert.True(promoted.Succeeded, promoted.Message);
        await Poll.UntilAsync(() => app.Nodes.Find("replica-a")!.Sample().Role == NodeRole.Master, "replica-a a master", TimeSpan.FromSeconds(10));
        long afterPromote = OffsetOf(app, "master");
        await Poll.UntilAsync(() => OffsetOf(app, "master") > afterPromote + 1_000_000, "1 MB more writes", TimeSpan.FromSeconds(60));

        // the charts show the lines and a marker of each kind; two gauges now (two masters)
        await Expect(page.Locator("[data-testid=backlog-gauge]")).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        var offsets = page.Locator("[data-chart=offsets]");
        // one line per node and a marker of each kind on the offsets chart (in ChartSeries' marker colours)
        await Expect(offsets.Locator(".rz-line-series path")).ToHaveCountAsync(3, new() { Timeout = 10_000 });
        foreach (string legend in TestApp.NodeNames.Concat(["Full sync", "Link down", "Promotion"]))
            await Expect(offsets.Locator(".rz-legend-item", new() { HasText = legend })).ToHaveCountAsync(1);
        foreach (string fill in new[] { "#d92d20", "#dc6803", "#6938ef" })
            await Expect(offsets.Locator($".rz-scatter-series .rz-marker path[fill='{fill}']").First).ToBeAttachedAsync(new() { Timeout = 10_000 });
        await page.Locator(".rp-shell").ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "panels-charts.png") });

        // the event log has the cut and the promotion, the operator actions marked as succeeded
        await page.Locator("[data-nav=events]").ClickAsync();
        await Expect(page.Locator("[data-testid=event-log]")).ToBeVisibleAsync();
        await Expect(page.Locator("li[data-kind=LinkDown]").First).ToContainTextAsync("replica-b");
        await Expect(page.Locator("li[data-kind=Promoted]").First).ToContainTextAsync("replica-a");
        await Expect(page.Locator("li[data-kind=OperatorAction] [data-testid=outcome]").First).ToHaveTextAsync("succeeded");
        await page.Locator(".rp-shell").ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "panels-events.png") });
        await page.Locator("button[data-kind=OperatorAction]").ClickAsync(); // filter them out
        await Expect(page.Locator("li[data-kind=OperatorAction]")).ToHaveCountAsync(0);

        // the console runs commands on the picked node and prints like redis-cli
        await page.Locator("[data-nav=console]").ClickAsync();
        var input = page.Locator("[data-testid=console-input]");
        await Expect(input).ToBeEnabledAsync();
        foreach (string line in new[] { "SET greeting hello", "GET greeting", "LRANGE nosuch 0 -1", "HELLO 9", "ROLE" })
        {
            await input.FillAsync(line);
            await input.PressAsync("Enter");
            await Expect(page.Locator(".con-entry").Last.Locator("[data-testid=reply]")).ToBeVisibleAsync();
        }
        var replies = page.Locator(".con-entry [data-testid=reply]");
        await Expect(replies.Nth(0)).ToHaveTextAsync("OK");
        await Expect(replies.Nth(1)).ToHaveTextAsync("\"hello\"");
        await Expect(replies.Nth(2)).ToHaveTextAsync("(empty array)");
        await Expect(replies.Nth(3)).ToHaveAttributeAsync("data-error", "true");
        await input.PressAsync("ArrowUp");
        await Expect(input).ToHaveValueAsync("ROLE");
        await page.Locator(".rp-shell").ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "panels-console.png") });
    }
}
