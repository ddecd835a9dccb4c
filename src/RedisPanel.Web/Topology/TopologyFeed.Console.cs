// The console: one command line split with redis-cli's quoting rules (sdssplitargs, the same splitter as the
// nodes' inline commands), run on the node over RESP2, and printed as redis-cli prints it. In read-only mode the
// node's own command table (COMMAND INFO) decides: write, admin, dangerous, may-replicate commands and scripts
// that are not the _RO variants are refused.
using System.Collections.Concurrent;
using System.Text;
using RedisPanel.Protocol;
using RedisPanel.Web.Remote;

namespace RedisPanel.Web.Topology;

public sealed partial class TopologyFeed
{
    private static readonly TimeSpan ConsoleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Commands that turn the connection into a push stream, which a request/reply console cannot show.</summary>
    private static readonly HashSet<string> StreamingCommands = new(StringComparer.OrdinalIgnoreCase)
        { "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "SYNC", "PSYNC" };

    /// <summary>One console connection per node, kept so SELECT, MULTI ... last from one line to the next.</summary>
    private readonly ConcurrentDictionary<string, RemoteConnection> _consoles = new(StringComparer.Ordinal);

    public async Task<ConsoleReply> ExecuteAsync(string name, string commandLine, CancellationToken ct = default)
    {
        var args = InlineSplitter.Split(Encoding.UTF8.GetBytes(commandLine));
        // redis-cli's own words for unbalanced quotes.
        if (args is null) return new ConsoleReply(true, "Invalid argument(s)");
        if (args.Count == 0) return new ConsoleReply(false, "");
        string command = Encoding.UTF8.GetString(args[0]);
        if (StreamingCommands.Contains(command))
            return new ConsoleReply(true, $"(error) {command.ToUpperInvariant()} streams replies: use redis-cli for it");
        if (await TargetAsync(name) is not { } target) return new ConsoleReply(true, $"(error) no node named '{name}'");
        if (!target.IsRunning) return new ConsoleReply(true, $"(error) {name} is not running");
        try
        {
            var conn = await ConsoleConnectionAsync(target, ct);
            if (IsReadOnly && await RefusalAsync(conn, args, ct) is { } refusal) return new ConsoleReply(true, refusal);
            var reply = await conn.CommandAsync(args, ConsoleTimeout, ct);
            return new ConsoleReply(reply.IsError, ConsoleFormatter.Format(reply));
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ActionFailedException)
        {
            if (_consoles.TryRemove(name, out var broken)) await broken.DisposeAsync();
            // redis-cli's wording when the server went away.
            return new ConsoleReply(true, $"Error: {ex.Message}");
        }
    }

    private async Task<RemoteConnection> ConsoleConnectionAsync(Target t, CancellationToken ct)
    {
        if (_consoles.TryGetValue(t.Name, out var conn))
        {
            // A restarted node has a new port, or the old connection broke: dial again.
            if (!conn.IsBroken && conn.Port == t.Port) return conn;
            _consoles.TryRemove(t.Name, out _);
            await conn.DisposeAsync();
        }
        conn = await OpenAsync(t, ct);
        if (!_consoles.TryAdd(t.Name, conn))
        {
            await conn.DisposeAsync();
            return _consoles[t.Name];
        }
        return conn;
    }

    /// <summary>
    /// Null when the command only reads; else why the read-only dashboard refuses it. Asks the node (COMMAND INFO,
    /// the subcommand's entry for a container such as CONFIG), so an external server's own table decides.
    /// </summary>
    private static async Task<string?> RefusalAsync(RemoteConnection conn, List<byte[]> args, CancellationToken ct)
    {
        string command = Encoding.UTF8.GetString(args[0]).ToLowerInvariant();
        var info = await conn.CommandAsync([Encoding.UTF8.GetBytes("COMMAND"), "INFO"u8.ToArray(), args[0]], ConsoleTimeout, ct);
        // An unknown command (nil entry) is left to the server, which answers its own error.
        if (info.Kind != RespReplyKind.Array || info.Items.Count == 0 || info.Items[0].Kind != RespReplyKind.Array) return null;
        var entry = info.Items[0];
        string shown = command.ToUpperInvariant();
        if (args.Count > 1 && entry.Items.Count > 9 && entry.Items[9].Items.Count > 0)
        {
            string sub = $"{command}|{Encoding.UTF8.GetString(args[1]).ToLowerInvariant()}";
            var match = entry.Items[9].Items.FirstOrDefault(s => s.Items.Count > 0 && s.Items[0].Text.Equals(sub, StringComparison.OrdinalIgnoreCase));
            if (match is null) return null; // unknown subcommand: the server answers its own error
            entry = match;
            shown = $"{command.ToUpperInvariant()} {Encoding.UTF8.GetString(args[1]).ToUpperInvariant()}";
        }
        var flags = entry.Items.Count > 2 ? entry.Items[2].Items.Select(f => f.Text).ToHashSet(StringComparer.OrdinalIgnoreCase) : [];
        var categories = entry.Items.Count > 6 ? entry.Items[6].Items.Select(f => f.Text).ToHashSet(StringComparer.OrdinalIgnoreCase) : [];
        bool refused = flags.Contains("write") || flags.Contains("admin") || flags.Contains("may_replicate")
            || categories.Contains("@write") || categories.Contains("@admin") || categories.Contains("@dangerous")
            // A script may write whatever its flags say (EVAL has no write flag); only the _RO variants are read-only.
            || (categories.Contains("@scripting") && !flags.Contains("readonly"));
        return refused ? $"(error) {ReadOnlyMessage}: {shown} is not a read-only command" : null;
    }
}
