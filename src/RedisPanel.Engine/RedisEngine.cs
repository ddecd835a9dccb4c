// The engine of one node: keyspace, command table, config, clients, statistics, propagation.
// Execute() is the dispatcher (Redis's processCommand + call): lookup, arity, auth, state checks, MULTI
// queueing, the handler, statistics, monitors, propagation. Callers hold SyncRoot: one ordering point per node.
using System.Diagnostics;
using RedisPanel.Engine.Config;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine;

/// <summary>What the connection does after a command.</summary>
public enum ExecOutcome
{
    Continue,
    /// <summary>The client is blocked (BLPOP ...): stop processing its further commands until unblocked.</summary>
    Blocked,
    /// <summary>Close the connection once the reply is written (QUIT, protocol error).</summary>
    Close,
}

public sealed partial class RedisEngine
{
    private readonly CommandContext _ctx;
    private readonly ArgList _queuedArgs = new();
    private readonly List<IPropagationSink> _sinks = new();
    private readonly ReplyBuffer _propagationBuffer = new(256);
    private RespWriter? _propagationWriter; // over _propagationBuffer, made once (a write per propagated command)
    private long _nextClientId;

    public RedisEngine(ServerConfig config, TimeProvider? time = null, int? randomSeed = null, CommandTable? table = null)
    {
        Config = config;
        Time = time ?? TimeProvider.System;
        Random = randomSeed is int seed ? new Random(seed) : new Random();
        Keyspace = new Keyspace(config.Databases, Time);
        Table = table ?? CommandTable.CreateDefault();
        _ctx = new CommandContext(this);
        Keyspace.KeyExpired = OnKeyExpired;
        StartTimeMs = Keyspace.NowMs;
        RunId = RandomHex(40);
        WireFamilies();
    }

    /// <summary>The node's ordering lock: every command, expiry cycle and stream apply runs under it.</summary>
    public object SyncRoot { get; } = new();

    public ServerConfig Config { get; }
    public TimeProvider Time { get; }
    public Random Random { get; }
    public Keyspace Keyspace { get; }
    public CommandTable Table { get; }
    public EngineStats Stats { get; } = new();
    public long StartTimeMs { get; }
    public string RunId { get; }

    /// <summary>The port the node listens on (for INFO, replication announcements).</summary>
    public int TcpPort { get; set; }

    /// <summary>Changes since the last save (Redis's server.dirty).</summary>
    public long Dirty { get; set; }

    /// <summary>True while the dataset is being loaded: commands without the Loading flag get -LOADING.</summary>
    public bool Loading { get; set; }

    /// <summary>Connected clients by id.</summary>
    public Dictionary<long, ClientSession> Clients { get; } = new();

    /// <summary>Clients in MONITOR mode.</summary>
    public List<ClientSession> Monitors { get; } = new();

    /// <summary>
    /// Set by the replication layer: returns Redis's error text when a command must be refused because of the
    /// node's replication state (READONLY, MASTERDOWN, NOREPLICAS), or null to allow it.
    /// </summary>
    public Func<ClientSession, CommandDef, string?>? ReplicationGate { get; set; }

    /// <summary>Raised after each executed command with its definition (stats for the dashboard, keyspace events).</summary>
    public event Action<CommandDef>? CommandExecuted;

    public ClientSession CreateClient(string addr, string laddr)
    {
        var c = new ClientSession(++_nextClientId, addr, laddr, Keyspace.NowMs);
        c.Authenticated = Config.RequirePass.Length == 0;
        c.Writer.ErrorObserver = CountErrorReply;
        return c;
    }

    public void AddPropagationSink(IPropagationSink sink)
    {
        lock (SyncRoot) _sinks.Add(sink);
    }

    public void RemovePropagationSink(IPropagationSink sink)
    {
        lock (SyncRoot) _sinks.Remove(sink);
    }

