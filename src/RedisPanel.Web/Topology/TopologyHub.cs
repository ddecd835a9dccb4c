using System.Collections.Immutable;
using Microsoft.AspNetCore.SignalR;

namespace RedisPanel.Web.Topology;

/// <summary>
/// The topology feed for non-Blazor consumers at <c>/hubs/topology</c> (JSON hub protocol, enums as strings).
/// On connect the caller receives <c>snapshot</c> (all nodes); afterwards every client receives <c>changes</c>
/// (a batch of {kind, node}) and <c>events</c> (the new event-log entries). <see cref="GetSnapshot"/> and
/// <see cref="GetEvents"/> can be invoked at any time.
/// </summary>
public sealed class TopologyHub(TopologyFeed feed) : Hub
{
    public const string Path = "/hubs/topology";

    public ImmutableArray<NodeViewModel> GetSnapshot() => feed.Current;

    /// <summary>The event log so far (oldest first, bounded).</summary>
    public TopologyEvent[] GetEvents() => feed.Events.Snapshot();

    public override async Task OnConnectedAsync()
    {
        await Clients.Caller.SendAsync("snapshot", feed.Current);
        await base.OnConnectedAsync();
    }
}

/// <summary>Forwards the feed's change batches to every hub client.</summary>
public sealed class TopologyHubPublisher(TopologyFeed feed, IHubContext<TopologyHub> hub) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var batch in feed.Subscribe(stoppingToken).Changes.WithCancellation(stoppingToken))
            {
                if (batch.Nodes.Count > 0) await hub.Clients.All.SendAsync("changes", batch, stoppingToken);
                if (batch.Events.Count > 0) await hub.Clients.All.SendAsync("events", batch.Events, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
