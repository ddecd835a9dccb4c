// The replication family: SYNC, PSYNC, REPLCONF, ROLE, WAIT. Registered into a node's command table by the node
// (the Engine never references this project); the handlers close over the node's ReplicationMaster.
using RedisPanel.Engine;
using RedisPanel.Engine.Blocking;

namespace RedisPanel.Replication;

public static class ReplicationCommands
{
    /// <summary>Adds the replication commands to <paramref name="table"/>, replacing the engine's placeholder ROLE.</summary>
    public static void Register(CommandTable table, ReplicationMaster master, ReplicationReplica? replica = null)
    {
        const string g = "server";
        const CommandFlags syncFlags = CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.NoMulti | CommandFlags.NoPropagate;
        table.Add("sync", 1, syncFlags, ctx => Sync(ctx, master), group: g);
        table.Add("psync", -3, syncFlags, ctx => Psync(ctx, master), group: g);
        table.Add("replconf", -1, CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.AllowBusy,
            ctx => Replconf(ctx, master), group: g);
        table.Remove("role");
        table.Add("role", 1, CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast,
            ctx => master.WriteRole(ctx.Reply), group: g);
        if (replica is not null)
        {
            const CommandFlags f = CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Stale;
            table.Add("replicaof", 3, f, ctx => ReplicaOf(ctx, replica), group: g);
            table.Add("slaveof", 3, f, ctx => ReplicaOf(ctx, replica), group: g);
        }
        table.Add("wait", 3, CommandFlags.NoScript, ctx => Wait(ctx, master), group: "generic");
        table.Add("failover", -1, CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Stale, master.HandleFailover, group: g);
    }

    private static void Sync(CommandContext ctx, ReplicationMaster master)
    {
        if (ctx.Client.Has(ClientFlags.Replica)) return; // already a replica (or MONITOR): ignored, as in Redis
        master.HandleSync(ctx.Client, "?", -1, legacy: true);
    }

    private static void Psync(CommandContext ctx, ReplicationMaster master)
    {
        if (ctx.Client.Has(ClientFlags.Replica)) return;
        // PSYNC <replid> <offset> FAILOVER: the old master of a coordinated failover asks this replica to promote.
        if (ctx.Args.Count > 3 && ctx.Args.Is(3, "failover") && !master.AcceptFailoverRequest(ctx)) return;
        if (!ctx.TryGetLong(2, out long offset)) return;
        master.HandleSync(ctx.Client, ctx.Args.GetString(1), offset, legacy: false);
    }

    private static void Replconf(CommandContext ctx, ReplicationMaster master)
    {
        var a = ctx.Args;
        // Options come in pairs: an even argc is a syntax error.
        if (a.Count % 2 == 0)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        var announced = ReplicaAnnouncement.Of(ctx.Client);
        for (int j = 1; j < a.Count; j += 2)
        {
            if (a.Is(j, "listening-port"))
            {
                if (!ctx.TryGetLong(j + 1, out long port)) return;
                announced.ListeningPort = (int)port;
            }
            else if (a.Is(j, "ip-address"))
            {
                announced.Ip = a.GetString(j + 1);
            }
            else if (a.Is(j, "capa"))
            {
                // Unknown capabilities are ignored: newer replicas announce more.
                if (a.Is(j + 1, "psync2")) announced.Psync2 = true;
                else if (a.Is(j + 1, "eof")) announced.Eof = true;
            }
            else if (a.Is(j, "ack"))
            {
                // From a replica only, and never answered (REPLCONF ACK is the one thing a replica sends).
                if (!long.TryParse(a[j + 1], out long offset)) return;
                master.HandleAck(ctx.Client, offset);
                return;
            }
            else if (a.Is(j, "getack"))
            {
                return; // only meaningful on a replica with a master link; a master ignores it silently
            }
            else if (a.Is(j, "rdb-only"))
            {
                // REPLCONF rdb-only 0|1 (redis-cli --rdb): the snapshot only, no stream; closed after the transfer.
                if (!ctx.TryGetLong(j + 1, out long rdbOnly)) return;
                if (rdbOnly is not (0 or 1))
                {
                    ctx.Reply.Error("ERR value is out of range, value must between 0 and 1");
                    return;
                }
                announced.RdbOnly = rdbOnly == 1;
            }
            else if (a.Is(j, "rdb-filter-only"))
            {
                // Only "functions" (or nothing) can be asked for; a filtered snapshot carries no keys.
                string filter = a.GetString(j + 1);
                foreach (var f in filter.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!f.Equals("functions", StringComparison.OrdinalIgnoreCase))
                    {
                        ctx.Reply.Error("ERR Unsupported rdb-filter-only option: " + f);
                        return;
                    }
                }
                announced.RdbFilter = filter.ToLowerInvariant();
            }
            else
            {
                ctx.Reply.Error("ERR Unrecognized REPLCONF option: " + a.GetString(j));
                return;
            }
        }
        ctx.Reply.Ok();
    }

    private static void ReplicaOf(CommandContext ctx, ReplicationReplica replica)
    {
        if (replica.Master.FailoverState != FailoverState.NoFailover)
        {
            ctx.Reply.Error("ERR REPLICAOF not allowed while failing over.");
            return;
        }
        if (ctx.Client.Has(ClientFlags.Replica))
        {
            ctx.Reply.Error("ERR Command is not valid when client is a replica.");
            return;
        }
        if (ctx.Args.Is(1, "no") && ctx.Args.Is(2, "one"))
        {
            replica.NoOne();
            ctx.Reply.Ok();
            return;
        }
        if (!ctx.TryGetLong(2, 0, 65535, out long port, "ERR Invalid master port")) return;
        string host = ctx.Args.GetString(1);
        if (replica.MasterHost == host && replica.MasterPort == port)
        {
            ctx.Reply.SimpleString("OK Already connected to specified master");
            return;
        }
        replica.ReplicaOf(host, (int)port);
        ctx.Reply.Ok();
    }

    private static void Wait(CommandContext ctx, ReplicationMaster master)
    {
        if (ctx.Keyspace.IsReplica)
        {
            ctx.Reply.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
            return;
        }
        if (!ctx.TryGetLong(1, out long numReplicas)) return;
        if (!ctx.TryGetLong(2, out long timeout, "ERR timeout is not an integer or out of range")) return;
        if (timeout < 0)
        {
            ctx.Reply.Error("ERR timeout is negative");
            return;
        }
        master.HandleWait(ctx, numReplicas, timeout, BlockingRegistry.DenyBlocking(ctx));
    }

}
