// Clients blocked on keys (Redis's blocked.c for BLOCKED_LIST / BLOCKED_ZSET): per db and key a FIFO of
// waiting requests, the set of keys that became ready during a command, and the timeouts.
//  - A write to a key somebody waits on (seen through Keyspace.KeyModified, like Redis's signalKeyAsReady from
//    dbAdd) queues the key as ready; after the outermost command finishes (and has been propagated) the engine
//    calls ServeReadyKeys, which serves waiters in the order they blocked, as handleClientsBlockedOnKeys does.
//    Serving may make other keys ready (BLMOVE pushes to its destination): the loop runs until none are left.
//  - Timeouts fire from a per-node timer armed at the earliest deadline (so 0.1 s means ~0.1 s, not the next
//    100 ms cron tick) and from the engine's cron as a backstop; both take the node lock.
//  - Type-agnostic: each request carries its serve callback, so lists (BLPOP ...) and sorted sets (BZPOPMIN ...)
//    share the registry.
// Everything runs under the node lock except the timer callback, which takes it.
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Blocking;

public sealed class BlockingRegistry
{
    private readonly RedisEngine _engine;
    private readonly KeyTable<List<BlockedRequest>>?[] _waiting;
    private readonly KeyTable<byte>?[] _readySet;
    private List<(int Db, byte[] Key)> _ready = new();
    private readonly Dictionary<ClientSession, BlockedRequest> _byClient = new();
    private readonly SortedSet<BlockedRequest> _timeouts = new(TimeoutOrder.Instance);
    private ITimer? _timer;
    private long _armedAtMs = long.MaxValue;
    private long _sequence;

    internal BlockingRegistry(RedisEngine engine)
    {
        _engine = engine;
        _waiting = new KeyTable<List<BlockedRequest>>?[engine.Keyspace.DatabaseCount];
        _readySet = new KeyTable<byte>?[engine.Keyspace.DatabaseCount];
        engine.Keyspace.KeyModified += OnKeyModified;
        engine.ClientClosed += Cancel;
        engine.CronTick += CheckTimeouts;
    }

    /// <summary>Number of blocked clients (INFO clients blocked_clients).</summary>
    public int BlockedClients => _byClient.Count;

    /// <summary>Distinct keys with at least one waiting client, over all dbs (INFO's blocked_keys-like counts).</summary>
    public int BlockedKeys
    {
        get
        {
            int n = 0;
            foreach (var t in _waiting) n += t?.Count ?? 0;
            return n;
        }
    }

    public bool HasReadyKeys => _ready.Count > 0;

    /// <summary>Blocked clients with a deadline (INFO clients clients_in_timeout_table; 0 blocks forever and is not counted).</summary>
    public int ClientsWithTimeout => _timeouts.Count;

    public bool IsBlocked(ClientSession client) => _byClient.ContainsKey(client);

    /// <summary>
    /// Whether a blocking command must behave as its non-blocking form (Redis's CLIENT_DENY_BLOCKING): inside
    /// MULTI/EXEC (a nested call) or for clients that cannot wait (the master link, AOF loading, scripts).
    /// </summary>
    public static bool DenyBlocking(CommandContext ctx) =>
        ctx.Engine.CallDepth > 1 || ctx.Client.Has(ClientFlags.Multi) || ctx.Client.Has(ClientFlags.Master)
        || ctx.Client.Has(ClientFlags.Internal);

    /// <summary>
    /// Parses a blocking timeout in seconds (Redis's getTimeoutFromObjectOrReply with UNIT_SECONDS) into an
    /// absolute deadline in Unix ms (0 = forever). Replies the error and returns false when invalid.
    /// </summary>
    public static bool TryParseTimeout(CommandContext ctx, int index, out long timeoutAtMs)
    {
        timeoutAtMs = 0;
        // Redis parses with strtold (string2ld: hex "0x10", "1e-400" and "1e400" are valid long doubles) and
        // computes (long long)ceill(t * 1000.0) in x87 extended precision, so "-0.001" ceils to 0 (block
        // forever), "-0.002" is negative, and anything past the long range (inf, 1e400) is LLONG_MIN: negative.
        if (!Commands.LongDouble.TryParse(ctx.Args[index], out var seconds))
        {
            ctx.Reply.Error(Errors.Timeout);
            return false;
        }
        long tval = seconds.MultiplyCeilToInt64(1000);
        if (tval < 0)
        {
            ctx.Reply.Error(Errors.TimeoutNegative);
            return false;
        }
        if (tval > 0)
        {
            long now = ctx.NowMs;
            // Redis overflows into a deadline that never fires; "forever" is the same for the client.
            timeoutAtMs = tval > long.MaxValue - now ? long.MaxValue : now + tval;
        }
        return true;
    }

