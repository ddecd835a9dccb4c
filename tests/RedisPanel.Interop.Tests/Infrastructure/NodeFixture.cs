using RedisPanel.Engine.Config;
using RedisPanel.Node;

namespace RedisPanel.Interop.Tests.Infrastructure;

/// <summary>Our RedisNode hosted in the test process on a free loopback port (port 0).</summary>
public sealed class NodeFixture : IAsyncDisposable, IDisposable
{
    private NodeFixture(RedisNode node) => Node = node;

    // Every fixture's dir lives under one root per test process, removed when the process exits: tests restart a
    // node on the dir of a fixture they already disposed (its dump, its history), so a dir cannot go with the fixture.
    private static readonly string DirsRoot = CreateDirsRoot();
    private static int _dirs;

    private static string CreateDirsRoot()
    {
        string root = Directory.CreateTempSubdirectory("redispanel-node-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { } // a node still writing at exit: the OS's temp cleaning takes the rest
        };
        return root;
    }

    public RedisNode Node { get; }

    public int Port => Node.Port;

    /// <summary>Starts a node; <paramref name="configure"/> may adjust the config (requirepass ...).</summary>
    public static async Task<NodeFixture> StartAsync(Action<ServerConfig>? configure = null, string name = "test")
    {
        // A private dir and no save points: a node loads dump.rdb from its dir at start, so tests must not share one.
        var config = new ServerConfig
        {
            Port = 0,
            Bind = ["127.0.0.1"],
            Dir = Directory.CreateDirectory(Path.Combine(DirsRoot, $"{name}-{Interlocked.Increment(ref _dirs)}")).FullName,
            SavePoints = [],
        };
        configure?.Invoke(config);
        var node = new RedisNode(new NodeOptions { Name = name, Config = config, RandomSeed = 1 });
        if (!await node.StartAsync())
            throw new InvalidOperationException("node did not start: " + node.FailureReason);
        return new NodeFixture(node);
    }

    public static NodeFixture Start(Action<ServerConfig>? configure = null) => StartAsync(configure).GetAwaiter().GetResult();

    public ValueTask DisposeAsync() => Node.DisposeAsync();

    public void Dispose() => Node.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
