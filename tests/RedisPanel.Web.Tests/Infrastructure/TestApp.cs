// The real web app (Program.Build) in-process on loopback port 0, with three nodes on free ports.
// Shared by RedisPanel.Web.Tests and RedisPanel.Browser.Tests (linked source).
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using RedisPanel.Web.Nodes;

namespace RedisPanel.Web.Tests.Infrastructure;

public sealed class TestApp : IAsyncDisposable
{
    public static readonly string[] NodeNames = ["master", "replica-a", "replica-b"];

    private readonly string _dataDir;

    private TestApp(WebApplication app, Uri baseAddress, string dataDir)
    {
        App = app;
        BaseAddress = baseAddress;
        _dataDir = dataDir;
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public NodeManager Nodes => App.Services.GetRequiredService<NodeManager>();

    /// <summary>The port a node is bound to (fixed after its first start).</summary>
    public int PortOf(string name) => Nodes.Find(name)?.Sample().Port ?? throw new ArgumentException($"no node {name}");

    public static Task<TestApp> StartAsync(params string[] extraArgs)
    {
        // The master's port is picked up front so the replicas can name it in ReplicaOf; the replicas bind port 0.
        int masterPort = FreePort();
        var nodes = new List<string>();
        for (int i = 0; i < NodeNames.Length; i++)
        {
            nodes.Add($"--Nodes:{i}:Name={NodeNames[i]}");
            nodes.Add($"--Nodes:{i}:Port={(i == 0 ? masterPort : 0)}");
            if (i > 0) nodes.Add($"--Nodes:{i}:ReplicaOf=127.0.0.1 {masterPort}");
        }
        return StartCoreAsync([.. nodes, .. extraArgs]);
    }

    /// <summary>
    /// <paramref name="masters"/> masters ("m0", "m1" ...), each followed in declaration order by
    /// <paramref name="replicasPerMaster"/> replicas ("m0-r1" ...) replicating from it.
    /// </summary>
    public static Task<TestApp> StartTopologyAsync(int masters, int replicasPerMaster, params string[] extraArgs)
    {
        var nodes = new List<string>();
        int index = 0;
        for (int m = 0; m < masters; m++)
        {
            int masterPort = FreePort();
            nodes.Add($"--Nodes:{index}:Name=m{m}");
            nodes.Add($"--Nodes:{index}:Port={masterPort}");
            nodes.Add($"--Nodes:{index++}:ReplicaOf="); // not a replica, whatever appsettings.json says at this index
            for (int r = 1; r <= replicasPerMaster; r++)
            {
                nodes.Add($"--Nodes:{index}:Name=m{m}-r{r}");
                nodes.Add($"--Nodes:{index}:Port=0");
                nodes.Add($"--Nodes:{index++}:ReplicaOf=127.0.0.1 {masterPort}");
            }
        }
        return StartCoreAsync([.. nodes, .. extraArgs]);
    }

    private static async Task<TestApp> StartCoreAsync(IEnumerable<string> nodeArgs)
    {
        string logs = Path.Combine(AppContext.BaseDirectory, "logs", "app-.log");
        string data = Directory.CreateTempSubdirectory("redispanel-web-").FullName;
        var args = new List<string>
        {
            "--Urls=http://127.0.0.1:0",
            $"--Serilog:WriteTo:1:Args:path={logs}",
            $"--DataDirectory={data}",
        };
        args.AddRange(nodeArgs);
        var app = Program.Build(args.ToArray());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app, new Uri(address.Replace("[::]", IPAddress.Loopback.ToString())), data);
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // Open Blazor circuits hold a graceful shutdown for 30 s: give it 2 s.
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await App.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // shutdown cut short on purpose
            }
        }
        await App.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true); // the nodes' data/<name> dirs of this app
    }
}
