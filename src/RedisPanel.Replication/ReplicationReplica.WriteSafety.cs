// Replica-side write safety (Redis 7.0 processCommand and syncWithMaster): replica-serve-stale-data no, where
// commands without the "stale" flag (CMD_STALE) get -MASTERDOWN while the link is not up (EXEC too when a queued
// command lacks it; the flags are read from Redis 7.0.15's captured command table, so the allowed set is Redis's:
// INFO, REPLICAOF, ROLE, CONFIG, CLIENT, ECHO, SELECT, TIME ...; not PING, DBSIZE, PSYNC), and the failover target's
// answer to PSYNC ... FAILOVER.
using System.Text.Json;
using RedisPanel.Engine;
using RedisPanel.Engine.Commands;

namespace RedisPanel.Replication;

public sealed partial class ReplicationReplica
{
    /// <summary>The master side of this node (FAILOVER state for REPLICAOF's refusal).</summary>
    internal ReplicationMaster Master => _master;

    // Looked up only while the refusal can apply (link down, serve-stale-data no), then remembered.
    private readonly Dictionary<CommandDef, bool> _staleFlag = new(ReferenceEqualityComparer.Instance);

    /// <summary>-MASTERDOWN when the link is not up, replica-serve-stale-data is no and the command may not run stale.</summary>
    private string? StaleRefusal(ClientSession client, CommandDef def)
    {
        if (State == MasterLinkState.Connected || _engine.Config.ReplicaServeStaleData || client.Has(ClientFlags.Master))
            return null;
        if (!AllowedStale(def)) return Errors.MasterDown;
        if (def.Name == "exec" && client.MultiQueue is { } queue)
        {
            foreach (var queued in queue)
            {
                var q = _engine.Table.Find(queued[0]);
                if (q?.Subcommands is not null && queued.Length > 1) q = CommandTable.FindSub(q, queued[1]) ?? q;
                if (q is not null && !AllowedStale(q)) return Errors.MasterDown;
            }
        }
        return null;
    }

    /// <summary>The command's CMD_STALE flag: Redis's declared flags, else (a command Redis lacks) our table's.</summary>
    internal bool AllowedStale(CommandDef def)
    {
        if (_staleFlag.TryGetValue(def, out bool allowed)) return allowed;
        allowed = CommandMetadata.Info(def) is { } info ? HasFlag(info[2], "stale") : (def.Flags & CommandFlags.Stale) != 0;
        _staleFlag[def] = allowed;
        return allowed;
    }

    private static bool HasFlag(JsonElement flags, string name)
    {
        // The capture is a typed RESP3 tree: a set ("~") of simple strings ("+").
        if (flags.ValueKind != JsonValueKind.Object || !flags.TryGetProperty("~", out var set)) return false;
        foreach (var f in set.EnumerateArray())
            if (f.TryGetProperty("+", out var s) && s.GetString() == name) return true;
        return false;
    }

    /// <summary>
    /// The failover target's answer to PSYNC ... FAILOVER: anything but +CONTINUE or +FULLRESYNC aborts the failover,
    /// which turns this node back into a master; false then. An accepted answer is completed by the caller once it
    /// took effect (OnFailoverPsyncReply(true)), as syncWithMaster does after slaveTryPartialResynchronization.
    /// </summary>
    private bool FailoverAnswered(string reply, CancellationToken ct)
    {
        bool accepted = reply.StartsWith("+CONTINUE", StringComparison.Ordinal) || reply.StartsWith("+FULLRESYNC", StringComparison.Ordinal);
        if (accepted) return !ct.IsCancellationRequested;
        lock (_engine.SyncRoot)
        {
            if (!ct.IsCancellationRequested) _master.OnFailoverPsyncReply(false);
        }
        return false;
    }
}
