using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisPanel.Engine.Config;
using RedisPanel.Node;
using RedisPanel.Web.Nodes;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Nodes;

public sealed class NodeManagerTests : IAsyncLifetime
{
    private readonly List<NodeManager> _managers = new();
    private readonly List<string> _dataDirs = new();

    /// <summary>A fresh data directory for one manager, removed when the test ends.</summary>
    private string DataDir()
    {
        string dir = Directory.CreateTempSubdirectory("redispanel-nm-").FullName;
        _dataDirs.Add(dir);
        return dir;
    }

    private NodeManager Create(LoadConfigFile? loader, params NodeDefinition[] nodes)
    {
        var manager = new NodeManager(Options.Create(new NodeManagerOptions { Nodes = nodes.ToList(), DataDirectory = DataDir() }),
            loader ?? (path => throw new FileNotFoundException($"no such file {path}")),
            new TestEnvironment(), NullLoggerFactory.Instance);
        _managers.Add(manager);
        return manager;
    }

    private static NodeViewModel View(NodeManager m, string name) => m.Find(name)!.Sample();

    [Fact]
    public async Task A_node_whose_port_is_taken_fails_with_the_reason_and_the_others_run()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var m = Create(null,
            new NodeDefinition { Name = "a", Port = 0 },
            new NodeDefinition { Name = "b", Port = taken },
            new NodeDefinition { Name = "c", Port = 0, ReplicaOf = "127.0.0.1 6379" });

        await m.StartAsync(CancellationToken.None);