    /// <summary>
    /// Blocks the current client of <paramref name="ctx"/> on <paramref name="keys"/> (duplicates ignored, as
    /// Redis's blockForKeys does). The command writes no reply now; the serve callback or the timeout will.
    /// </summary>
    public BlockedRequest Block(CommandContext ctx, IReadOnlyList<byte[]> keys, long timeoutAtMs, BlockedServeHandler serve, object? state = null)
    {
        var client = ctx.Client;
        int db = client.Db;
        var distinct = new List<byte[]>(keys.Count);
        foreach (var k in keys)
        {
            bool dup = false;
            foreach (var d in distinct) if (d.AsSpan().SequenceEqual(k)) { dup = true; break; }
            if (!dup) distinct.Add(k);
        }
        var request = new BlockedRequest(client, db, distinct.ToArray(), timeoutAtMs, serve, state) { Sequence = ++_sequence, Command = ctx.Command };
        var table = _waiting[db] ??= new KeyTable<List<BlockedRequest>>();
        foreach (var k in request.Keys)
        {
            ref var list = ref table.GetOrAdd(k, out bool exists, k);
            if (!exists) list = new List<BlockedRequest>(2);
            list.Add(request);
        }
        _byClient[client] = request;
        client.Flags |= ClientFlags.Blocked;
        client.Unblocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CancelBlock = Cancel;
        if (timeoutAtMs != 0)
        {
            _timeouts.Add(request);
            ArmTimer();
        }
        return request;
    }

    private void OnKeyModified(int db, ReadOnlySpan<byte> key)
    {
        // Redis's signalKeyAsReady: only keys somebody waits on, each queued once until served.
        if (_byClient.Count == 0) return;
        var table = _waiting[db];
        if (table is null || !table.ContainsKey(key)) return;
        var ready = _readySet[db] ??= new KeyTable<byte>();
        ready.GetOrAdd(key, out bool queued);
        if (queued) return;
        _ready.Add((db, key.ToArray()));
    }

    /// <summary>
    /// Queues every waited-on key of <paramref name="db"/> that now exists as ready (Redis's
    /// scanDatabaseForReadyKeys): SWAPDB replaces a db's contents without writing its keys one by one, yet
    /// clients that stay blocked in that db must see keys that appeared. Served after the current command.
    /// </summary>
    public void ScanDatabaseForReadyKeys(int db)
    {
        var table = _waiting[db];
        if (table is null || table.Count == 0) return;
        var keyspaceDb = _engine.Keyspace[db];
        foreach (var (key, _) in table.Entries())
            if (keyspaceDb.Peek(key) is not null) OnKeyModified(db, key);
    }

    /// <summary>
    /// Serves clients blocked on the keys made ready by the last command (Redis's handleClientsBlockedOnKeys).
    /// Called by the engine (under the lock) after the outermost command and its propagation.
    /// </summary>
    public void ServeReadyKeys()
    {
        while (_ready.Count > 0)
        {
            var batch = _ready;
            _ready = new List<(int, byte[])>();
            foreach (var (db, key) in batch)
            {
                _readySet[db]?.Remove(key);
                ServeKey(db, key);
            }
        }
    }

