// The dashboard end to end: the real app in-process (three nodes on free ports), Debian's Chromium, and a raw
// RESP client checking that what the page says is what the nodes do.
using Microsoft.Playwright;
using RedisPanel.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RedisPanel.Browser.Tests;

public sealed class DashboardTests : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 10_000 };
    private static readonly string ScreenshotDir = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private TestApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;

    private readonly System.Net.Sockets.TcpListener _squatter = new(System.Net.IPAddress.Loopback, 0);

    public async Task InitializeAsync()
    {
        // A fourth node declared on a port someone else holds: it must show Failed while the others run.
        _squatter.Start();
        SquattedPort = ((System.Net.IPEndPoint)_squatter.LocalEndpoint).Port; // LocalEndpoint forgets the port after Stop
        _app = await TestApp.StartAsync("--Nodes:3:Name=blocked", $"--Nodes:3:Port={SquattedPort}");
        (_playwright, _browser) = await Chromium.LaunchAsync();
        _page = await _browser.NewPageAsync(Chromium.PageOptions(_app.BaseAddress));
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.DisposeAsync();
        _squatter.Dispose();
    }

    private int SquattedPort { get; set; }

    private async Task OpenAsync()
    {
        await _page.GotoAsync("/");
        await Expect(_page.Locator("[data-interactive='true']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
    }

    private ILocator Card(string name) => _page.Locator($"article[data-node='{name}']");

    /// <summary>The page down to the end of its content (the tall viewport is mostly empty).</summary>
    private Task ShotAsync(string name) =>
        _page.Locator(".rp-shell").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png") });

    /// <summary>The whole viewport (dialogs are centred in it, outside the content).</summary>
    private Task ViewportShotAsync(string name) =>
        _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png") });

    [Fact]
    public async Task Stop_and_start_a_node_from_the_page_and_see_a_write_arrive()
    {
        await OpenAsync();

        // three nodes running, each with its real port (and the blocked one failed, see the other test)
        await Expect(_page.Locator("article[data-node]")).ToHaveCountAsync(4);
        foreach (var name in TestApp.NodeNames)
        {
            await Expect(Card(name).Locator("[data-testid=state]")).ToHaveTextAsync("running", Soon);
            await Expect(Card(name).Locator("[data-testid=endpoint]")).ToHaveTextAsync($"127.0.0.1:{_app.PortOf(name)}");
        }
        // The replica really syncs from the master: its link turns from "link down" to "link up".
        await Expect(Card("replica-a").Locator("[data-testid=link-text]")).ToContainTextAsync("link up", new() { Timeout = 15_000 });
        await ShotAsync("01-three-nodes");

        // Stop: the card says stopped and the port refuses connections
        int port = _app.PortOf("replica-b");
        await Card("replica-b").Locator("[data-action=stop]").ClickAsync();
        await Expect(Card("replica-b").Locator("[data-testid=state]")).ToHaveTextAsync("stopped", Soon);
        Assert.True(await RespClient.IsRefusedAsync(port), $"port {port} still accepts connections after Stop");
        await Expect(_page.Locator("[data-testid=summary]")).ToHaveTextAsync("2 of 4 running", Soon);
        await ShotAsync("02-one-stopped");

        // Start: back on the same port, answering PING
        await Card("replica-b").Locator("[data-action=start]").ClickAsync();
        await Expect(Card("replica-b").Locator("[data-testid=state]")).ToHaveTextAsync("running", Soon);
        Assert.Equal(port, _app.PortOf("replica-b"));
        await using (var client = await RespClient.ConnectAsync(port))
            Assert.Equal("+PONG", await client.CommandAsync("PING"));

        // a write over RESP shows up on the master's card
        await using (var client = await RespClient.ConnectAsync(_app.PortOf("master")))
        {
            Assert.Equal("+OK", await client.CommandAsync("SET", "greeting", "hello from RESP"));
            await Expect(Card("master").Locator("[data-metric=keys] dd")).ToHaveTextAsync("1", Soon);
            await Expect(Card("master").Locator("[data-metric=clients] dd")).ToHaveTextAsync("1", Soon);
        }
        await Expect(Card("master").Locator("[data-metric=clients] dd")).ToHaveTextAsync("0", Soon);
        // The replicas really replicate now: the key is on the master and on both replicas.
        await Expect(_page.Locator("[data-testid=totals]")).ToContainTextAsync("3 keys", new() { Timeout = 10_000 });
        await Expect(Card("replica-a").Locator("[data-testid=master]")).ToContainTextAsync($"127.0.0.1:{_app.PortOf("master")}");

        // let the action toasts time out, for a clean picture (the first README picture came from this one)
        await Expect(_page.Locator(".rz-notification-item")).ToHaveCountAsync(0, new() { Timeout = 15_000 });

        // a burst of commands shows as ops/sec (Redis's instantaneous_ops_per_sec: a 1.6 s moving average)
        await using (var client = await RespClient.ConnectAsync(_app.PortOf("master")))
        {
            for (int i = 0; i < 400; i++) Assert.Equal("+OK", await client.CommandAsync("SET", "burst", i.ToString()));
        }
        await Expect(Card("master").Locator("[data-metric=ops] dd")).Not.ToHaveTextAsync("0", Soon);
        await Expect(Card("master").Locator("[data-metric=keys] dd")).ToHaveTextAsync("2", Soon);
        await ShotAsync("03-key-written");
    }

    [Fact]
    public async Task A_node_that_failed_on_a_taken_port_starts_once_the_port_is_free_and_nodes_can_be_added_and_removed()
    {
        await OpenAsync();
        var blocked = Card("blocked");
        await Expect(blocked.Locator("[data-testid=state]")).ToHaveTextAsync("failed", Soon);
        await Expect(blocked.Locator("[data-testid=failure] .rz-alert-content")).ToHaveTextAsync(
            $"Could not create server TCP listening socket 127.0.0.1:{SquattedPort}: bind: Address already in use");
        await ShotAsync("04-failed-node");

        _squatter.Stop();
        await blocked.Locator("[data-action=start]").ClickAsync();
        await Expect(blocked.Locator("[data-testid=state]")).ToHaveTextAsync("running", Soon);
        await Expect(blocked.Locator("[data-testid=failure]")).ToHaveCountAsync(0);
        await using (var client = await RespClient.ConnectAsync(SquattedPort))
            Assert.Equal("+PONG", await client.CommandAsync("PING"));

        // Add: a fifth card on a port after the highest one, answering PING
        await _page.Locator("[data-action=add]").ClickAsync();
        await Expect(_page.Locator("article[data-node]")).ToHaveCountAsync(5, new() { Timeout = 10_000 });
        var added = _page.Locator("article[data-node]").Last;
        string name = (await added.GetAttributeAsync("data-node"))!;
        int addedPort = _app.PortOf(name);
        await Expect(added.Locator("[data-testid=state]")).ToHaveTextAsync("running", Soon);
        await using (var client = await RespClient.ConnectAsync(addedPort))
            Assert.Equal("+PONG", await client.CommandAsync("PING"));

        // Remove asks first; cancelling keeps the node, confirming drops it and frees its port
        await added.Locator("[data-action=stop]").ClickAsync();
        await Expect(added.Locator("[data-testid=state]")).ToHaveTextAsync("stopped", Soon);
        await added.Locator("[data-action=remove]").ClickAsync();
        var dialog = _page.Locator(".rz-dialog");
        await Expect(dialog).ToContainTextAsync($"Remove node {name}?");
        await ViewportShotAsync("05-remove-confirm");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(_page.Locator("article[data-node]")).ToHaveCountAsync(5);

        await added.Locator("[data-action=remove]").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(_page.Locator($"article[data-node='{name}']")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        Assert.Null(_app.Nodes.Find(name));
        Assert.True(await RespClient.IsRefusedAsync(addedPort));
    }
}
