// The ITopologyClient of the running app: samples every node a few times per second (and soon after a state
// change), diffs against the last picture, and hands each subscriber the changed nodes and the new events as one
// batch. The actions (TopologyFeed.Actions.cs), the console (TopologyFeed.Console.cs) and the event sources
// (TopologyFeed.Events.cs) live in the other parts.
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RedisPanel.Web.Nodes;
using RedisPanel.Web.Remote;

namespace RedisPanel.Web.Topology;

public sealed partial class TopologyFeed : BackgroundService, ITopologyClient
{
    /// <summary>Idle refresh: counters (keys, ops/sec) move without state events.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    /// <summary>Least time between two samples, so a burst of state events costs at most ~10 redraws/s.</summary>
    internal static readonly TimeSpan MinGap = TimeSpan.FromMilliseconds(100);

    private readonly NodeManager _manager;
    private readonly DashboardOptions _options;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly object _gate = new();
    private readonly List<Subscriber> _subscribers = new();
    private readonly Channel<bool> _kick = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly NodeHistory _history = new();
    private ImmutableArray<NodeViewModel> _current = [];
    private ImmutableList<ExternalNode> _externals = [];
    private bool _sampledOnce;

    public TopologyFeed(NodeManager manager, IOptions<DashboardOptions> options)
    {
        _manager = manager;
        _options = options.Value;
        Events = new EventLog(_time);
        Events.Added += OnEventAdded;
        _manager.Changed += OnManagerChanged;
    }

    /// <summary>The event log (bounded ring).</summary>
    public EventLog Events { get; }

    /// <summary>The last sampled picture.</summary>
    public ImmutableArray<NodeViewModel> Current
    {
        get { lock (_gate) return _current; }
    }

    public bool IsReadOnly => _options.ReadOnly;

    public IReadOnlyList<NodeSample> GetHistory(string name) => _history.Get(name);

    public TopologySubscription Subscribe(CancellationToken ct)
    {
        var sub = new Subscriber();
        ImmutableArray<NodeViewModel> snapshot;
        TopologyEvent[] recent;
        lock (_gate)
        {
            snapshot = _current;
            // Taken under the lock that posts new events, so none added after the snapshot is missed.
            recent = Events.Snapshot();
            // An event already in the ring may still be on its way to the subscribers: skip it there.
            sub.SeenUpTo = recent.Length > 0 ? recent[^1].Id : 0;
            _subscribers.Add(sub);
        }
        // Unregister even if the caller never enumerates the stream.
        var registration = ct.Register(() => Unsubscribe(sub));
        return new TopologySubscription(snapshot, [.. recent], ReadAsync(sub, registration, ct));
    }

    /// <summary>
    /// The node shown at host:port, matching loopback spellings (127.0.0.1, localhost, ::1) and wildcard binds
    /// as one host, since every in-process node listens on this machine.
    /// </summary>
    public static NodeViewModel? FindByEndpoint(IEnumerable<NodeViewModel> nodes, string host, int port)
    {
        NodeViewModel? loose = null;
        foreach (var n in nodes)
        {
            if (n.Port != port) continue;
            if (string.Equals(n.Host, host, StringComparison.OrdinalIgnoreCase)) return n;
            if (IsLocal(n.Host) && IsLocal(host)) loose ??= n;
        }
        return loose;
    }

    private static bool IsLocal(string host) =>
        host is "127.0.0.1" or "::1" or "*" or "::*" or "0.0.0.0" or "::" or "" || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.StartsWith("127.", StringComparison.Ordinal);

    /// <summary>The address to dial for a node shown at <paramref name="host"/> (a wildcard bind is dialled on loopback).</summary>
    internal static string DialHost(string host) => host is "*" or "::*" or "0.0.0.0" or "::" or "" ? "127.0.0.1" : host;

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
        var managed = _manager.Nodes;
        HookNodes(managed);
        var externals = Volatile.Read(ref _externals);
        var fresh = managed.Select(n => n.Sample()).Concat(externals.Select(e => e.Current)).ToImmutableArray();
        _history.Record(fresh, _time.GetUtcNow());
        List<NodeChange>? changes = null;
        List<(string Name, bool External)>? added = null;
        List<string>? removed = null;
        lock (_gate)
        {
            var old = _current.ToDictionary(n => n.Name, StringComparer.Ordinal);
            foreach (var vm in fresh)
            {
                bool known = old.Remove(vm.Name, out var before);
                if (!known && _sampledOnce) (added ??= new()).Add((vm.Name, vm.External));
                if (!known || before != vm)
                    (changes ??= new()).Add(new NodeChange(NodeChangeKind.Upsert, vm));
            }
            foreach (var gone in old.Values)
            {
                (changes ??= new()).Add(new NodeChange(NodeChangeKind.Removed, gone));
                (removed ??= new()).Add(gone.Name);
            }
            _current = fresh;
            _sampledOnce = true;
            if (changes is not null)
                foreach (var sub in _subscribers) sub.Post(changes);
        }
        // Attaching logs its own event (with the address); a hosted node's appearance is an "added".
        foreach (var (name, external) in added ?? [])
            if (!external) Events.Add(TopologyEventKind.NodeLifecycle, name, "added");
        foreach (var name in removed ?? [])
        {
            _history.Forget(name);
            Events.Add(TopologyEventKind.NodeLifecycle, name, "removed");
        }
    }

    private void Kick() => _kick.Writer.TryWrite(true);

    /// <summary>The manager's membership or a node's state changed: hook new nodes at once (an action may follow
    /// before the next sample, and its replication events must not be missed), then sample soon.</summary>
    private void OnManagerChanged()
    {
        HookNodes(_manager.Nodes);
        Kick();
    }

    private void OnEventAdded(TopologyEvent e)
    {
        lock (_gate)
        {
            foreach (var sub in _subscribers) sub.Post(e);
        }
    }

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
                var (nodes, events) = sub.Take();
                if (nodes.Count > 0 || events.Count > 0) yield return new TopologyBatch(nodes, events);
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
        _manager.Changed -= OnManagerChanged;
        UnhookNodes();
        foreach (var e in Interlocked.Exchange(ref _externals, []))
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var name in _consoles.Keys)
            if (_consoles.TryRemove(name, out var conn)) conn.DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose();
    }

    /// <summary>One reader's pending changes, merged per node until it reads them, and its unread events.</summary>
    private sealed class Subscriber
    {
        // Bounded like the log: a reader that never reads loses the oldest unread events, never memory.
        private readonly Queue<TopologyEvent> _events = new();
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

        /// <summary>The last event id the snapshot already held.</summary>
        public long SeenUpTo { get; set; }

        public void Post(TopologyEvent e)
        {
            if (e.Id <= SeenUpTo) return;
            lock (_pending)
            {
                _events.Enqueue(e);
                while (_events.Count > EventLog.Capacity) _events.Dequeue();
            }
            Signal.Writer.TryWrite(true);
        }

        public (IReadOnlyList<NodeChange> Nodes, IReadOnlyList<TopologyEvent> Events) Take()
        {
            lock (_pending)
            {
                var batch = _order.Select(n => _pending[n]).ToArray();
                var events = _events.ToArray();
                _pending.Clear();
                _order.Clear();
                _events.Clear();
                return (batch, events);
            }
        }
    }
}
