// The ITopologyClient of the running app: samples every node a few times per second (and soon after a state
// change), diffs against the last picture, and hands each subscriber the changed nodes as one batch.
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using RedisPanel.Web.Nodes;

namespace RedisPanel.Web.Topology;

public sealed class TopologyFeed : BackgroundService, ITopologyClient
{
    /// <summary>Idle refresh: counters (keys, ops/sec) move without state events.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    /// <summary>Least time between two samples, so a burst of state events costs at most ~10 redraws/s.</summary>
    internal static readonly TimeSpan MinGap = TimeSpan.FromMilliseconds(100);

    private readonly NodeManager _manager;
    private readonly object _gate = new();
    private readonly List<Subscriber> _subscribers = new();
    private readonly Channel<bool> _kick = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ImmutableArray<NodeViewModel> _current = [];

    public TopologyFeed(NodeManager manager)
    {
        _manager = manager;
        _manager.Changed += Kick;
    }

    /// <summary>The last sampled picture.</summary>
    public ImmutableArray<NodeViewModel> Current
    {
        get { lock (_gate) return _current; }
    }

    public TopologySubscription Subscribe(CancellationToken ct)
    {
        var sub = new Subscriber();
        ImmutableArray<NodeViewModel> snapshot;
        lock (_gate)
        {
            snapshot = _current;
            _subscribers.Add(sub);
        }
        // Unregister even if the caller never enumerates the stream.
        var registration = ct.Register(() => Unsubscribe(sub));
        return new TopologySubscription(snapshot, [], ReadAsync(sub, registration, ct));
    }

    // TODO(dashboard-actions): the rewiring actions, console, history and read-only switch are being built; until
    // then they answer that they are not available.
    private static Task<NodeActionResult> NotYet(string what) => Task.FromResult(NodeActionResult.Fail($"{what} is not available yet"));
    public Task<NodeActionResult> ReplicaOfAsync(string name, string masterName, IProgress<string>? progress = null, CancellationToken ct = default) => NotYet("REPLICAOF");
    public Task<NodeActionResult> PromoteAsync(string name, bool repointSiblings, IProgress<string>? progress = null, CancellationToken ct = default) => NotYet("Promote");
    public Task<NodeActionResult> SwitchoverAsync(string name, IProgress<string>? progress = null, CancellationToken ct = default) => NotYet("Switchover");
    public Task<NodeActionResult> DetachAsync(string name, CancellationToken ct = default) => NotYet("Detach");
    public Task<NodeActionResult> CutLinkAsync(string name, TimeSpan duration, CancellationToken ct = default) => NotYet("Cut link");
    public Task<NodeActionResult> PersistTopologyAsync(IProgress<string>? progress = null, CancellationToken ct = default) => NotYet("Persist topology");
    public Task<NodeActionResult> AttachExternalAsync(string host, int port, string? password, CancellationToken ct = default) => NotYet("Attach");
    public Task<ConsoleReply> ExecuteAsync(string name, string commandLine, CancellationToken ct = default) => Task.FromResult(new ConsoleReply(true, "console not available yet"));
    public IReadOnlyList<NodeSample> GetHistory(string name) => [];
    public bool IsReadOnly => false;

    public Task<NodeActionResult> StartNodeAsync(string name, CancellationToken ct = default) => _manager.StartNodeAsync(name, ct);
    public Task<NodeActionResult> StopNodeAsync(string name, CancellationToken ct = default) => _manager.StopNodeAsync(name, ct);
    public Task<NodeActionResult> RestartNodeAsync(string name, CancellationToken ct = default) => _manager.RestartNodeAsync(name, ct);
    public Task<NodeActionResult> AddNodeAsync(CancellationToken ct = default) => _manager.AddNodeAsync(ct);
    public Task<NodeActionResult> RemoveNodeAsync(string name, CancellationToken ct = default) => _manager.RemoveNodeAsync(name, ct);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Sample(); // subscribers that come before the first tick see the nodes already
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(MinGap, stoppingToken);
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    wait.CancelAfter(Interval - MinGap);
                    try
                    {
                        await _kick.Reader.WaitToReadAsync(wait.Token);
                        _kick.Reader.TryRead(out _);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // the idle interval elapsed: sample anyway
                    }
                }
                Sample();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes a new picture and publishes what changed. Runs on the feed loop only (and once at start).</summary>
    internal void Sample()
    {
        var fresh = _manager.Nodes.Select(n => n.Sample()).ToImmutableArray();
        List<NodeChange>? changes = null;
        lock (_gate)
        {
            var old = _current.ToDictionary(n => n.Name, StringComparer.Ordinal);
            foreach (var vm in fresh)
            {
                if (!old.Remove(vm.Name, out var before) || before != vm)
                    (changes ??= new()).Add(new NodeChange(NodeChangeKind.Upsert, vm));
            }
            foreach (var gone in old.Values) (changes ??= new()).Add(new NodeChange(NodeChangeKind.Removed, gone));
            _current = fresh;
            if (changes is null) return;
            foreach (var sub in _subscribers) sub.Post(changes);
        }
    }

    private void Kick() => _kick.Writer.TryWrite(true);

    private void Unsubscribe(Subscriber sub)
    {
        lock (_gate) _subscribers.Remove(sub);
    }

    private async IAsyncEnumerable<TopologyBatch> ReadAsync(Subscriber sub, CancellationTokenRegistration registration,
        [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await sub.Signal.Reader.WaitToReadAsync(ct);
                sub.Signal.Reader.TryRead(out _);
                var batch = sub.Take();
                if (batch.Count > 0) yield return new TopologyBatch(batch, []);
            }
        }
        finally
        {
            await registration.DisposeAsync();
            Unsubscribe(sub);
        }
    }

    public override void Dispose()
    {
        _manager.Changed -= Kick;
        base.Dispose();
    }

    /// <summary>One reader's pending changes, merged per node until it reads them.</summary>
    private sealed class Subscriber
    {
        private readonly Dictionary<string, NodeChange> _pending = new(StringComparer.Ordinal);
        private readonly List<string> _order = new();

        public Channel<bool> Signal { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public void Post(List<NodeChange> changes)
        {
            lock (_pending)
            {
                foreach (var c in changes)
                {
                    if (!_pending.ContainsKey(c.Node.Name)) _order.Add(c.Node.Name);
                    _pending[c.Node.Name] = c; // the latest picture of a node replaces an unread one
                }
            }
            Signal.Writer.TryWrite(true);
        }

        public IReadOnlyList<NodeChange> Take()
        {
            lock (_pending)
            {
                var batch = _order.Select(n => _pending[n]).ToArray();
                _pending.Clear();
                _order.Clear();
                return batch;
            }
        }
    }
}