    private void ServeKey(int db, byte[] key)
    {
        var table = _waiting[db];
        if (table is null) return;
        ref var list = ref table.Find(key);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref list)) return;
        // Serve in blocking order; the list changes as clients are unblocked, so walk a snapshot.
        var snapshot = list.ToArray();
        foreach (var request in snapshot)
        {
            if (!_byClient.TryGetValue(request.Client, out var current) || current != request) continue;
            if (_engine.Keyspace[db].Peek(key) is null) break;
            if (request.Serve(this, request, key)) Unblock(request);
        }
    }

    /// <summary>Writes a served client's reply bookkeeping: unregisters it, clears its flag and wakes its connection.</summary>
    private void Unblock(BlockedRequest request)
    {
        Remove(request);
        var client = request.Client;
        client.Flags &= ~ClientFlags.Blocked;
        client.CancelBlock = null;
        var tcs = client.Unblocked;
        client.NotifyOutput();
        tcs?.TrySetResult();
    }

    private void Remove(BlockedRequest request)
    {
        if (!_byClient.Remove(request.Client)) return;
        if (request.TimeoutAtMs != 0) _timeouts.Remove(request);
        var table = _waiting[request.Db];
        if (table is null) return;
        foreach (var k in request.Keys)
        {
            ref var list = ref table.Find(k);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref list)) continue;
            list.Remove(request);
            if (list.Count == 0) table.Remove(k);
        }
    }

    /// <summary>Forgets a client that went away while blocked (no reply), like Redis's freeClient.</summary>
    public void Cancel(ClientSession client)
    {
        if (!_byClient.TryGetValue(client, out var request)) return;
        Remove(request);
        client.Flags &= ~ClientFlags.Blocked;
        client.CancelBlock = null;
        client.Unblocked?.TrySetResult();
    }

    /// <summary>
    /// CLIENT UNBLOCK: replies as on timeout (null array), or with -UNBLOCKED when <paramref name="withError"/>.
    /// Returns false when the client is not blocked on keys.
    /// </summary>
    public bool TryUnblock(ClientSession client, bool withError)
    {
        if (!_byClient.TryGetValue(client, out var request)) return false;
        // The writer's error observer counts the error reply (total_error_replies, errorstats); because that
        // happens inside CLIENT UNBLOCK, its own failed_calls goes up too, as in Redis 7.0.15.
        if (withError) client.Writer.Error(Errors.UnblockedByClient);
        else client.Writer.NullArray();
        // Redis's clientCommand calls updateStatsOnUnblock(target, 0, 0, 1): the blocked command fails either way.
        if (request.Command is { } command) command.FailedCalls++;
        Unblock(request);
        return true;
    }

    /// <summary>Times out every request whose deadline passed on the node clock (caller holds the lock).</summary>
    public void CheckTimeouts()
    {
        if (_timeouts.Count == 0) return;
        long now = _engine.Keyspace.NowMs;
        while (_timeouts.Count > 0)
        {
            var first = _timeouts.Min!;
            if (first.TimeoutAtMs > now) break;
            // Redis's replyToBlockedClientTimedOut: a null array for list and sorted set waits (also BLMOVE).
            first.Client.Writer.NullArray();
            Unblock(first);
        }
        ArmTimer();
    }

    private void ArmTimer()
    {
        if (_timeouts.Count == 0) return;
        long at = _timeouts.Min!.TimeoutAtMs;
        if (at >= _armedAtMs && _timer is not null) return;
        _armedAtMs = at;
        long delay = Math.Max(0, at - _engine.Keyspace.NowMs);
        var due = TimeSpan.FromMilliseconds(Math.Min(delay, int.MaxValue - 1));
        if (_timer is null) _timer = _engine.Time.CreateTimer(static s => ((BlockingRegistry)s!).OnTimer(), this, due, Timeout.InfiniteTimeSpan);
        else _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        lock (_engine.SyncRoot)
        {
            _armedAtMs = long.MaxValue;
            CheckTimeouts();
        }
    }

    /// <summary>A database of the node, for serve callbacks.</summary>
    public RedisDatabase Database(int db) => _engine.Keyspace[db];

    /// <summary>Replies an error to a client being served (counted like any error reply, and as a failed call of its command).</summary>
    public void ReplyError(ClientSession client, string error)
    {
        // Counted once by the writer's error observer; the blocked command's failed_calls as updateStatsOnUnblock does.
        client.Writer.Error(error);
        if (_byClient.TryGetValue(client, out var request) && request.Command is { } command) command.FailedCalls++;
    }

    /// <summary>Propagates what a served client really did (LPOP, LMOVE ...), in its db, and counts it as a change.</summary>
    public void Propagate(int db, long changes, params byte[][] args)
    {
        _engine.Dirty += changes;
        var list = new ArgList();
        list.Reset(args);
        _engine.Propagate(db, list);
    }

    private sealed class TimeoutOrder : IComparer<BlockedRequest>
    {
        public static readonly TimeoutOrder Instance = new();

        public int Compare(BlockedRequest? x, BlockedRequest? y)
        {
            int c = x!.TimeoutAtMs.CompareTo(y!.TimeoutAtMs);
            return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
