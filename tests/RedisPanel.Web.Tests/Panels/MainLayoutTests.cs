using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using RedisPanel.Web.Components.Layout;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Panels;

public sealed class MainLayoutTests : BunitContext
{
    private readonly FakeTopologyClient _topology = new();

    public MainLayoutTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        Services.AddSingleton<ITopologyClient>(_topology);
    }

    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page"))));

    [Fact]
    public void Navigates_to_the_four_pages_and_marks_the_current_one()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("charts");
        var layout = RenderLayout();

        Assert.Equal(["topology", "charts", "events", "console"], layout.FindAll("nav a[data-nav]").Select(a => a.GetAttribute("data-nav")));
        Assert.Equal(["", "charts", "events", "console"], layout.FindAll("nav a[data-nav]").Select(a => a.GetAttribute("href")));
        Assert.Equal("charts", Assert.Single(layout.FindAll("nav a.active")).GetAttribute("data-nav"));
        Assert.Empty(layout.FindAll("[data-testid=read-only]"));
    }

    [Fact]
    public void A_read_only_dashboard_says_so_in_the_header()
    {
        _topology.IsReadOnly = true;
        Assert.Contains("read-only", RenderLayout().Find("header [data-testid=read-only]").TextContent);
    }
}