        Assert.Equal(NodeState.Running, View(m, "a").State);
        Assert.Equal(NodeState.Running, View(m, "c").State);
        var b = View(m, "b");
        Assert.Equal(NodeState.Failed, b.State);
        Assert.Equal($"Could not create server TCP listening socket 127.0.0.1:{taken}: bind: Address already in use", b.FailureReason);
        Assert.Equal(taken, b.Port);
        await using var client = await RespClient.ConnectAsync(View(m, "c").Port);
        Assert.Equal("+PONG", await client.CommandAsync("PING"));
    }

    [Fact]
    public async Task A_replica_whose_master_is_unreachable_shows_its_link_down()
    {
        // Nothing listens on 127.0.0.2:7000 (loopback), so the link never comes up.
        var m = Create(null, new NodeDefinition { Name = "m", Port = 0 }, new NodeDefinition { Name = "r", Port = 0, ReplicaOf = "127.0.0.2 7000" });
        await m.StartAsync(CancellationToken.None);

        Assert.Equal(NodeRole.Master, View(m, "m").Role);
        var r = View(m, "r");
        Assert.Equal(NodeRole.ReplicaPending, r.Role);
        Assert.Equal("replica (link down)", r.RoleLabel);
        Assert.Equal("127.0.0.2:7000", r.MasterAddress);
    }

    [Fact]
    public async Task Stop_releases_the_port_and_start_comes_back_on_the_same_port_with_the_data()
    {
        var m = Create(null, new NodeDefinition { Name = "a", Port = 0 });
        await m.StartAsync(CancellationToken.None);
        int port = View(m, "a").Port;
        await using (var c = await RespClient.ConnectAsync(port)) Assert.Equal("+OK", await c.CommandAsync("SET", "k", "v"));

        Assert.True((await m.StopNodeAsync("a")).Succeeded);
        Assert.Equal(NodeState.Stopped, View(m, "a").State);
        Assert.True(await RespClient.IsRefusedAsync(port));

        Assert.True((await m.StartNodeAsync("a")).Succeeded);
        Assert.Equal(port, View(m, "a").Port);
        await using (var c = await RespClient.ConnectAsync(port)) Assert.Equal("v", await c.CommandAsync("GET", "k"));
        Assert.Equal(1, View(m, "a").Keys);

        var restarted = await m.RestartNodeAsync("a");
        Assert.True(restarted.Succeeded, restarted.Message);
        Assert.Equal(NodeState.Running, View(m, "a").State);
    }

    [Fact]
    public async Task A_node_persisted_by_the_dashboard_starts_from_its_generated_redis_conf()
    {
        // What Persist topology leaves behind: data/<name>/redis.conf, read with the real parser at the next app start.
        string data = DataDir();
        Directory.CreateDirectory(Path.Combine(data, "r"));
        await File.WriteAllTextAsync(Path.Combine(data, "r", "redis.conf"), $"port 0\ndir {Path.Combine(data, "r")}\nreplicaof 127.0.0.2 7001\n");
        var manager = new NodeManager(Options.Create(new NodeManagerOptions
            {
                Nodes = [new NodeDefinition { Name = "r", Port = 0, ReplicaOf = "127.0.0.2 7000" }],
                DataDirectory = data,
            }),
            ConfigFileParser.Load, new TestEnvironment(), NullLoggerFactory.Instance);
        _managers.Add(manager);

        await manager.StartAsync(CancellationToken.None);

        var r = View(manager, "r");
        Assert.Equal(NodeState.Running, r.State);
        Assert.Equal("127.0.0.2:7001", r.MasterAddress); // the persisted topology wins over the declared one
        Assert.Equal(Path.Combine(data, "r", "redis.conf"), r.ConfigFile);
    }

    [Fact]
    public async Task A_config_file_node_is_built_by_the_loader_relative_to_the_content_root()
    {
        string? asked = null;
        var m = Create(path =>
        {
            asked = path;
            return new ServerConfig { Port = 0, ReplicaOf = "127.0.0.2 7000" };
        }, new NodeDefinition { Name = "file", ConfigFile = "conf/redis.conf" });

        await m.StartAsync(CancellationToken.None);

        Assert.Equal(Path.Combine(TestEnvironment.Root, "conf", "redis.conf"), asked);
        var vm = View(m, "file");
        Assert.Equal(NodeState.Running, vm.State);
        Assert.Equal("127.0.0.2:7000", vm.MasterAddress);
        Assert.Equal(asked, vm.ConfigFile);
    }

    [Fact]
    public async Task A_bad_config_file_fails_that_node_only()
    {
        // The real parser on a real file: Redis's fatal config error names the line, and only that node fails.
        string dir = Directory.CreateTempSubdirectory("redispanel-badconf-").FullName;
        string file = Path.Combine(dir, "bad.conf");
        File.WriteAllText(file, "port 7001\nappendonly no\nbogus directive\n");
        try
        {
            var m = Create(RedisPanel.Engine.Config.ConfigFileParser.Load,
                new NodeDefinition { Name = "bad", ConfigFile = file },
                new NodeDefinition { Name = "good", Port = 0 });

            await m.StartAsync(CancellationToken.None);

            var bad = View(m, "bad");
            Assert.Equal(NodeState.Failed, bad.State);
            Assert.Contains("at line 3", bad.FailureReason);
            Assert.Contains(">>> 'bogus directive'", bad.FailureReason);
            Assert.Contains("Bad directive or wrong number of arguments", bad.FailureReason);
            Assert.Equal(NodeState.Running, View(m, "good").State);
            var start = await m.StartNodeAsync("bad");
            Assert.False(start.Succeeded);
            Assert.Contains("Bad directive", start.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Add_takes_the_next_free_port_and_remove_releases_it()
    {
        var m = Create(null, new NodeDefinition { Name = "a", Port = 0 });
        await m.StartAsync(CancellationToken.None);
        int basePort = View(m, "a").Port;

        var added = await m.AddNodeAsync();

        Assert.True(added.Succeeded, added.Message);
        var node = m.Nodes[^1].Sample();
        Assert.Equal(NodeState.Running, node.State);
        Assert.True(node.Port > basePort && node.Port <= basePort + 32, $"port {node.Port} after {basePort}");
        Assert.Equal(node.Port.ToString(), node.Name);

        Assert.True((await m.RemoveNodeAsync(node.Name)).Succeeded);
        Assert.Null(m.Find(node.Name));
        Assert.True(await RespClient.IsRefusedAsync(node.Port));
        Assert.False((await m.StopNodeAsync(node.Name)).Succeeded);
    }

    [Fact]
    public async Task Duplicate_names_get_a_suffix()
    {
        var m = Create(null, new NodeDefinition { Name = "x", Port = 0 }, new NodeDefinition { Name = "x", Port = 0 });
        await m.StartAsync(CancellationToken.None);

        Assert.Equal(["x", "x-2"], m.Nodes.Select(n => n.Name));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var m in _managers) await m.DisposeAsync();
        foreach (var dir in _dataDirs) Directory.Delete(dir, recursive: true);
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public static readonly string Root = Path.Combine(Path.GetTempPath(), "redispanel-tests");
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "RedisPanel.Web";
        public string ContentRootPath { get; set; } = Root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
