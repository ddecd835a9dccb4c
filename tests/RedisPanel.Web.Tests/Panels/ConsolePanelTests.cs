using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using RedisPanel.Web.Components.Panels;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Panels;

public sealed class ConsolePanelTests : BunitContext
{
    private readonly FakeTopologyClient _topology = new(FakeTopologyClient.Node("a"), FakeTopologyClient.Node("b", port: 6380));

    public ConsolePanelTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        Services.AddSingleton<ITopologyClient>(_topology);
        _topology.ConsoleReplies["PING"] = new ConsoleReply(false, "PONG");
        _topology.ConsoleReplies["GET k"] = new ConsoleReply(false, "\"v\"");
        _topology.ConsoleReplies["SET k v"] = new ConsoleReply(true, "(error) READONLY You can't write against a read only replica.");
        _topology.ConsoleReplies["KEYS *"] = new ConsoleReply(false, "1) \"k\"\n2) \"other\"");
    }

    private static void Type(IRenderedComponent<ConsolePanel> console, string line)
    {
        var input = console.Find("[data-testid=console-input]");
        input.Input(line);
        console.Find("[data-testid=console-input]").KeyDown("Enter");
    }

    [Fact]
    public void Enter_runs_the_line_on_the_picked_node_and_the_transcript_keeps_every_reply()
    {
        var console = Render<ConsolePanel>(p => p.Add(c => c.InitialNode, "b"));

        Type(console, "PING");
        Type(console, "KEYS *");
        Type(console, "SET k v");

        Assert.Equal(["exec b PING", "exec b KEYS *", "exec b SET k v"], _topology.Calls);
        var entries = console.FindAll(".con-entry");
        Assert.Equal(3, entries.Count);
        Assert.Equal("PING", entries[0].QuerySelector("[data-testid=command]")!.TextContent);
        Assert.Equal("PONG", entries[0].QuerySelector("[data-testid=reply]")!.TextContent);
        Assert.Equal("1) \"k\"\n2) \"other\"", entries[1].QuerySelector("pre[data-testid=reply]")!.TextContent);
        var error = entries[2].QuerySelector("[data-testid=reply]")!;
        Assert.Equal("true", error.GetAttribute("data-error"));
        Assert.Contains("con-reply--error", error.ClassList);
        Assert.Equal("", console.Find("[data-testid=console-input]").GetAttribute("value"));
    }

    [Fact]
    public void Up_and_down_walk_the_history_and_come_back_to_the_draft()
    {
        var console = Render<ConsolePanel>();
        Type(console, "PING");
        Type(console, "GET k");
        Assert.StartsWith("exec a ", _topology.Calls[0]); // the first node when none is asked for

        var input = () => console.Find("[data-testid=console-input]");
        input().Input("DBS");
        input().KeyDown("ArrowUp");
        Assert.Equal("GET k", input().GetAttribute("value"));
        input().KeyDown("ArrowUp");
        Assert.Equal("PING", input().GetAttribute("value"));
        input().KeyDown("ArrowUp");
        Assert.Equal("PING", input().GetAttribute("value")); // oldest: stays
        input().KeyDown("ArrowDown");
        Assert.Equal("GET k", input().GetAttribute("value"));
        input().KeyDown("ArrowDown");
        Assert.Equal("DBS", input().GetAttribute("value"));

        // Enter on a recalled line runs it again
        input().KeyDown("ArrowUp");
        input().KeyDown("Enter");
        Assert.Equal("exec a GET k", _topology.Calls[^1]);
        Assert.Equal(3, console.FindAll(".con-entry").Count);
    }

    [Fact]
    public void History_skips_repeats_and_is_bounded()
    {
        var history = new CommandHistory(capacity: 3);
        foreach (var line in new[] { "a", "a", "b", "c", "d" }) history.Add(line);
        Assert.Equal(["b", "c", "d"], history.Lines);
        Assert.Equal("d", history.Previous(""));
        Assert.Equal("c", history.Previous("d"));
        Assert.Equal("d", history.Next("c"));
        Assert.Equal("", history.Next("d"));
        Assert.Equal("", history.Next(""));
    }
}
