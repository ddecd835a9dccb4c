using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Infrastructure;

/// <summary>A topology door for component tests: a fixed snapshot, changes pushed by the test, actions recorded.</summary>
public sealed class FakeTopologyClient(params NodeViewModel[] snapshot) : ITopologyClient
{
    private readonly Channel<IReadOnlyList<NodeChange>> _changes = Channel.CreateUnbounded<IReadOnlyList<NodeChange>>();

    /// <summary>Actions asked for, as "stop 6379", "add" ...</summary>
    public List<string> Calls { get; } = new();

    /// <summary>What every action returns.</summary>
    public NodeActionResult Result { get; set; } = NodeActionResult.Ok("done");

    public static NodeViewModel Node(string name, NodeState state = NodeState.Running, int port = 6379, long keys = 0,
        string? failure = null, NodeRole role = NodeRole.Master, string? master = null) =>
        new(name, "127.0.0.1", port, state, failure, role, master, keys, 2, 15, 2048, 100, null);

    public void Push(params NodeChange[] batch) => _changes.Writer.TryWrite(batch);

    public TopologySubscription Subscribe(CancellationToken ct) => new([.. snapshot], ReadAsync(ct));

    private async IAsyncEnumerable<IReadOnlyList<NodeChange>> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        while (await _changes.Reader.WaitToReadAsync(ct))
            while (_changes.Reader.TryRead(out var batch)) yield return batch;
    }

    public Task<NodeActionResult> StartNodeAsync(string name, CancellationToken ct = default) => Record($"start {name}");
    public Task<NodeActionResult> StopNodeAsync(string name, CancellationToken ct = default) => Record($"stop {name}");
    public Task<NodeActionResult> RestartNodeAsync(string name, CancellationToken ct = default) => Record($"restart {name}");
    public Task<NodeActionResult> AddNodeAsync(CancellationToken ct = default) => Record("add");
    public Task<NodeActionResult> RemoveNodeAsync(string name, CancellationToken ct = default) => Record($"remove {name}");

    private Task<NodeActionResult> Record(string call)
    {
        lock (Calls) Calls.Add(call);
        return Task.FromResult(Result);
    }
}
