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

        var page = await _browser.NewPageAsync(Chromium.PageOptions(app.BaseAddress));
        await OpenAsync(page, "/charts");
        await Expect(page.Locator("[data-testid=backlog-gauge]")).ToHaveCountAsync(8, new() { Timeout = 15_000 });
        const string probe = "m5";
        await WatchAsync(page, $"[data-testid=master-offset][data-node='{probe}']");

        var latencies = new List<double>();
        var pacing = new Random(20261121);
        await using (var client = await RespClient.ConnectAsync(app.PortOf(probe)))
        {
            for (int i = 0; i < 25; i++)
            {
                Assert.Equal("+OK", await client.CommandAsync("SET", "probe", i.ToString(CultureInfo.InvariantCulture)));
                long written = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                long offset = OffsetOf(app, probe); // includes the probe (and maybe a few load writes after it)
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
        }

        latencies.Sort();
        double median = latencies[latencies.Count / 2], p95 = latencies[(int)Math.Ceiling(latencies.Count * 0.95) - 1], max = latencies[^1];
        string summary = $"32 nodes (8 masters x 3 replicas), {load.Writes} load writes, {latencies.Count} probes on {probe}: " +
                         $"median {median:0} ms, p95 {p95:0} ms, max {max:0} ms, min {latencies[0]:0} ms; all: {string.Join(' ', latencies.Select(l => l.ToString("0", CultureInfo.InvariantCulture)))}";
        output.WriteLine(summary);
        File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "responsiveness.txt"), $"{DateTime.UtcNow:O} {summary}{Environment.NewLine}");
        await page.Locator(".rp-shell").ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "panels-32-nodes-charts.png") });
        Assert.True(median <= 500, summary);
    }
}
