// The operator's actions. Every rewiring step is a command sent over RESP (RemoteConnection), so a hosted node
// and an external redis-server are rewired by the same code; only the lifecycle (start/stop) and the link-cut
// drill need a hosted node. Each action is refused in read-only mode and recorded in the event log with its result.
using System.Collections.Immutable;
using System.Globalization;
using RedisPanel.Node;
using RedisPanel.Web.Remote;

namespace RedisPanel.Web.Topology;

public sealed partial class TopologyFeed
{
    internal static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);
    /// <summary>How long Promote waits for each repointed sibling's link, and Switchover for the roles to swap.</summary>
    internal static readonly TimeSpan LinkWait = TimeSpan.FromSeconds(15);
    private const int FailoverTimeoutMs = 5000;
    private static readonly TimeSpan MaxCut = TimeSpan.FromMinutes(10);

    public const string ReadOnlyMessage = "the dashboard is read-only";

    /// <summary>A node as the actions see it: where to dial it, and what it is.</summary>
    private sealed record Target(NodeViewModel View, string Host, int Port, string? Password, RedisNode? Hosted, ExternalNode? External)
    {
        public string Name => View.Name;
        public bool IsRunning => View.State == NodeState.Running;
    }

    /// <summary>An action step failed with a message fit for the operator.</summary>
    private sealed class ActionFailedException(string message) : Exception(message);

    // ---- lifecycle ----

    public Task<NodeActionResult> StartNodeAsync(string name, CancellationToken ct = default) =>
        ActAsync(name, "start", () => Lifecycle(name, "started", () => _manager.StartNodeAsync(name, ct)));

    public Task<NodeActionResult> StopNodeAsync(string name, CancellationToken ct = default) =>
        ActAsync(name, "stop", () => Lifecycle(name, "stopped", () => _manager.StopNodeAsync(name, ct)));

    public Task<NodeActionResult> RestartNodeAsync(string name, CancellationToken ct = default) =>
        ActAsync(name, "restart", () => Lifecycle(name, "restarted", () => _manager.RestartNodeAsync(name, ct)));

    public Task<NodeActionResult> AddNodeAsync(CancellationToken ct = default) =>
        ActAsync("", "add node", () => _manager.AddNodeAsync(ct));

    // Forgetting an external server touches no node, so a read-only dashboard may do it (it may attach one too).
    public Task<NodeActionResult> RemoveNodeAsync(string name, CancellationToken ct = default) =>
        ActAsync(name, "remove", mutating: FindExternal(name) is null, body: async () =>
        {
            if (FindExternal(name) is not { } ext) return await _manager.RemoveNodeAsync(name, ct);
            ForgetExternal(ext);
            await ext.DisposeAsync();
            Kick();
            return NodeActionResult.Ok($"{name} forgotten (the server itself is untouched)");
        });

    /// <summary>Start/stop/restart act on a process this one hosts; an external server is not ours to stop.</summary>
    private async Task<NodeActionResult> Lifecycle(string name, string verb, Func<Task<NodeActionResult>> hosted)
    {
        if (FindExternal(name) is not null)
            return NodeActionResult.Fail($"{name} is an external server: it cannot be {verb} from the dashboard (remove it to forget it)");
        return await hosted();
    }

    // ---- rewiring ----

    public Task<NodeActionResult> ReplicaOfAsync(string name, string masterName, IProgress<string>? progress = null, CancellationToken ct = default) =>
        ActAsync(name, $"replicaof {masterName}", async () =>
        {
            if (name == masterName) return NodeActionResult.Fail($"{name} cannot replicate from itself");
            var replica = await RunningTargetAsync(name);
            var master = await RunningTargetAsync(masterName);
            if (LoopThrough(master.View, name) is { } chain)
                return NodeActionResult.Fail($"{name} cannot replicate from {masterName}: that would make a loop ({chain})");
            progress?.Report($"REPLICAOF {master.Host} {master.Port} on {name}");
            await using var conn = await OpenAsync(replica, ct);
            var reply = await MustAsync(conn, replica, ct, "REPLICAOF", master.Host, Port(master));
            return NodeActionResult.Ok($"{name} replicates from {masterName} ({master.Host}:{master.Port}): {reply.Text}");
        });

    public Task<NodeActionResult> PromoteAsync(string name, bool repointSiblings, IProgress<string>? progress = null, CancellationToken ct = default) =>
        ActAsync(name, repointSiblings ? "promote (repoint siblings)" : "promote", async () =>
        {
            var promoted = await RunningTargetAsync(name);
            if (promoted.View.Replication?.Link is not { } link) return NodeActionResult.Fail($"{name} is not a replica");
            var all = Current;
            var oldMaster = FindByEndpoint(all, link.MasterHost, link.MasterPort);
            var siblings = all.Where(n => n.Name != name && n.Replication?.Link is { } l
                    && (oldMaster is not null ? FindByEndpoint(all, l.MasterHost, l.MasterPort)?.Name == oldMaster.Name : l.MasterEndpoint == link.MasterEndpoint))
                .Select(n => n.Name).ToList();

            await using var conn = await OpenAsync(promoted, ct);
            long partialBefore = Long(await InfoAsync(conn, promoted, "stats", ct), "sync_partial_ok");
            progress?.Report($"REPLICAOF NO ONE on {name}");
            await MustAsync(conn, promoted, ct, "REPLICAOF", "NO", "ONE");
            if (!repointSiblings || siblings.Count == 0)
                return NodeActionResult.Ok($"{name} promoted to master" + (siblings.Count > 0 ? $"; {string.Join(", ", siblings)} still follow {link.MasterEndpoint}" : ""));

            var outcomes = new List<string>();
            bool allLinked = true;
            foreach (var siblingName in siblings)
            {
                var sibling = await TargetAsync(siblingName);
                if (sibling is null || !sibling.IsRunning)
                {
                    outcomes.Add($"{siblingName}: not running, left as is");
                    continue;
                }
                progress?.Report($"REPLICAOF {promoted.Host} {promoted.Port} on {siblingName}");
                await using var sc = await OpenAsync(sibling, ct);
                await MustAsync(sc, sibling, ct, "REPLICAOF", promoted.Host, Port(promoted));
                // One sibling at a time, so the promoted node's sync_partial_ok says which one resynced partially.
                bool linked = await PollAsync(async () =>
                {
                    var f = await InfoAsync(sc, sibling, "replication", ct);
                    return f.GetValueOrDefault("master_link_status") == "up" && Long(f, "master_port") == promoted.Port;
                }, LinkWait, ct);
                if (!linked)
                {
                    allLinked = false;
                    outcomes.Add($"{siblingName}: not linked within {LinkWait.TotalSeconds:0} s");
                    continue;
                }
                long partialAfter = Long(await InfoAsync(conn, promoted, "stats", ct), "sync_partial_ok");
                outcomes.Add($"{siblingName}: {(partialAfter > partialBefore ? "partial resync" : "full resync")}");
                progress?.Report(outcomes[^1]);
                partialBefore = partialAfter;
            }
            string text = $"{name} promoted to master; {string.Join("; ", outcomes)}";
            return allLinked ? NodeActionResult.Ok(text) : NodeActionResult.Fail(text);
        });

    public Task<NodeActionResult> SwitchoverAsync(string name, IProgress<string>? progress = null, CancellationToken ct = default) =>
        ActAsync(name, "switchover", async () =>
        {
            var replica = await RunningTargetAsync(name);
            if (replica.View.Replication?.Link is not { } link) return NodeActionResult.Fail($"{name} is not a replica");
            if (!link.LinkUp) return NodeActionResult.Fail($"{name}'s link to {link.MasterEndpoint} is down: a switchover needs it up");
            if (FindByEndpoint(Current, link.MasterHost, link.MasterPort) is not { } masterView)
                return NodeActionResult.Fail($"the master of {name} ({link.MasterEndpoint}) is not in the topology");
            var master = await RunningTargetAsync(masterView.Name);

            await using var mc = await OpenAsync(master, ct);
            await using var rc = await OpenAsync(replica, ct);
            progress?.Report($"FAILOVER TO {replica.Host} {replica.Port} on {master.Name}");
            var reply = await SendAsync(mc, master, ct, "FAILOVER", "TO", replica.Host, Port(replica), "TIMEOUT", FailoverTimeoutMs.ToString(CultureInfo.InvariantCulture));
            if (reply.IsError && !reply.Text.StartsWith("ERR unknown command", StringComparison.Ordinal))
                return NodeActionResult.Fail($"FAILOVER on {master.Name}: {reply.Text}");
            if (!reply.IsError)
            {
                bool swapped = await PollAsync(async () =>
                {
                    var mf = await InfoAsync(mc, master, "replication", ct);
                    var rf = await InfoAsync(rc, replica, "replication", ct);
                    return mf.GetValueOrDefault("master_failover_state") == "no-failover"
                        && mf.GetValueOrDefault("role") == "slave" && rf.GetValueOrDefault("role") == "master";
                }, TimeSpan.FromMilliseconds(FailoverTimeoutMs) + LinkWait, ct);
                return swapped
                    ? NodeActionResult.Ok($"{name} is the master now; {master.Name} replicates from it (FAILOVER)")
                    : NodeActionResult.Fail($"FAILOVER on {master.Name} did not swap the roles in time");
            }
            progress?.Report("FAILOVER is not available there: pausing writes and switching by hand");
            return await ManualSwitchoverAsync(master, mc, replica, rc, progress, ct);
        });

    /// <summary>
    /// FAILOVER's steps by hand, for a master without FAILOVER: pause writes, wait until the replica has applied
    /// everything, promote it, point the old master at it, unpause. Nothing written before the pause is lost.
    /// </summary>
    private async Task<NodeActionResult> ManualSwitchoverAsync(Target master, RemoteConnection mc, Target replica, RemoteConnection rc,
        IProgress<string>? progress, CancellationToken ct)
    {
        progress?.Report($"CLIENT PAUSE {FailoverTimeoutMs} WRITE on {master.Name}");
        await MustAsync(mc, master, ct, "CLIENT", "PAUSE", FailoverTimeoutMs.ToString(CultureInfo.InvariantCulture), "WRITE");
        try
        {
            long masterOffset = 0, replicaOffset = -1;
            bool caughtUp = await PollAsync(async () =>
            {
                masterOffset = Long(await InfoAsync(mc, master, "replication", ct), "master_repl_offset");
                replicaOffset = Long(await InfoAsync(rc, replica, "replication", ct), "slave_repl_offset");
                return masterOffset == replicaOffset;
            }, TimeSpan.FromMilliseconds(FailoverTimeoutMs / 2), ct);
            if (!caughtUp)
                return NodeActionResult.Fail($"{replica.Name} did not catch up with {master.Name} (offset {replicaOffset} of {masterOffset}); nothing was changed");
            progress?.Report($"{replica.Name} caught up at offset {masterOffset}: REPLICAOF NO ONE");
            await MustAsync(rc, replica, ct, "REPLICAOF", "NO", "ONE");
            progress?.Report($"REPLICAOF {replica.Host} {replica.Port} on {master.Name}");
            await MustAsync(mc, master, ct, "REPLICAOF", replica.Host, Port(replica));
        }
        finally
        {
            // The old master is a replica now (or the switch failed): either way, let clients write again.
            await SendAsync(mc, master, CancellationToken.None, "CLIENT", "UNPAUSE");
        }
        return NodeActionResult.Ok($"{replica.Name} is the master now; {master.Name} replicates from it (paused writes, caught up, swapped)");
    }

    public Task<NodeActionResult> DetachAsync(string name, CancellationToken ct = default) =>
        ActAsync(name, "detach", async () =>
        {
            var t = await RunningTargetAsync(name);
            if (t.View.Replication?.Link is null) return NodeActionResult.Fail($"{name} is already a master");
            await using var conn = await OpenAsync(t, ct);
            await MustAsync(conn, t, ct, "REPLICAOF", "NO", "ONE");
            return NodeActionResult.Ok($"{name} detached: it is a master now and keeps its data");
        });

    public Task<NodeActionResult> CutLinkAsync(string name, TimeSpan duration, CancellationToken ct = default) =>
        ActAsync(name, $"cut link for {duration.TotalSeconds:0.#} s", async () =>
        {
            if (duration <= TimeSpan.Zero || duration > MaxCut)
                return NodeActionResult.Fail($"the cut must last between 0 and {MaxCut.TotalMinutes:0} minutes");
            var t = await RunningTargetAsync(name);
            if (t.External is not null)
                return NodeActionResult.Fail($"{name} is an external server: cutting its link is a drill for nodes this process hosts");
            var node = t.Hosted!;
            lock (node.Engine.SyncRoot)
            {
                if (!node.ReplicaLink.IsReplica) return NodeActionResult.Fail($"{name} is not a replica: it has no link to cut");
                node.ReplicaLink.SuspendLink(duration);
            }
            return NodeActionResult.Ok($"{name}'s link to its master is cut; it reconnects in {duration.TotalSeconds:0.#} s");
        });

    public Task<NodeActionResult> PersistTopologyAsync(IProgress<string>? progress = null, CancellationToken ct = default) =>
        ActAsync("", "persist topology", async () =>
        {
            var done = new List<string>();
            var failed = new List<string>();
            // Fresh pictures of every node, not the last sample: a node (re)started a moment ago is included.
            var names = _manager.Nodes.Select(m => m.Name).Concat(Volatile.Read(ref _externals).Select(e => e.Name)).ToList();
            foreach (var name in names)
            {
                if (await TargetAsync(name) is not { IsRunning: true } t) continue;
                if (t.Hosted is { } node)
                {
                    // A hosted node without a redis.conf gets one in its data dir, as if it had been started with
                    // it (NodeManager reads it at the node's next start): CONFIG REWRITE then writes it.
                    lock (node.Engine.SyncRoot)
                        node.Options.Config.ConfigFile ??= Path.Combine(node.Options.Config.Dir, "redis.conf");
                }
                progress?.Report($"CONFIG REWRITE on {t.Name}");
                try
                {
                    await using var conn = await OpenAsync(t, ct);
                    await MustAsync(conn, t, ct, "CONFIG", "REWRITE");
                    done.Add(t.Name);
                }
                catch (ActionFailedException ex)
                {
                    failed.Add(ex.Message);
                }
            }
            string text = $"config rewritten on {(done.Count == 0 ? "no node" : string.Join(", ", done))}";
            return failed.Count == 0 ? NodeActionResult.Ok(text) : NodeActionResult.Fail(text + "; failed: " + string.Join("; ", failed));
        });

    public Task<NodeActionResult> AttachExternalAsync(string host, int port, string? password, CancellationToken ct = default) =>
        ActAsync($"{host}:{port}", "attach", mutating: false, body: async () =>
        {
            if (string.IsNullOrWhiteSpace(host) || port is <= 0 or > 65535) return NodeActionResult.Fail("give a host and a port (1-65535)");
            host = host.Trim();
            if (FindByEndpoint(Current, host, port) is { } shown) return NodeActionResult.Fail($"{host}:{port} is already shown as {shown.Name}");
            var ext = new ExternalNode(host, port, password, Events);
            if (await ext.StartAsync(ct) is { } error)
            {
                await ext.DisposeAsync();
                return NodeActionResult.Fail($"could not attach {host}:{port}: {error}");
            }
            ext.Changed += Kick;
            ImmutableInterlocked.Update(ref _externals, list => list.Add(ext));
            Events.Add(TopologyEventKind.NodeLifecycle, ext.Name, $"attached ({ext.Current.RoleLabel})");
            Kick();
            return NodeActionResult.Ok($"{ext.Name} attached");
        });

    // ---- plumbing ----

    private Task<NodeActionResult> ActAsync(string node, string action, Func<Task<NodeActionResult>> body) =>
        ActAsync(node, action, mutating: true, body);

    /// <summary>Refuses a mutating action in read-only mode, runs it, and records the outcome.</summary>
    private async Task<NodeActionResult> ActAsync(string node, string action, bool mutating, Func<Task<NodeActionResult>> body)
    {
        NodeActionResult result;
        if (mutating && IsReadOnly) result = NodeActionResult.Fail(ReadOnlyMessage);
        else
        {
            try
            {
                result = await body();
            }
            catch (ActionFailedException ex)
            {
                result = NodeActionResult.Fail(ex.Message);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                result = NodeActionResult.Fail($"{(node.Length > 0 ? node + ": " : "")}{ex.Message}");
            }
        }
        return Record(node, action, result);
    }

    private ExternalNode? FindExternal(string name) => Volatile.Read(ref _externals).FirstOrDefault(e => e.Name == name);

    private void ForgetExternal(ExternalNode ext)
    {
        ext.Changed -= Kick;
        ImmutableInterlocked.Update(ref _externals, list => list.Remove(ext));
    }

    /// <summary>The node by name with a fresh picture (a hosted node is sampled now), or null.</summary>
    private Task<Target?> TargetAsync(string name)
    {
        if (FindExternal(name) is { } ext)
            return Task.FromResult<Target?>(new Target(ext.Current, ext.Host, ext.Port, ext.Password, null, ext));
        if (_manager.Find(name) is not { } m) return Task.FromResult<Target?>(null);
        var view = m.Sample();
        string? password = m.Node?.Options.Config.RequirePass is { Length: > 0 } p ? p : null;
        return Task.FromResult<Target?>(new Target(view, DialHost(view.Host), view.Port, password, m.Node, null));
    }

    private async Task<Target> RunningTargetAsync(string name)
    {
        var t = await TargetAsync(name) ?? throw new ActionFailedException($"no node named '{name}'");
        if (!t.IsRunning) throw new ActionFailedException($"{name} is not running{(t.View.FailureReason is { } r ? ": " + r : "")}");
        return t;
    }

    /// <summary>
    /// When <paramref name="start"/> already follows <paramref name="name"/> (directly or up a chain), the chain as
    /// text ("b → a"); null when making name a replica of start makes no loop.
    /// </summary>
    private string? LoopThrough(NodeViewModel start, string name)
    {
        var all = Current;
        var path = new List<string> { start.Name };
        var seen = new HashSet<string>(StringComparer.Ordinal) { start.Name };
        var cur = start; // the fresh picture the action took, not the last sample
        while (MasterOf(cur) is var (host, port) && FindByEndpoint(all, host, port) is { } up)
        {
            path.Add(up.Name);
            if (up.Name == name) return string.Join(" → ", path);
            if (!seen.Add(up.Name)) return null; // an existing loop elsewhere is not this action's doing
            cur = up;
        }
        return null;
    }

    private static (string Host, int Port)? MasterOf(NodeViewModel n)
    {
        if (n.Replication?.Link is { } link) return (link.MasterHost, link.MasterPort);
        if (n.MasterAddress is { } addr && addr.LastIndexOf(':') is > 0 and var colon
            && int.TryParse(addr.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            return (addr[..colon], port);
        return null;
    }

    private static async Task<RemoteConnection> OpenAsync(Target t, CancellationToken ct)
    {
        try
        {
            return await RemoteConnection.ConnectAsync(t.Host, t.Port, t.Password, CommandTimeout, ct);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            throw new ActionFailedException($"could not reach {t.Name} at {t.Host}:{t.Port}: {ex.Message}");
        }
    }

    private static async Task<RespReply> SendAsync(RemoteConnection conn, Target t, CancellationToken ct, params string[] args)
    {
        try
        {
            return await conn.CommandAsync(CommandTimeout, ct, args);
        }
        catch (IOException ex)
        {
            throw new ActionFailedException($"{string.Join(' ', args)} on {t.Name}: {ex.Message}");
        }
    }

    /// <summary>Sends a command that must succeed: an error reply fails the action with the server's text.</summary>
    private static async Task<RespReply> MustAsync(RemoteConnection conn, Target t, CancellationToken ct, params string[] args)
    {
        var reply = await SendAsync(conn, t, ct, args);
        if (reply.IsError) throw new ActionFailedException($"{string.Join(' ', args)} on {t.Name}: {reply.Text}");
        return reply;
    }

    private static async Task<Dictionary<string, string>> InfoAsync(RemoteConnection conn, Target t, string section, CancellationToken ct) =>
        InfoReplicationParser.ParseFields((await MustAsync(conn, t, ct, "INFO", section)).Text);

    private static long Long(IReadOnlyDictionary<string, string> f, string name) => InfoReplicationParser.Long(f, name, -1);

    private static string Port(Target t) => t.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Polls <paramref name="condition"/> every 50 ms until true or <paramref name="timeout"/>; false on timeout.</summary>
    private static async Task<bool> PollAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(50, ct);
        }
    }
}
