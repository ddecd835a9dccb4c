using Microsoft.Playwright;

namespace RedisPanel.Browser.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright's bundled node driver, fully offline (never run Playwright's browser
/// installer). The resolver rule keeps Chromium from looking up Google hosts; only loopback resolves.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: apt-get install -y chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            ],
        });
        return (playwright, browser);
    }

    /// <summary>A tall viewport: at 720 px Chromium started drags on the wrong card (STACK.md).</summary>
    public static BrowserNewPageOptions PageOptions(Uri baseAddress) => new()
    {
        BaseURL = baseAddress.ToString(),
        ViewportSize = new ViewportSize { Width = 1280, Height = 1600 },
    };
}
