// Transactions (Redis's "transactions" group, src/multi.c of 7.0): MULTI, EXEC, DISCARD, WATCH, UNWATCH.
// The dispatcher queues commands while ClientSession.MultiQueue is set and flags DirtyExec on queueing errors;
// EXEC runs the queue through RedisEngine.Call and propagates it as one MULTI/EXEC unit. WATCH keeps, per
// engine, (db, key) → watching clients; any modification of a watched key (Keyspace.KeyModified: writes,
// deletes, TTL changes, expiry) sets DirtyCas on the watchers, as Redis's touchWatchedKey.
using System.Runtime.CompilerServices;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static class TransactionCommands
{
    private const string Group = "transactions";

    public static void Register(CommandTable t)
    {
        const CommandFlags common = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
        t.Add("multi", 1, common | CommandFlags.Fast | CommandFlags.AllowBusy | CommandFlags.NoQueue, Multi, group: Group);
        t.Add("exec", 1, common | CommandFlags.SkipSlowlog | CommandFlags.NoQueue, Exec, group: Group);
        t.Add("discard", 1, common | CommandFlags.Fast | CommandFlags.AllowBusy | CommandFlags.NoQueue, Discard, group: Group);
        // WATCH runs at once inside MULTI (to refuse it); UNWATCH is queued like any command, as in Redis.
        t.Add("watch", -2, common | CommandFlags.Fast | CommandFlags.AllowBusy | CommandFlags.NoQueue, Watch, (1, -1, 1), Group);
        t.Add("unwatch", 1, common | CommandFlags.Fast | CommandFlags.AllowBusy, Unwatch, group: Group);
    }

    // ---- per-engine watch registry ----

    private sealed class WatchedKey
    {
        public required int Db;
        public required byte[] Key;
        public required ClientSession Client;
        /// <summary>The key was already logically expired when watched (Redis's wk->expired).</summary>
        public bool Expired;
    }

    /// <summary>A client's watched keys (ClientSession extension).</summary>
    private sealed class ClientWatches
    {
        public readonly List<WatchedKey> Keys = new();
    }

    private sealed class Registry
    {
        public readonly RedisEngine Engine;
        public readonly Dictionary<int, KeyTable<List<WatchedKey>>> ByDb = new();

        public Registry(RedisEngine engine)
        {
            Engine = engine;
            engine.Keyspace.KeyModified += OnKeyModified;
            engine.ClientClosed += client => UnwatchAll(client);
        }

        private void OnKeyModified(int db, ReadOnlySpan<byte> key)
        {
            if (!ByDb.TryGetValue(db, out var table) || table.Count == 0) return;
            ref var watchers = ref table.Find(key);
            if (Unsafe.IsNullRef(ref watchers)) return;
            bool present = Engine.Keyspace[db].Main.ContainsKey(key);
            foreach (var wk in watchers.ToArray())
            {
                if (wk.Expired)
                {
                    // Deleting a key that was already expired when watched is not a change (Redis 7.0).
                    if (!present) wk.Expired = false;
                    continue;
                }
                Touch(wk.Client);
            }
        }

        public void Touch(ClientSession client)
        {
            client.Flags |= ClientFlags.DirtyCas;
            // Redis 7.0 stops watching everything once the transaction is doomed.
            UnwatchAll(client);
        }

        public void UnwatchAll(ClientSession client)
        {
            var mine = client.FindExtension<ClientWatches>();
            if (mine is null || mine.Keys.Count == 0) return;
            foreach (var wk in mine.Keys)
            {
                if (!ByDb.TryGetValue(wk.Db, out var table)) continue;
                ref var list = ref table.Find(wk.Key);
                if (Unsafe.IsNullRef(ref list)) continue;
                list.Remove(wk);
                if (list.Count == 0) table.Remove(wk.Key);
            }
            mine.Keys.Clear();
        }
    }

    private static readonly ConditionalWeakTable<RedisEngine, Registry> Registries = new();

    private static Registry RegistryOf(RedisEngine engine) => Registries.GetValue(engine, e => new Registry(e));

    /// <summary>
    /// Redis's touchAllWatchedKeysInDb for FLUSHDB / FLUSHALL / SWAPDB: call it (under the node lock) BEFORE the
    /// database <paramref name="emptied"/> is cleared or swapped. Every client watching a key that exists there
    /// (or, for SWAPDB, in <paramref name="replacedWith"/>) gets its transaction aborted at EXEC.
    /// </summary>
    public static void TouchAllWatched(RedisEngine engine, int emptied, int? replacedWith = null)
    {
        if (!Registries.TryGetValue(engine, out var reg) || !reg.ByDb.TryGetValue(emptied, out var table) || table.Count == 0) return;
        var emptiedDb = engine.Keyspace[emptied];
        var otherDb = replacedWith is int r ? engine.Keyspace[r] : null;
        var toTouch = new List<ClientSession>();
        foreach (var (key, watchers) in table.Entries().ToArray())
        {
            bool existsInEmptied = emptiedDb.Main.ContainsKey(key);
            bool existsInOther = otherDb is not null && otherDb.Main.ContainsKey(key);
            if (!existsInEmptied && !existsInOther) continue;
            foreach (var wk in watchers)
            {
                if (wk.Expired)
                {
                    if (!existsInOther)
                    {
                        wk.Expired = false;
                        continue;
                    }
                    if (otherDb!.IsExpired(key)) continue;
                }
                else if (!existsInEmptied && otherDb!.IsExpired(key))
                {
                    wk.Expired = true;
                    continue;
                }
                toTouch.Add(wk.Client);
            }
        }
        // Unlike touchWatchedKey, Redis only flags here; the watches stay until EXEC/UNWATCH.
        foreach (var c in toTouch) c.Flags |= ClientFlags.DirtyCas;
    }

    /// <summary>Drops a client's transaction state: queue, MULTI flags and watched keys (DISCARD, RESET, EXEC's end).</summary>
    public static void DiscardTransaction(RedisEngine engine, ClientSession client)
    {
        client.MultiQueue = null;
        client.Flags &= ~(ClientFlags.Multi | ClientFlags.DirtyCas | ClientFlags.DirtyExec);
        if (Registries.TryGetValue(engine, out var reg)) reg.UnwatchAll(client);
    }

    /// <summary>Number of keys a client watches (CLIENT LIST's "watch=" field in later Redis versions, tests).</summary>
    public static int WatchedKeyCount(ClientSession client) => client.FindExtension<ClientWatches>()?.Keys.Count ?? 0;

    // ---- commands ----

    private static void Multi(CommandContext ctx)
    {
        var c = ctx.Client;
        if (c.MultiQueue is not null)
        {
            ctx.Reply.Error(Errors.NestedMulti);
            return;
        }
        c.MultiQueue = new List<byte[][]>();
        c.Flags |= ClientFlags.Multi;
        ctx.Reply.Ok();
    }

    private static void Discard(CommandContext ctx)
    {
        if (ctx.Client.MultiQueue is null)
        {
            ctx.Reply.Error(Errors.DiscardWithoutMulti);
            return;
        }
        DiscardTransaction(ctx.Engine, ctx.Client);
        ctx.Reply.Ok();
    }

    private static void Exec(CommandContext ctx)
    {
        var c = ctx.Client;
        var engine = ctx.Engine;
        var queue = c.MultiQueue;
        if (queue is null)
        {
            ctx.Reply.Error(Errors.ExecWithoutMulti);
            return;
        }
        // A watched key that expired since WATCH (but was not yet deleted) counts as modified.
        if (WatchedKeyExpired(engine, c)) c.Flags |= ClientFlags.DirtyCas;
        if (c.Has(ClientFlags.DirtyCas) || c.Has(ClientFlags.DirtyExec))
        {
            if (c.Has(ClientFlags.DirtyExec)) ctx.Reply.Error(Errors.ExecAbort);
            else ctx.Reply.NullArray();
            DiscardTransaction(engine, c);
            return;
        }
        if (Registries.TryGetValue(engine, out var reg)) reg.UnwatchAll(c);
        // Queued commands must run, not queue again: the queue is detached first. ClientFlags.Multi stays set
        // while they run so blocking commands answer at once (Redis's CLIENT_DENY_BLOCKING during EXEC).
        c.MultiQueue = null;
        bool batch = engine.BeginPropagationBatch();
        var reply = ctx.Reply;
        reply.ArrayHeader(queue.Count);
        try
        {
            var args = new ArgList();
            foreach (var command in queue)
            {
                args.Reset(command);
                var def = engine.Table.Find(command[0]);
                if (def?.Subcommands is not null && command.Length >= 2) def = CommandTable.FindSub(def, command[1]) ?? def;
                if (def?.Handler is null)
                {
                    // Validated when queued; the table cannot change meanwhile, but stay defensive.
                    reply.Error(Errors.UnknownCommand(args.GetString(0), []));
                    continue;
                }
                engine.Call(c, def, args);
            }
        }
        finally
        {
            if (batch) engine.EndPropagationBatch();
            c.Flags &= ~(ClientFlags.Multi | ClientFlags.DirtyCas | ClientFlags.DirtyExec);
        }
    }

    private static bool WatchedKeyExpired(RedisEngine engine, ClientSession client)
    {
        var mine = client.FindExtension<ClientWatches>();
        if (mine is null) return false;
        foreach (var wk in mine.Keys)
            if (!wk.Expired && engine.Keyspace[wk.Db].IsExpired(wk.Key)) return true;
        return false;
    }

    private static void Watch(CommandContext ctx)
    {
        var c = ctx.Client;
        if (c.MultiQueue is not null)
        {
            ctx.Reply.Error(Errors.WatchInMulti);
            return;
        }
        // Already doomed: no point watching more (Redis 7.0).
        if (c.Has(ClientFlags.DirtyCas))
        {
            ctx.Reply.Ok();
            return;
        }
        var reg = RegistryOf(ctx.Engine);
        var mine = c.GetExtension<ClientWatches>();
        var db = ctx.Db;
        for (int j = 1; j < ctx.Args.Count; j++)
        {
            var key = ctx.Args[j];
            bool already = false;
            foreach (var wk in mine.Keys)
                if (wk.Db == c.Db && key.SequenceEqual(wk.Key)) { already = true; break; }
            if (already) continue;
            if (!reg.ByDb.TryGetValue(c.Db, out var table)) reg.ByDb[c.Db] = table = new KeyTable<List<WatchedKey>>();
            ref var list = ref table.GetOrAdd(key, out bool exists);
            if (!exists) list = new List<WatchedKey>();
            var entry = new WatchedKey { Db = c.Db, Key = key.ToArray(), Client = c, Expired = db.IsExpired(key) };
            list.Add(entry);
            mine.Keys.Add(entry);
        }
        ctx.Reply.Ok();
    }

    private static void Unwatch(CommandContext ctx)
    {
        if (Registries.TryGetValue(ctx.Engine, out var reg)) reg.UnwatchAll(ctx.Client);
        ctx.Client.Flags &= ~ClientFlags.DirtyCas;
        ctx.Reply.Ok();
    }
}
