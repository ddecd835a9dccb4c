// A server this process does not host (a real redis-server, a RedisPanel.Server elsewhere), watched over RESP:
// INFO every 250 ms through the same parser as the in-process nodes, so it is shown and rewired alike.
using System.Globalization;
using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Remote;

/// <summary>
/// One attached server. A lost connection shows the node Failed with the reason and is retried every second
/// until the node is removed.
/// </summary>
public sealed class ExternalNode : IAsyncDisposable
{
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly CancellationTokenSource _stop = new();
    private readonly EventLog _events;
    private Task _loop = Task.CompletedTask;
    private NodeViewModel _current;

    public ExternalNode(string host, int port, string? password, EventLog events)
    {
        Host = host;
        Port = port;
        Password = password;
        Name = $"{host}:{port}";
        _events = events;
        _current = Down(NodeState.Starting, null);
    }

    public string Name { get; }
    public string Host { get; }
    public int Port { get; }
    public string? Password { get; }

    /// <summary>The latest picture (from the last INFO, or Failed with the reason).</summary>
    public NodeViewModel Current => Volatile.Read(ref _current);

    /// <summary>Raised after <see cref="Current"/> changed (on the poll task).</summary>
    public event Action? Changed;

    /// <summary>Connects and reads INFO once (so a wrong address or password is refused at once), then keeps polling.</summary>
    public async Task<string?> StartAsync(CancellationToken ct)
    {
        RemoteConnection conn;
        try
        {
            conn = await RemoteConnection.ConnectAsync(Host, Port, Password, Timeout, ct);
            var info = await conn.CommandAsync(Timeout, ct, "INFO");
            if (info.IsError)
            {
                await conn.DisposeAsync();
                return info.Text;
            }
            Publish(ToViewModel(info.Text), logTransitions: false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            return ex.Message;
        }
        _loop = Task.Run(() => RunAsync(conn, _stop.Token));
        return null;
    }

    private async Task RunAsync(RemoteConnection? conn, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                conn ??= await RemoteConnection.ConnectAsync(Host, Port, Password, Timeout, ct);
                var info = await conn.CommandAsync(Timeout, ct, "INFO");
                if (info.IsError) throw new IOException(info.Text);
                Publish(ToViewModel(info.Text), logTransitions: true);
                await Task.Delay(PollInterval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidDataException)
            {
                if (conn is not null) await conn.DisposeAsync();
                conn = null;
                Publish(Down(NodeState.Failed, ex.Message), logTransitions: true);
                await Task.Delay(RetryInterval, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        if (conn is not null) await conn.DisposeAsync();
    }

    private NodeViewModel Down(NodeState state, string? reason)
    {
        var last = Volatile.Read(ref _current);
        return new NodeViewModel(Name, Host, Port, state, reason, last?.Role ?? NodeRole.Master, last?.MasterAddress,
            0, 0, 0, 0, 0, last?.ConfigFile, ReplicationView.Empty, External: true);
    }

    private NodeViewModel ToViewModel(string info)
    {
        var f = InfoReplicationParser.ParseFields(info);
        var repl = InfoReplicationParser.FromFields(f);
        long keys = 0;
        foreach (var (name, value) in f)
        {
            // db0:keys=1,expires=0,avg_ttl=0
            if (!name.StartsWith("db", StringComparison.Ordinal) || !value.StartsWith("keys=", StringComparison.Ordinal)) continue;
            int comma = value.IndexOf(',');
            if (long.TryParse(value.AsSpan(5, (comma < 0 ? value.Length : comma) - 5), NumberStyles.None, CultureInfo.InvariantCulture, out long k)) keys += k;
        }
        var role = repl.Link is null ? NodeRole.Master : repl.Link.LinkUp ? NodeRole.Replica : NodeRole.ReplicaPending;
        long memory = InfoReplicationParser.Long(f, "used_memory_dataset", -1) is >= 0 and var ds ? ds : InfoReplicationParser.Long(f, "used_memory", 0);
        return new NodeViewModel(Name, Host, Port, NodeState.Running, null, role, repl.Link?.MasterEndpoint,
            keys, (int)InfoReplicationParser.Long(f, "connected_clients", 0), InfoReplicationParser.Long(f, "instantaneous_ops_per_sec", 0),
            memory, InfoReplicationParser.Long(f, "total_commands_processed", 0),
            f.GetValueOrDefault("config_file") is { Length: > 0 } file ? file : null,
            repl, External: true, Loading: InfoReplicationParser.Long(f, "loading", 0) == 1);
    }

    /// <summary>Stores the new picture and logs what an in-process node's replication events would have said.</summary>
    private void Publish(NodeViewModel next, bool logTransitions)
    {
        var before = Interlocked.Exchange(ref _current, next);
        if (logTransitions) LogTransitions(before, next);
        if (before != next) Changed?.Invoke();
    }

    private void LogTransitions(NodeViewModel before, NodeViewModel next)
    {
        if (before.State != next.State)
        {
            if (next.State == NodeState.Failed) _events.Add(TopologyEventKind.NodeLifecycle, Name, $"connection lost: {next.FailureReason}");
            else if (next.State == NodeState.Running && before.State == NodeState.Failed) _events.Add(TopologyEventKind.NodeLifecycle, Name, "connection restored");
        }
        if (next.State != NodeState.Running || before.State != NodeState.Running) return;
        var was = before.Replication?.Link;
        var now = next.Replication?.Link;
        if (was is not null && now is null) _events.Add(TopologyEventKind.Promoted, Name, "promoted to master");
        else if (now is not null && (was is null || was.MasterEndpoint != now.MasterEndpoint))
            _events.Add(TopologyEventKind.ReplicaOf, Name, $"replicating from {now.MasterEndpoint}");
        if (now is null) return;
        if (now.SyncInProgress && was is not { SyncInProgress: true })
            _events.Add(TopologyEventKind.SyncStarted, Name, $"full sync from {now.MasterEndpoint}", partial: false);
        if (now.LinkUp && was is not { LinkUp: true })
        {
            _events.Add(TopologyEventKind.LinkUp, Name, $"link to {now.MasterEndpoint} up");
        }
        else if (!now.LinkUp && was is { LinkUp: true })
        {
            _events.Add(TopologyEventKind.LinkDown, Name, $"link to {now.MasterEndpoint} down");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
