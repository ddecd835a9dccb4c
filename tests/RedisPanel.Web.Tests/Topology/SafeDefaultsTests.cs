using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using RedisPanel.Web.Framework;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Topology;

/// <summary>Dashboard:ReadOnly and the access token required beyond loopback.</summary>
public sealed class SafeDefaultsTests
{
    [Fact]
    public async Task A_read_only_dashboard_refuses_every_mutation_and_runs_only_read_commands()
    {
        await using var app = await TestApp.StartAsync("--Dashboard:ReadOnly=true");
        var door = app.App.Services.GetRequiredService<ITopologyClient>();
        Assert.True(door.IsReadOnly);

        var refusals = new[]
        {
            await door.StopNodeAsync("replica-a"),
            await door.RestartNodeAsync("replica-a"),
            await door.AddNodeAsync(),
            await door.RemoveNodeAsync("replica-a"),
            await door.ReplicaOfAsync("replica-a", "replica-b"),
            await door.PromoteAsync("replica-a", true),
            await door.SwitchoverAsync("replica-a"),
            await door.DetachAsync("replica-a"),
            await door.CutLinkAsync("replica-a", TimeSpan.FromSeconds(1)),
            await door.PersistTopologyAsync(),
        };
        Assert.All(refusals, r => Assert.Equal(NodeActionResult.Fail(TopologyFeed.ReadOnlyMessage), r));
        Assert.Equal(3, app.Nodes.Nodes.Count);
        Assert.Equal("slave", (await Redis.InfoAsync(app.PortOf("replica-a"), "replication"))["role"]);

        Assert.Equal("OK", (await Redis.CallAsync(app.PortOf("master"), "SET", "k", "v")).Text);
        Assert.Equal("\"v\"", (await door.ExecuteAsync("master", "GET k")).Text);
        Assert.Equal("(integer) 1", (await door.ExecuteAsync("master", "DBSIZE")).Text);
        Assert.StartsWith("1) \"0\"", (await door.ExecuteAsync("master", "SCAN 0")).Text);
        Assert.Equal("PONG", (await door.ExecuteAsync("master", "PING")).Text);
        foreach (var line in new[] { "SET k other", "DEL k", "FLUSHALL", "CONFIG SET maxmemory 1", "CONFIG GET maxmemory", "KEYS *", "SHUTDOWN", "SAVE", "SWAPDB 0 1", "CLIENT KILL ID 1" })
        {
            var reply = await door.ExecuteAsync("master", line);
            Assert.True(reply.IsError, line);
            Assert.True(reply.Text.Contains(TopologyFeed.ReadOnlyMessage), line + " => " + reply.Text);
        }
        Assert.Equal("v", (await Redis.CallAsync(app.PortOf("master"), "GET", "k")).Text);

        // Watching a real redis-server is not a mutation; its own command table decides what its console runs.
        await using var server = await RealRedisServer.StartAsync();
        string name = $"127.0.0.1:{server.Port}";
        Assert.True((await door.AttachExternalAsync("127.0.0.1", server.Port, null)).Succeeded);
        Assert.Equal("(nil)", (await door.ExecuteAsync(name, "GET k")).Text);
        Assert.Equal("(integer) 0", (await door.ExecuteAsync(name, "DBSIZE")).Text);
        foreach (var line in new[] { "SET k v", "CONFIG GET maxmemory", "CONFIG SET maxmemory 1", "KEYS *", "EVAL \"return 1\" 0" })
            Assert.True((await door.ExecuteAsync(name, line)).Text.Contains(TopologyFeed.ReadOnlyMessage), line);
        Assert.Equal(0, (await Redis.CallAsync(server.Port, "DBSIZE")).Integer);
        Assert.False((await door.ReplicaOfAsync(name, "master")).Succeeded);
        Assert.True((await door.RemoveNodeAsync(name)).Succeeded);
    }

    [Fact]
    public async Task Beyond_loopback_every_request_needs_the_token_once()
    {
        await using var app = await TestApp.StartAsync("--Urls=http://0.0.0.0:0", "--Dashboard:AccessToken=s3cret");
        var baseUri = new UriBuilder(app.BaseAddress) { Host = "127.0.0.1" }.Uri;
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler) { BaseAddress = baseUri };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/?token=wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(TopologyHub.Path + "/negotiate?negotiateVersion=1", null)).StatusCode);

        var first = await http.GetAsync("/?token=s3cret");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AccessTokenGate.CookieName + "=") && c.Contains("httponly"));
        // The cookie opens the rest (pages and the Blazor circuit) without the token in the URL.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);

        using var bare = new HttpClient { BaseAddress = baseUri };
        bare.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await bare.GetAsync("/")).StatusCode);

        var hub = new UriBuilder(baseUri) { Scheme = "ws", Path = TopologyHub.Path }.Uri;
        using (var refused = new ClientWebSocket())
            await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(hub, CancellationToken.None));
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", "Bearer s3cret");
        await ws.ConnectAsync(hub, CancellationToken.None);
        Assert.Equal(WebSocketState.Open, ws.State);
    }

    [Fact]
    public async Task Without_a_configured_token_one_is_generated_and_loopback_stays_open()
    {
        await using (var wide = await TestApp.StartAsync("--Urls=http://0.0.0.0:0"))
        {
            var gate = wide.App.Services.GetRequiredService<AccessTokenGate>();
            using var http = new HttpClient { BaseAddress = new UriBuilder(wide.BaseAddress) { Host = "127.0.0.1" }.Uri };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/")).StatusCode);
            Assert.True(gate.Token.Length >= 32);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/?token=" + gate.Token)).StatusCode);
        }
        await using var local = await TestApp.StartAsync();
        using var open = new HttpClient { BaseAddress = local.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await open.GetAsync("/")).StatusCode);
        Assert.False(local.App.Services.GetRequiredService<AccessTokenGate>().Required);
    }
}
