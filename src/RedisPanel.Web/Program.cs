// The RedisPanel web host: the dashboard (Blazor interactive Server + Radzen), the topology hub, and the
// NodeManager that runs the Redis nodes of this process. Tests build the very same app through Build(args).
using System.Text.Json.Serialization;
using Radzen;
using RedisPanel.Web.Components;
using RedisPanel.Web.Framework;
using RedisPanel.Web.Nodes;
using RedisPanel.Web.Topology;
using Serilog;

namespace RedisPanel.Web;

public static class Program
{
    public static async Task Main(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
    }

    /// <summary>
    /// Builds the app. Configuration: appsettings.json at the content root, then environment variables, then
    /// <paramref name="args"/> (e.g. <c>--Urls=http://127.0.0.1:0 --Nodes:0:Port=0</c>).
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        bool contentRootGiven = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Under a test host the entry assembly is testhost: static web assets (Radzen's _content) are found
            // by application name, so name the web assembly explicitly.
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = contentRootGiven ? null : HostPaths.FindContentRoot(),
        });
        // Radzen's files come from its package folder through the static web assets manifest, in every environment.
        builder.WebHost.UseStaticWebAssets();

        AnchorRelativeLogPaths(builder.Configuration, builder.Environment.ContentRootPath);
        // Serilog from the "Serilog" section; no static Log.Logger, so several apps can share a test process.
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(new LoggerConfiguration().ReadFrom.Configuration(builder.Configuration).CreateLogger(), dispose: true);

        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRadzenComponents();
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        services.Configure<NodeManagerOptions>(builder.Configuration);
        services.Configure<DashboardOptions>(builder.Configuration.GetSection("Dashboard"));
        services.AddSingleton<AccessTokenGate>();
        services.AddSingleton<LoadConfigFile>(RedisPanel.Engine.Config.ConfigFileParser.Load);
        services.AddSingleton<NodeManager>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeManager>());
        services.AddSingleton<TopologyFeed>();
        services.AddSingleton<ITopologyClient>(sp => sp.GetRequiredService<TopologyFeed>());
        services.AddHostedService(sp => sp.GetRequiredService<TopologyFeed>());
        services.AddHostedService<TopologyHubPublisher>();

        var app = builder.Build();
        // First in the pipeline: beyond loopback, nothing (pages, static files, /_blazor, the hub) without the token.
        var gate = app.Services.GetRequiredService<AccessTokenGate>();
        app.Use((context, next) => gate.InvokeAsync(context, next));
        app.Lifetime.ApplicationStarted.Register(gate.Announce);
        app.UseStaticFiles();
        app.UseAntiforgery();
        app.MapBlazorScript();
        app.MapHub<TopologyHub>(TopologyHub.Path);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>
    /// Serilog's file sink resolves a relative path against the working directory; anchor it at the content root,
    /// so the logs land in &lt;content root&gt;/logs whatever folder the app was started from.
    /// </summary>
    private static void AnchorRelativeLogPaths(ConfigurationManager config, string contentRoot)
    {
        var anchored = new Dictionary<string, string?>();
        foreach (var sink in config.GetSection("Serilog:WriteTo").GetChildren())
        {
            if (sink["Args:path"] is { Length: > 0 } path && !Path.IsPathRooted(path))
                anchored[$"{sink.Path}:Args:path"] = Path.Combine(contentRoot, path);
        }
        if (anchored.Count > 0) config.AddInMemoryCollection(anchored);
    }
}
