using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Infrastructure;

/// <summary>A topology door for component tests: a fixed snapshot, changes pushed by the test, actions recorded.</summary>
public sealed class FakeTopologyClient(params NodeViewModel[] snapshot) : ITopologyClient
{
    private readonly Channel<TopologyBatch> _changes = Channel.CreateUnbounded<TopologyBatch>();

    /// <summary>Actions asked for, as "stop 6379", "add" ...</summary>
    public List<string> Calls { get; } = new();

    /// <summary>What every action returns.</summary>
    public NodeActionResult Result { get; set; } = NodeActionResult.Ok("done");

    public static NodeViewModel Node(string name, NodeState state = NodeState.Running, int port = 6379, long keys = 0,
        string? failure = null, NodeRole role = NodeRole.Master, string? master = null) =>
        new(name, "127.0.0.1", port, state, failure, role, master, keys, 2, 15, 2048, 100, null);

    /// <summary>A master's INFO replication: history <paramref name="replId"/> up to <paramref name="offset"/>, a backlog
    /// holding [<paramref name="backlogFirst"/>, offset] and its slaveN lines.</summary>
    public static ReplicationView MasterRepl(string replId, long offset, long backlogFirst = 1, string? replId2 = null,
        long secondOffset = -1, params ReplicaEntry[] replicas) =>
        new(replId, replId2 ?? new string('0', 40), offset, secondOffset, BacklogActive: true, BacklogSize: 1 << 20,
            backlogFirst, offset - backlogFirst + 1, new ValueList<ReplicaEntry>(replicas), null);

    /// <summary>A replica's INFO replication: it follows <paramref name="masterPort"/> and has applied up to <paramref name="offset"/>.</summary>
    public static ReplicationView ReplicaRepl(string replId, int masterPort, long offset, bool linkUp = true, long downSince = -1,
        bool syncing = false, long syncRead = 0, long syncTotal = 0, long backlogFirst = 1) =>
        new(replId, new string('0', 40), offset, -1, BacklogActive: true, BacklogSize: 1 << 20, backlogFirst, offset - backlogFirst + 1,
            ValueList<ReplicaEntry>.Empty,
            new MasterLinkView("127.0.0.1", masterPort, linkUp, linkUp ? 0 : -1, downSince, syncing, syncTotal, syncRead,
                syncTotal > 0 ? 100.0 * syncRead / syncTotal : 0, offset, true));

    /// <summary>A running node with its replication view (role from the link: replica when it has one).</summary>
    public static NodeViewModel Replicating(string name, int port, ReplicationView repl, long keys = 0) =>
        Node(name, port: port, keys: keys,
            role: repl.Link is null ? NodeRole.Master : repl.Link.LinkUp ? NodeRole.Replica : NodeRole.ReplicaPending,
            master: repl.Link?.MasterEndpoint) with { Replication = repl };

    /// <summary>When set, every action waits for it (to see the busy state); progress texts are reported first.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Progress texts the rewiring actions report before they finish.</summary>
    public string ProgressText { get; set; } = "sync 10%";

    public void Push(params NodeChange[] batch) => _changes.Writer.TryWrite(new TopologyBatch(batch, []));

    public void PushEvents(params TopologyEvent[] events) => _changes.Writer.TryWrite(new TopologyBatch([], events));

    /// <summary>The event log the subscription starts with.</summary>
    public List<TopologyEvent> RecentEvents { get; } = new();

    /// <summary>What <see cref="GetHistory"/> returns, per node.</summary>
    public Dictionary<string, List<NodeSample>> History { get; } = new();

    /// <summary>Replies of <see cref="ExecuteAsync"/>, per command line.</summary>
    public Dictionary<string, ConsoleReply> ConsoleReplies { get; } = new();

    public bool IsReadOnly { get; set; }

    public TopologySubscription Subscribe(CancellationToken ct) => new([.. snapshot], [.. RecentEvents], ReadAsync(ct));

    private async IAsyncEnumerable<TopologyBatch> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        while (await _changes.Reader.WaitToReadAsync(ct))
            while (_changes.Reader.TryRead(out var batch)) yield return batch;
    }

    public Task<NodeActionResult> StartNodeAsync(string name, CancellationToken ct = default) => Record($"start {name}");
    public Task<NodeActionResult> StopNodeAsync(string name, CancellationToken ct = default) => Record($"stop {name}");
    public Task<NodeActionResult> RestartNodeAsync(string name, CancellationToken ct = default) => Record($"restart {name}");
    public Task<NodeActionResult> AddNodeAsync(CancellationToken ct = default) => Record("add");
    public Task<NodeActionResult> RemoveNodeAsync(string name, CancellationToken ct = default) => Record($"remove {name}");

    public Task<NodeActionResult> ReplicaOfAsync(string name, string masterName, IProgress<string>? progress = null, CancellationToken ct = default) => Record($"replicaof {name} {masterName}", progress);
    public Task<NodeActionResult> PromoteAsync(string name, bool repointSiblings, IProgress<string>? progress = null, CancellationToken ct = default) => Record($"promote {name}{(repointSiblings ? " repoint" : "")}", progress);
    public Task<NodeActionResult> SwitchoverAsync(string name, IProgress<string>? progress = null, CancellationToken ct = default) => Record($"switchover {name}");
    public Task<NodeActionResult> DetachAsync(string name, CancellationToken ct = default) => Record($"detach {name}");
    public Task<NodeActionResult> CutLinkAsync(string name, TimeSpan duration, CancellationToken ct = default) => Record($"cutlink {name} {duration.TotalSeconds}");
    public Task<NodeActionResult> PersistTopologyAsync(IProgress<string>? progress = null, CancellationToken ct = default) => Record("persist");
    public Task<NodeActionResult> AttachExternalAsync(string host, int port, string? password, CancellationToken ct = default) => Record($"attach {host}:{port}");

    public Task<ConsoleReply> ExecuteAsync(string name, string commandLine, CancellationToken ct = default)
    {
        lock (Calls) Calls.Add($"exec {name} {commandLine}");
        return Task.FromResult(ConsoleReplies.TryGetValue(commandLine, out var r) ? r : new ConsoleReply(true, "(error) ERR unknown command"));
    }

    public IReadOnlyList<NodeSample> GetHistory(string name) => History.TryGetValue(name, out var h) ? h : [];

    private async Task<NodeActionResult> Record(string call, IProgress<string>? progress = null)
    {
        lock (Calls) Calls.Add(call);
        progress?.Report(ProgressText);
        if (Gate is { } gate) await gate.Task;
        return Result;
    }
}
