using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RedisPanel.Node;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Topology;

/// <summary>The feed and its hub, on the real app with three nodes on free ports.</summary>
public sealed class TopologyFeedTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ITopologyClient Door => _app.App.Services.GetRequiredService<ITopologyClient>();

    [Fact]
    public async Task The_snapshot_lists_the_configured_nodes_running()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var sub = Door.Subscribe(cts.Token);

        Assert.Equal(TestApp.NodeNames, sub.Snapshot.Select(n => n.Name));
        Assert.All(sub.Snapshot, n => Assert.Equal(NodeState.Running, n.State));
        Assert.All(sub.Snapshot, n => Assert.NotEqual(0, n.Port));
        // The replicas really replicate now: at snapshot time each is syncing (link down) or already linked.
        Assert.Equal(NodeRole.Master, sub.Snapshot[0].Role);
        Assert.All(sub.Snapshot.Skip(1), n => Assert.Contains(n.Role, new[] { NodeRole.Replica, NodeRole.ReplicaPending }));
    }

    [Fact]
    public async Task A_write_over_RESP_and_a_stop_arrive_as_change_batches()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var sub = Door.Subscribe(cts.Token);
        await using var changes = sub.Changes.GetAsyncEnumerator(cts.Token);
        await using (var c = await RespClient.ConnectAsync(_app.PortOf("master")))
            Assert.Equal("+OK", await c.CommandAsync("SET", "k", "v"));

        await NextMatchingAsync(changes, n => n.Name == "master" && n.Keys == 1);

        Assert.True((await Door.StopNodeAsync("replica-b")).Succeeded);
        await NextMatchingAsync(changes, n => n.Name == "replica-b" && n.State == NodeState.Stopped);
    }

    [Fact]
    public async Task A_slow_reader_gets_changes_merged_into_one_change_per_node()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var sub = Door.Subscribe(cts.Token);
        var feed = _app.App.Services.GetRequiredService<TopologyFeed>();
        await Door.StopNodeAsync("replica-a");
        await Door.StartNodeAsync("replica-a");
        await Door.StopNodeAsync("replica-a");
        await Poll.UntilAsync(() => feed.Current.Single(n => n.Name == "replica-a").State == NodeState.Stopped, "the feed to sample the stop");

        await using var changes = sub.Changes.GetAsyncEnumerator(cts.Token);
        Assert.True(await changes.MoveNextAsync());

        var forNode = changes.Current.Nodes.Where(c => c.Node.Name == "replica-a").ToList();
        Assert.Single(forNode);
        Assert.Equal(NodeState.Stopped, forNode[0].Node.State);
    }

    [Fact]
    public async Task The_hub_pushes_a_snapshot_on_connect()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var ws = new ClientWebSocket();
        var uri = new UriBuilder(_app.BaseAddress) { Scheme = "ws", Path = TopologyHub.Path }.Uri;
        await ws.ConnectAsync(uri, cts.Token);
        // JSON hub protocol: handshake, then invocation messages, each ended by the record separator 0x1E.
        await ws.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, cts.Token);

        var messages = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        while (!messages.Any(m => m.TryGetProperty("target", out var t) && t.GetString() == "snapshot"))
        {
            var r = await ws.ReceiveAsync(buffer, cts.Token);
            text.Append(Encoding.UTF8.GetString(buffer, 0, r.Count));
            var frames = text.ToString().Split('\u001e');
            foreach (var f in frames[..^1]) messages.Add(JsonDocument.Parse(f).RootElement.Clone());
            text.Clear().Append(frames[^1]);
        }

        Assert.Equal("{}", messages[0].GetRawText()); // handshake accepted
        var nodes = messages.First(m => m.TryGetProperty("target", out var t) && t.GetString() == "snapshot").GetProperty("arguments")[0];
        Assert.Equal(TestApp.NodeNames, nodes.EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.Equal("Running", nodes[0].GetProperty("state").GetString());
        Assert.Contains(nodes[1].GetProperty("role").GetString(), new[] { "Replica", "ReplicaPending" });
        Assert.Equal(_app.PortOf("master"), nodes[0].GetProperty("port").GetInt32());
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
    }

    [Fact]
    public async Task A_raw_websocket_gets_the_same_snapshot_as_the_door_and_then_events()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Wait until the replicas are linked, so the picture is stable while it is compared.
        await Poll.UntilAsync(() => ((TopologyFeed)Door).Current.Skip(1).All(n => n.Role == NodeRole.Replica), "both replicas linked", TimeSpan.FromSeconds(20));
        var door = Door.Subscribe(cts.Token).Snapshot;
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new UriBuilder(_app.BaseAddress) { Scheme = "ws", Path = TopologyHub.Path }.Uri, cts.Token);
        await ws.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, cts.Token);
        var reader = new HubReader(ws);

        var snapshot = (await reader.NextAsync("snapshot", cts.Token)).GetProperty("arguments")[0];
        Assert.Equal(door.Length, snapshot.GetArrayLength());
        for (int i = 0; i < door.Length; i++)
        {
            var json = snapshot[i];
            var vm = door[i];
            Assert.Equal(vm.Name, json.GetProperty("name").GetString());
            Assert.Equal(vm.Host, json.GetProperty("host").GetString());
            Assert.Equal(vm.Port, json.GetProperty("port").GetInt32());
            Assert.Equal(vm.State.ToString(), json.GetProperty("state").GetString());
            Assert.Equal(vm.Role.ToString(), json.GetProperty("role").GetString());
            Assert.Equal(vm.MasterAddress, json.GetProperty("masterAddress").GetString());
            Assert.Equal(vm.External, json.GetProperty("external").GetBoolean());
            var repl = json.GetProperty("replication");
            Assert.Equal(vm.Replication!.ReplId, repl.GetProperty("replId").GetString());
            Assert.Equal(vm.Replication.Link is null, repl.GetProperty("link").ValueKind == JsonValueKind.Null);
            if (vm.Replication.Link is { } link) Assert.Equal(link.MasterPort, repl.GetProperty("link").GetProperty("masterPort").GetInt32());
        }

        Assert.True((await Door.DetachAsync("replica-b")).Succeeded);
        bool sawDetach = false;
        while (!sawDetach)
        {
            var events = (await reader.NextAsync("events", cts.Token)).GetProperty("arguments")[0];
            sawDetach = events.EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "OperatorAction"
                && e.GetProperty("node").GetString() == "replica-b" && e.GetProperty("succeeded").GetBoolean());
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
    }

    /// <summary>Reads JSON hub protocol frames (each ended by 0x1E) off a raw WebSocket.</summary>
    private sealed class HubReader(ClientWebSocket ws)
    {
        private readonly Queue<JsonElement> _messages = new();
        private readonly StringBuilder _text = new();
        private readonly byte[] _buffer = new byte[64 * 1024];

        public async Task<JsonElement> NextAsync(string target, CancellationToken ct)
        {
            while (true)
            {
                while (_messages.TryDequeue(out var m))
                    if (m.TryGetProperty("target", out var t) && t.GetString() == target) return m;
                var r = await ws.ReceiveAsync(_buffer, ct);
                _text.Append(Encoding.UTF8.GetString(_buffer, 0, r.Count));
                var frames = _text.ToString().Split('\u001e');
                foreach (var f in frames[..^1]) _messages.Enqueue(JsonDocument.Parse(f).RootElement.Clone());
                _text.Clear().Append(frames[^1]);
            }
        }
    }

    [Fact]
    public async Task The_dashboard_page_and_its_script_are_served()
    {
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };

        string page = await http.GetStringAsync("/");
        Assert.Contains("data-node=\"master\"", page);
        Assert.Contains("_framework/blazor.web.js", page);

        using var script = await http.GetAsync("/_framework/blazor.web.js");
        Assert.True(script.IsSuccessStatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Blazor", await script.Content.ReadAsStringAsync());
        using var radzen = await http.GetAsync("/_content/Radzen.Blazor/Radzen.Blazor.js");
        Assert.True(radzen.IsSuccessStatusCode, $"Radzen script: {radzen.StatusCode}");
        using var css = await http.GetAsync("/app.css");
        Assert.True(css.IsSuccessStatusCode, $"app.css: {css.StatusCode}");
    }

    private static async Task NextMatchingAsync(IAsyncEnumerator<TopologyBatch> changes, Func<NodeViewModel, bool> match)
    {
        // bounded by the subscription's cancellation token
        while (await changes.MoveNextAsync())
            if (changes.Current.Nodes.Any(c => c.Kind == NodeChangeKind.Upsert && match(c.Node))) return;
        throw new InvalidOperationException("feed ended");
    }
}
