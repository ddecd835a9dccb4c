// The topology graph end to end: the real app in-process (a master and two replicas on free ports), Debian's
// Chromium dragging cards with the mouse, and redis-cli checking that the nodes really were rewired.
using System.Diagnostics;
using Microsoft.Playwright;
using RedisPanel.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RedisPanel.Browser.Tests;

public sealed class TopologyTests : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 15_000 };
    private static readonly string ScreenshotDir = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private TestApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        (_playwright, _browser) = await Chromium.LaunchAsync();
        _page = await _browser.NewPageAsync(Chromium.PageOptions(_app.BaseAddress));
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.DisposeAsync();
    }

    private async Task OpenAsync()
    {
        await _page.GotoAsync("/");
        await Expect(_page.Locator("[data-interactive='true']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
    }

    private ILocator Card(string name) => _page.Locator($"article[data-node='{name}']");
    private ILocator Slot(string name) => _page.Locator($"[data-slot='{name}']");

    /// <summary>An item of the open actions menu (Radzen moves an open popup to &lt;body&gt;, out of its card).</summary>
    private ILocator MenuItem(string action) => _page.Locator($".rz-splitbutton-menu:visible li[data-action={action}]");

    private Task ShotAsync(string name) =>
        _page.Locator(".rp-shell").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png") });

    /// <summary>The whole viewport (dialogs are centred in it), once the dialog's opening animation has finished.</summary>
    private async Task ViewportShotAsync(string name)
    {
        await _page.Locator(".rz-dialog-wrapper").EvaluateAllAsync<int>("els => Promise.all(els.flatMap(e => e.getAnimations({ subtree: true })).map(a => a.finished)).then(done => done.length)");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png") });
    }

    /// <summary>Waits for every replica card to report its link up (the initial full syncs are done).</summary>
    private async Task AllLinksUpAsync()
    {
        foreach (var name in TestApp.NodeNames.Skip(1))
            await Expect(Card(name).Locator("[data-testid=link-text]")).ToContainTextAsync("link up", new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task Dragging_a_replica_onto_its_sibling_makes_a_chain_and_promoting_keeps_it_with_a_partial_resync()
    {
        await OpenAsync();
        await AllLinksUpAsync();
        int masterPort = _app.PortOf("master"), aPort = _app.PortOf("replica-a"), bPort = _app.PortOf("replica-b");
        await using (var client = await RespClient.ConnectAsync(masterPort))
            for (int i = 0; i < 20; i++) Assert.Equal("+OK", await client.CommandAsync("SET", $"key:{i}", "value"));
        await Expect(Card("replica-b").Locator("[data-metric=keys] dd")).ToHaveTextAsync("20", Soon);
        await Expect(_page.Locator(".rz-notification-item")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await ShotAsync("topology-01-three-nodes");

        // Redis 7.0 replicas keep a backlog of the stream they apply and serve PSYNC from it (chained replication):
        // that is what lets the what-if below promise a partial resync (observed on redis-server 7.0.15 too).
        Assert.Contains("repl_backlog_active:1", await CliAsync(aPort, "INFO", "replication"));

        // Drag replica-b over replica-a with the mouse: while it hovers, the card says what will happen.
        await Slot("replica-b").Locator("[data-testid=endpoint]").HoverAsync();
        await _page.Mouse.DownAsync();
        var target = (await Slot("replica-a").BoundingBoxAsync())!;
        await _page.Mouse.MoveAsync(target.X + target.Width / 2, target.Y + 90, new() { Steps = 12 });
        var hint = Slot("replica-a").Locator("[data-testid=drop-hint]");
        await Expect(hint).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await ShotAsync("topology-02-drag-hover");
        await Expect(hint.Locator("[data-testid=drop-text]")).ToContainTextAsync("partial resync expected: replica-b continues from offset");
        await Expect(hint.Locator("[data-testid=drop-text]")).ToContainTextAsync("replica-a is itself a replica of master: this makes a chain.");
        await _page.Mouse.UpAsync();

        // The node really follows replica-a now, and the graph draws the chain under it.
        await Poll.UntilAsync(async () => (await CliAsync(bPort, "ROLE")) is ["slave", _, var port, ..] && port == aPort.ToString(),
            $"ROLE on replica-b naming replica-a's port {aPort}", TimeSpan.FromSeconds(15));
        await Expect(Card("replica-b").Locator("[data-testid=role]")).ToHaveTextAsync("replica of a replica", Soon);
        await Expect(_page.Locator("[data-edge='replica-a->replica-b']")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Poll.UntilAsync(async () => (await CliAsync(bPort, "ROLE")) is ["slave", _, var port, "connected", ..] && port == aPort.ToString(),
            $"replica-b connected to replica-a", TimeSpan.FromSeconds(15));
        await Expect(Card("replica-b").Locator("[data-testid=link-text]")).ToContainTextAsync("link up", new() { Timeout = 15_000 });
        long partialBefore = await SyncPartialOkAsync(aPort);
        Assert.True(partialBefore >= 1, $"replica-b joined replica-a with a full sync (sync_partial_ok {partialBefore})");
        Assert.Equal(0, await SyncFullAsync(aPort));
        await Expect(_page.Locator(".rz-notification-item")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await ShotAsync("topology-03-chain");

        // Promote replica-a through its menu: the dialog counts what it would lose (nothing: no writes in flight).
        await Card("replica-a").Locator("[data-action=menu] button.rz-splitbutton-menubutton").ClickAsync();
        await MenuItem("promote").ClickAsync();
        var dialog = _page.Locator(".rz-dialog");
        await Expect(dialog.Locator("[data-testid=loss]")).ToContainTextAsync("fully caught up", new() { Timeout = 10_000 });
        await ViewportShotAsync("topology-04-promote-dialog");
        await dialog.Locator("[data-testid=confirm]").ClickAsync();

        await Poll.UntilAsync(async () => (await CliAsync(aPort, "ROLE")) is ["master", ..], "replica-a to be a master", TimeSpan.FromSeconds(15));
        await Expect(Card("replica-a").Locator("[data-testid=role]")).ToHaveTextAsync("master", Soon);
        // replica-b still follows replica-a, after a partial resync (Redis drops sub-replicas on promotion;
        // they come back with PSYNC on the old id, which the new master keeps as replid2).
        await Poll.UntilAsync(async () => (await CliAsync(bPort, "ROLE")) is ["slave", _, var port, "connected", ..] && port == aPort.ToString(),
            "replica-b to follow replica-a again", TimeSpan.FromSeconds(15));
        await Poll.UntilAsync(async () => await SyncPartialOkAsync(aPort) > partialBefore, "a second partial resync on replica-a", TimeSpan.FromSeconds(15));
        Assert.Equal(0, await SyncFullAsync(aPort));
        await Expect(Card("replica-b").Locator("[data-testid=role]")).ToHaveTextAsync("replica", Soon);
        await Expect(_page.Locator(".rz-notification-item")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await ShotAsync("topology-05-promoted");
    }

    [Fact]
    public async Task Cutting_a_link_shows_the_card_down_and_it_comes_back()
    {
        await OpenAsync();
        await AllLinksUpAsync();

        await Card("replica-a").Locator("[data-action=menu] button.rz-splitbutton-menubutton").ClickAsync();
        await MenuItem("cutlink").ClickAsync();
        var dialog = _page.Locator(".rz-dialog");
        var seconds = dialog.Locator("[data-testid=seconds] input");
        await Expect(seconds).ToHaveValueAsync("10", new() { Timeout = 10_000 });
        await seconds.FillAsync("4");
        await dialog.Locator("[data-testid=confirm]").ClickAsync();

        await Expect(Card("replica-a").Locator("[data-testid=link-text]")).ToContainTextAsync("link down", new() { Timeout = 15_000 });
        await Expect(_page.Locator("[data-edge='master->replica-a']")).ToHaveAttributeAsync("data-state", "down", new() { Timeout = 10_000 });
        await ShotAsync("topology-06-link-down");
        await Expect(Card("replica-a").Locator("[data-testid=link-text]")).ToContainTextAsync("link up", new() { Timeout = 30_000 });
        await Expect(_page.Locator("[data-edge='master->replica-a']")).ToHaveAttributeAsync("data-state", "online", new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task The_table_tab_lists_every_node_with_its_master()
    {
        await OpenAsync();
        await AllLinksUpAsync();
        await _page.GetByRole(AriaRole.Tab, new() { Name = "Table" }).ClickAsync();
        var table = _page.Locator("[data-testid=topology-table]");
        await Expect(table.Locator("tr[data-row]")).ToHaveCountAsync(3, new() { Timeout = 10_000 });
        await Expect(table.Locator("tr[data-row='replica-a']")).ToContainTextAsync("master");
        await ShotAsync("topology-07-table");

        // The components' isolated styles are one bundle, served as a static web asset next to app.css.
        var styles = await _page.APIRequest.GetAsync("/RedisPanel.Web.styles.css");
        Assert.Equal(200, styles.Status);
        Assert.Contains(".graph--dragging", await styles.TextAsync());
    }

    private static async Task<long> SyncPartialOkAsync(int port) => StatOf(await CliAsync(port, "INFO", "stats"), "sync_partial_ok");
    private static async Task<long> SyncFullAsync(int port) => StatOf(await CliAsync(port, "INFO", "stats"), "sync_full");

    private static long StatOf(string[] info, string field) =>
        info.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0] == field).Select(p => long.Parse(p[1])).FirstOrDefault(-1);

    /// <summary>redis-cli's raw output (one element per line), the reference client rather than our own.</summary>
    private static async Task<string[]> CliAsync(int port, params string[] args)
    {
        var psi = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-h", "127.0.0.1", "-p", port.ToString(), .. args]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string output = await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