    /// <summary>
    /// Executes one command for <paramref name="client"/>. The caller holds <see cref="SyncRoot"/>.
    /// The reply is written to the client's reply buffer.
    /// </summary>
    public ExecOutcome Execute(ClientSession client, ArgList args)
    {
        client.LastInteractionMs = CachedNowMs();
        var reply = client.Writer;
        var def = Table.Find(args[0]);
        if (def is null)
        {
            FlagTransactionError(client);
            RejectCall(reply, Errors.UnknownCommand(args.GetString(0), Enumerable.Range(1, Math.Min(args.Count - 1, 128)).Select(args.GetString)));
            return ExecOutcome.Continue;
        }
        if (def.Subcommands is not null && args.Count >= 2)
        {
            var sub = CommandTable.FindSub(def, args[1]);
            if (sub is null)
            {
                FlagTransactionError(client);
                RejectCall(reply, Errors.UnknownSubcommand(args.GetString(1), def.Name));
                return ExecOutcome.Continue;
            }
            def = sub;
        }
        if (!def.ArityOk(args.Count) || def.Handler is null)
        {
            FlagTransactionError(client);
            def.RejectedCalls++;
            RejectCall(client, def, args, Errors.WrongArity(def.FullName));
            return ExecOutcome.Continue;
        }
        var root = def.Parent ?? def;
        if ((root.Flags & CommandFlags.Protected) != 0 && !client.AllowsProtectedAction(Config.EnableDebugCommand))
        {
            // Redis checks protected commands right after arity, before authentication.
            FlagTransactionError(client);
            def.RejectedCalls++;
            RejectCall(client, def, args, Errors.DebugNotAllowed);
            return ExecOutcome.Continue;
        }
        if (!client.Authenticated && (root.Flags & CommandFlags.NoAuth) == 0)
        {
            FlagTransactionError(client);
            def.RejectedCalls++;
            RejectCall(client, def, args, Errors.NoAuth);
            return ExecOutcome.Continue;
        }
        if (!LastBgsaveOk && DeniedByBgsaveError(client, def))
        {
            FlagTransactionError(client);
            def.RejectedCalls++;
            RejectCall(client, def, args, Errors.BgsaveError);
            return ExecOutcome.Continue;
        }
        if (ReplicationGate is { } gate && gate(client, def) is { } refusal)
        {
            FlagTransactionError(client);
            def.RejectedCalls++;
            RejectCall(client, def, args, refusal);
            return ExecOutcome.Continue;
        }
        if (client.Has(ClientFlags.PubSub) && reply.Protocol == 2 && (root.Flags & CommandFlags.PubSubContext) == 0)
        {
            def.RejectedCalls++;
            RejectCall(client, def, args, $"ERR Can't execute '{def.FullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return ExecOutcome.Continue;
        }
        if (Loading && (def.Flags & CommandFlags.Loading) == 0)
        {
            def.RejectedCalls++;
            RejectCall(client, def, args, Errors.Loading);
            return ExecOutcome.Continue;
        }
        if (PauseKind != PauseKind.Off && TryPostpone(client, def, args)) return ExecOutcome.Blocked;
        if (client.MultiQueue is not null && (root.Flags & CommandFlags.NoQueue) == 0)
        {
            if ((def.Flags & CommandFlags.NoMulti) != 0)
            {
                FlagTransactionError(client);
                RejectCall(reply, $"ERR Command not allowed inside a transaction");
                return ExecOutcome.Continue;
            }
            client.MultiQueue.Add(args.ToArrays());
            reply.SimpleString("QUEUED");
            return ExecOutcome.Continue;
        }
        var outcome = Call(client, def, args);
        client.WriteOffset = ReplOffset; // processCommand: c->woff = master_repl_offset after call()
        return outcome;
    }

    /// <summary>
    /// Runs a validated command: the handler, statistics, MONITOR feed and propagation (Redis's call()).
    /// Also used by EXEC for queued commands and by the replication stream applier.
    /// </summary>
    public ExecOutcome Call(ClientSession client, CommandDef def, ArgList args)
    {
        var ctx = _ctx;
        var prevClient = ctx.Client;
        var prevArgs = ctx.Args;
        var prevDef = ctx.Command;
        var prevRewrites = ctx.Rewrites;
        bool prevSuppressed = ctx.PropagationSuppressed;
        ctx.Client = client;
        ctx.Args = args;
        ctx.Command = def;
        ctx.Rewrites = null;
        ctx.PropagationSuppressed = false;
        long dirtyBefore = Dirty;
        long errorsBefore = Stats.TotalErrorReplies;
        int dbBefore = client.Db;
        // Inside a batch the previous call's end is this call's start (see BeginBatch): one clock read per call.
        long start = _batchClock != 0 ? _batchClock : Stopwatch.GetTimestamp();
        _callDepth++;
        // Copy-on-write for open snapshots (BGSAVE, full sync): a write command may mutate any value its
        // arguments name in place, so those values are unshared first. Over-approximates (every argument, not
        // only keys) so movable-key commands are covered; costs one field read when no snapshot is open.
        if (Keyspace.ActiveSnapshots != 0 && def.IsWrite) UnshareArguments(Keyspace[client.Db], args);
        try
        {
            def.Handler!(ctx);
        }
        finally
        {
            long end = Stopwatch.GetTimestamp();
            if (_batchClock != 0) _batchClock = end;
            long elapsed = end - start;
            def.Calls++;
            def.Microseconds += elapsed * 1_000_000 / Stopwatch.Frequency;
            if (Stats.TotalErrorReplies != errorsBefore) def.FailedCalls++; // as Redis's call(): any error reply fails the call
            Stats.TotalCommandsProcessed++;
            client.LastCommand = def.FullName;
            AfterCall(ctx, dbBefore, elapsed);
            if (Dirty != dirtyBefore || ctx.Rewrites is not null) PropagateCall(ctx, dbBefore);
            CommandExecuted?.Invoke(def);
            ctx.Client = prevClient;
            ctx.Args = prevArgs;
            ctx.Command = prevDef;
            ctx.Rewrites = prevRewrites;
            ctx.PropagationSuppressed = prevSuppressed;
            _callDepth--;
        }
        if (_callDepth == 0) AfterOutermostCall();
        if (client.Has(ClientFlags.Blocked)) return ExecOutcome.Blocked;
        return client.Has(ClientFlags.CloseAfterReply) ? ExecOutcome.Close : ExecOutcome.Continue;
    }

    private static void UnshareArguments(RedisDatabase db, ArgList args)
    {
        for (int i = 1; i < args.Count; i++) db.Unshare(args[i]);
    }

    /// <summary>Runs a command given as owned arrays (EXEC's queue, AOF replay, the dashboard console).</summary>
    public ExecOutcome Execute(ClientSession client, byte[][] args)
    {
        var list = new ArgList();
        list.Reset(args);
        return Execute(client, list);
    }

    private long _batchClock;

    /// <summary>
    /// Starts a run of commands executed back to back under one hold of <see cref="SyncRoot"/> (a connection's
    /// read batch): each call's end timestamp then serves as the next call's start, so a pipelined command costs
    /// one clock read instead of two (Redis times each call; the few ns of dispatch between two calls are counted
    /// in the second). Call <see cref="EndBatch"/> before releasing the lock.
    /// </summary>
    public void BeginBatch() => _batchClock = Stopwatch.GetTimestamp();

    /// <summary>
    /// Ends the run started by <see cref="BeginBatch"/>; later calls read the clock twice again. The batch's AOF
    /// writes happen here, before the caller sends the replies (Redis writes aof_buf in beforeSleep).
    /// </summary>
    public void EndBatch()
    {
        _batchClock = 0;
        if (_aof is not null) FlushAof();
        BatchEnded?.Invoke();
    }

    /// <summary>Whether a run started by <see cref="BeginBatch"/> is in progress (so <see cref="BatchEnded"/> follows).</summary>
    public bool InBatch => _batchClock != 0;

    /// <summary>
    /// Raised by <see cref="EndBatch"/> (lock held), after the AOF write: replication writes what the batch
    /// propagated to its replicas here, on the connection's own thread (Redis writes replica buffers in beforeSleep).
    /// </summary>
    public event Action? BatchEnded;

    private long _cachedNowMs;
    private long _cachedNowTick = long.MinValue;

    /// <summary>
    /// The node's wall clock in ms, read at most once per coarse tick (1-4 ms) when the node runs on the system
    /// clock: Redis stamps lastinteraction with its cached server.unixtime too, and a clock read costs 20-40 ns in
    /// a VM, a measurable share of a GET. Any other TimeProvider (tests' manual clocks) is read every time.
    /// </summary>
    private long CachedNowMs()
    {
        if (!ReferenceEquals(Time, TimeProvider.System)) return Keyspace.NowMs;
        long tick = Environment.TickCount64; // CLOCK_MONOTONIC_COARSE: a few ns
        if (tick != _cachedNowTick)
        {
            _cachedNowTick = tick;
            _cachedNowMs = Keyspace.NowMs;
        }
        return _cachedNowMs;
    }

    private void RejectCall(RespWriter reply, string error)
    {
        reply.Error(error); // counted by CountErrorReply
    }

    /// <summary>
    /// rejectCommand for a command that was found: a refused EXEC (arity, NOAUTH, MISCONF, READONLY, ...) is
    /// execCommandAbort in Redis 7.0: the transaction is discarded, the reply is EXECABORT with the refusal (Redis
    /// formats those texts without "ERR ") and MONITOR sees the EXEC.
    /// </summary>
    private void RejectCall(ClientSession client, CommandDef def, ArgList args, string error)
    {
        if (def.Name != "exec")
        {
            RejectCall(client.Writer, error);
            return;
        }
        Commands.TransactionCommands.DiscardTransaction(this, client);
        RejectCall(client.Writer, Errors.ExecAbortBecause + (error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error));
        if (Monitors.Count > 0) FeedMonitors(client, client.Db, args);
    }

    private static void FlagTransactionError(ClientSession client)
    {
        if (client.MultiQueue is not null) client.Flags |= ClientFlags.DirtyExec;
    }

    /// <summary>Hook for the families that need to see every call (slowlog, monitor); see RedisEngine.*.cs.</summary>
    partial void AfterCallHook(CommandContext ctx, int db, long elapsedTicks);

    private void AfterCall(CommandContext ctx, int db, long elapsedTicks)
    {
        if (Monitors.Count > 0 && (ctx.Command.Flags & (CommandFlags.SkipMonitor | CommandFlags.Admin)) == 0
            && ((ctx.Command.Parent?.Flags ?? CommandFlags.None) & (CommandFlags.SkipMonitor | CommandFlags.Admin)) == 0)
            FeedMonitors(ctx.Client, ctx.Client.Db, ctx.Args); // Redis shows the db after the call (SELECT 3 -> [3 ...])
        AfterCallHook(ctx, db, elapsedTicks);
    }

    private void PropagateCall(CommandContext ctx, int db)
    {
        if (_sinks.Count == 0 || ctx.PropagationSuppressed) return;
        var def = ctx.Command;
        if (ctx.Rewrites is { } rewrites)
        {
            foreach (var (rdb, rargs) in rewrites)
            {
                var list = new ArgList();
                list.Reset(rargs);
                Propagate(rdb, list);
            }
            return;
        }
        if (!(def.IsWrite || ((def.Parent?.Flags ?? def.Flags) & CommandFlags.MayReplicate) != 0)) return;
        if ((def.Flags & CommandFlags.NoPropagate) != 0) return;
        Propagate(db, ctx.Args);
    }

    /// <summary>Sends a command to every propagation sink (backlog, AOF) as RESP bytes.</summary>
    public void Propagate(int db, ArgList args)
    {
        if (!AnySinkListening()) return;
        var buf = _propagationBuffer;
        buf.Clear();
        var w = _propagationWriter ??= new RespWriter(buf);
        w.ArrayHeader(args.Count);
        for (int i = 0; i < args.Count; i++) w.Bulk(args[i]);
        if (_propagationBatch is not null)
        {
            // Inside EXEC: held back so the batch can be wrapped in MULTI/EXEC (RedisEngine.Transactions.cs).
            _propagationBatch.Add((db, buf.WrittenSpan.ToArray()));
            return;
        }
        foreach (var sink in _sinks) sink.Propagate(db, buf.WrittenSpan);
    }

    private bool AnySinkListening()
    {
        foreach (var sink in _sinks) if (sink.IsListening) return true;
        return false;
    }

    private void OnKeyExpired(int db, byte[] key)
    {
        // Redis 7.0 propagates an expired key as DEL (src/db.c propagateDeletion).
        if (_sinks.Count == 0) return;
        var list = new ArgList();
        list.Reset([ "DEL"u8.ToArray(), key ]);
        Propagate(db, list);
    }

    private void FeedMonitors(ClientSession client, int db, ArgList args)
    {
        // "+1339518083.107412 [0 127.0.0.1:60866] "keys" "*""
        var utc = Time.GetUtcNow();
        long now = utc.ToUnixTimeMilliseconds() * 1000 + utc.Microsecond;
        var sb = new System.Text.StringBuilder();
        sb.Append(now / 1_000_000).Append('.').Append((now % 1_000_000).ToString("D6"));
        sb.Append(" [").Append(db).Append(' ');
        if (client.Has(ClientFlags.Internal)) sb.Append("lua");
        else if (client.Has(ClientFlags.Master)) sb.Append("master"); // Redis shows unix/ip:port; the master link has its own
        else sb.Append(client.Address);
        sb.Append(']');
        for (int i = 0; i < args.Count; i++) sb.Append(' ').Append(IsRedacted(args, i) ? "\"(redacted)\"" : Quote(args[i]));
        string line = sb.ToString();
        foreach (var m in Monitors)
        {
            if (m == client) continue;
            m.Writer.SimpleString(line);
            m.NotifyOutput();
        }
    }

    /// <summary>Redis's sdscatrepr: a double-quoted string with C escapes (MONITOR, DEBUG, CLIENT LIST).</summary>
    public static string Quote(ReadOnlySpan<byte> s)
    {
        var sb = new System.Text.StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (byte b in s)
        {
            switch (b)
            {
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case 7: sb.Append("\\a"); break;
                case 8: sb.Append("\\b"); break;
                default:
                    if (b >= 32 && b < 127) sb.Append((char)b);
                    else sb.Append("\\x").Append(b.ToString("x2"));
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Runs one cycle of active expiry (Redis's activeExpireCycle, slow variant); call ~hz times a second.</summary>
    public void ActiveExpireCycle(TimeSpan budget)
    {
        if (Keyspace.IsReplica || !ActiveExpireEnabled) return; // replicas wait for the master's DEL
        // Redis 7.0 keeps the dataset static while clients are paused (a FAILOVER waits for an exact offset).
        if (PauseKind != PauseKind.Off) return;
        long deadline = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        for (int i = 0; i < Keyspace.DatabaseCount; i++)
        {
            var db = Keyspace[i];
            while (true)
            {
                var (sampled, expired) = db.ActiveExpireStep(Random, 20);
                if (sampled == 0 || expired * 4 <= sampled || Stopwatch.GetTimestamp() > deadline) break;
            }
        }
    }

    private string RandomHex(int length)
    {
        const string hex = "0123456789abcdef";
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = hex[Random.Next(16)];
        return new string(chars);
    }

    /// <summary>A new random 40-hex-digit id (run_id, replid).</summary>
    public string NewRandomId() => RandomHex(40);
}
