// CLIENT and its subcommands (Redis 7.0.15 src/networking.c clientCommand). Subcommands are table entries, so
// arity errors name them ('client|id') and unknown ones ("CLIENT SETINFO", added in 7.2) get
// "ERR unknown subcommand 'SETINFO'. Try CLIENT HELP." from the dispatcher, exactly as 7.0.15 replies.
// Not implemented (answered as unknown subcommands): TRACKING, CACHING, GETREDIR, TRACKINGINFO, REPLY.
// UNBLOCK serves the engine's BlockingRegistry (lists/sorted sets).
using System.Text;

namespace RedisPanel.Engine.Commands;

public static class ClientCommands
{
    public static void Register(CommandTable t)
    {
        var client = t.AddContainer("client", -2, CommandFlags.None, "connection");
        const CommandFlags basic = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
        const CommandFlags admin = basic | CommandFlags.Admin;
        t.AddSub(client, "id", 2, basic, ctx => ctx.Reply.Integer(ctx.Client.Id));
        t.AddSub(client, "info", 2, basic, Info);
        t.AddSub(client, "list", -2, admin, List);
        t.AddSub(client, "setname", 3, basic, SetName);
        t.AddSub(client, "getname", 2, basic, GetName);
        t.AddSub(client, "kill", -3, admin, Kill);
        t.AddSub(client, "pause", -3, admin, Pause);
        t.AddSub(client, "unpause", 2, admin, Unpause);
        t.AddSub(client, "no-evict", 3, admin, NoEvict);
        t.AddSub(client, "unblock", -3, admin, Unblock);
        t.AddSub(client, "help", 2, CommandFlags.Loading | CommandFlags.Stale, Help);
    }

    private static readonly string[] HelpLines =
    [
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
    ];

    /// <summary>CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when the client was blocked on keys and is now released.</summary>
    private static void Unblock(CommandContext ctx)
    {
        var a = ctx.Args;
        if (a.Count > 4)
        {
            ctx.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{a.GetString(1)}'. Try CLIENT HELP.");
            return;
        }
        bool error = false;
        if (a.Count == 4)
        {
            if (a.Is(3, "error")) error = true;
            else if (!a.Is(3, "timeout"))
            {
                ctx.Reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        if (!ctx.TryGetLong(2, out long id)) return;
        bool done = ctx.Engine.Clients.TryGetValue(id, out var target) && target.Has(ClientFlags.Blocked)
            && ctx.Engine.Blocking.TryUnblock(target, error);
        ctx.Reply.Integer(done ? 1 : 0);
    }

    private static void Help(CommandContext ctx) => ServerCommands.ReplyHelp(ctx, HelpLines);

    /// <summary>Redis's getClientType: MASTER, then REPLICA (not MONITOR), then PUBSUB, else NORMAL.</summary>
    private enum ClientType { Normal, Replica, PubSub, Master }

    private static ClientType TypeOf(ClientSession c) =>
        c.Has(ClientFlags.Master) ? ClientType.Master
        : c.Has(ClientFlags.Replica) && !c.Has(ClientFlags.Monitor) ? ClientType.Replica
        : c.Has(ClientFlags.PubSub) ? ClientType.PubSub
        : ClientType.Normal;

    private static ClientType? ParseType(CommandContext ctx, int index)
    {
        var a = ctx.Args;
        if (a.Is(index, "normal")) return ClientType.Normal;
        if (a.Is(index, "slave") || a.Is(index, "replica")) return ClientType.Replica;
        if (a.Is(index, "pubsub")) return ClientType.PubSub;
        if (a.Is(index, "master")) return ClientType.Master;
        ctx.Reply.Error($"ERR Unknown client type '{a.GetString(index)}'");
        return null;
    }

    private static void Info(CommandContext ctx)
    {
        var sb = new StringBuilder(300);
        AppendClientLine(sb, ctx, ctx.Client);
        ctx.Reply.Verbatim(sb.ToString());
    }

    private static void List(CommandContext ctx)
    {
        var a = ctx.Args;
        var sb = new StringBuilder(300 * ctx.Engine.Clients.Count);
        if (a.Count == 4 && a.Is(2, "type"))
        {
            if (ParseType(ctx, 3) is not { } type) return;
            foreach (var c in ClientsInOrder(ctx))
                if (TypeOf(c) == type) AppendClientLine(sb, ctx, c);
        }
        else if (a.Count > 3 && a.Is(2, "id"))
        {
            for (int j = 3; j < a.Count; j++)
            {
                if (!ctx.TryGetLong(j, out long id, "ERR Invalid client ID")) return;
                if (ctx.Engine.Clients.TryGetValue(id, out var c)) AppendClientLine(sb, ctx, c);
            }
        }
        else if (a.Count != 2)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        else
        {
            foreach (var c in ClientsInOrder(ctx)) AppendClientLine(sb, ctx, c);
        }
        ctx.Reply.Verbatim(sb.ToString());
    }

    /// <summary>Redis lists clients in connection order; ids grow with it.</summary>
    private static IEnumerable<ClientSession> ClientsInOrder(CommandContext ctx) => ctx.Engine.Clients.Values.OrderBy(c => c.Id);

    /// <summary>
    /// One line of CLIENT LIST / CLIENT INFO in 7.0.15's field order. Values we do not model the way Redis does
    /// are given honest stand-ins: fd is not a socket descriptor here (we print the id-derived slot Redis would
    /// not), qbuf-free/rbs/rbp/omem/tot-mem describe our buffers, argv-mem is the running command's argument bytes.
    /// </summary>
    internal static void AppendClientLine(StringBuilder sb, CommandContext ctx, ClientSession c)
    {
        long nowSec = ctx.NowMs / 1000;
        bool current = c == ctx.Client;
        long argvMem = 0;
        if (current)
            for (int i = 0; i < ctx.Args.Count; i++) argvMem += ctx.Args[i].Length;
        long multiMem = 0;
        if (c.MultiQueue is { } q)
            foreach (var cmd in q)
                foreach (var arg in cmd) multiMem += arg.Length;
        int pending = c.PendingOutput;
        sb.Append("id=").Append(c.Id)
          .Append(" addr=").Append(c.Address)
          .Append(" laddr=").Append(c.LocalAddress)
          .Append(" fd=").Append(c.Has(ClientFlags.Internal) ? -1 : 7 + c.Id)
          .Append(" name=").Append(c.Name)
          .Append(" age=").Append(nowSec - c.CreatedMs / 1000)
          .Append(" idle=").Append(nowSec - c.LastInteractionMs / 1000)
          .Append(" flags=").Append(c.FlagString())
          .Append(" db=").Append(c.Db)
          .Append(" sub=").Append(ctx.Engine.SubscriptionCounts?.Invoke(c).Channels ?? 0)
          .Append(" psub=").Append(ctx.Engine.SubscriptionCounts?.Invoke(c).Patterns ?? 0)
          .Append(" ssub=0")
          .Append(" multi=").Append(c.MultiQueue?.Count ?? -1)
          .Append(" qbuf=").Append(c.QueryBufferBytes)
          .Append(" qbuf-free=0")
          .Append(" argv-mem=").Append(argvMem)
          .Append(" multi-mem=").Append(multiMem)
          .Append(" rbs=").Append(1024)
          .Append(" rbp=").Append(Math.Min(pending, 1024))
          .Append(" obl=").Append(Math.Min(pending, 16384))
          .Append(" oll=0")
          .Append(" omem=").Append(pending > 16384 ? pending - 16384 : 0)
          .Append(" tot-mem=").Append(1024 + pending + c.QueryBufferBytes + argvMem + multiMem)
          .Append(" events=r")
          .Append(" cmd=").Append(current ? ctx.Command.FullName : c.LastCommand) // Redis sets lastcmd before the call
          .Append(" user=").Append(c.User)
          .Append(" redir=-1")
          .Append(" resp=").Append(c.Writer.Protocol)
          .Append('\n');
    }

    /// <summary>Redis's clientSetNameOrReply: printable ASCII without spaces; an empty name clears it.</summary>
    internal static bool TrySetName(CommandContext ctx, ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            if (b < '!' || b > '~')
            {
                ctx.Reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
                return false;
            }
        }
        ctx.Client.Name = Encoding.ASCII.GetString(name);
        return true;
    }

    private static void SetName(CommandContext ctx)
    {
        if (TrySetName(ctx, ctx.Args[2])) ctx.Reply.Ok();
    }

    private static void GetName(CommandContext ctx)
    {
        if (ctx.Client.Name.Length == 0) ctx.Reply.Null();
        else ctx.Reply.Bulk(ctx.Client.Name);
    }

    private static void Kill(CommandContext ctx)
    {
        var a = ctx.Args;
        string? addr = null, laddr = null, user = null;
        ClientType? type = null;
        long id = 0;
        bool skipme = true;
        if (a.Count == 3)
        {
            addr = a.GetString(2);
            skipme = false; // with the old form a client can kill itself
        }
        else
        {
            for (int i = 2; i < a.Count; i += 2)
            {
                bool more = a.Count > i + 1;
                if (a.Is(i, "id") && more)
                {
                    if (!ctx.TryGetLong(i + 1, 1, long.MaxValue, out id, "ERR client-id should be greater than 0")) return;
                }
                else if (a.Is(i, "type") && more)
                {
                    if (ParseType(ctx, i + 1) is not { } t) return;
                    type = t;
                }
                else if (a.Is(i, "addr") && more) addr = a.GetString(i + 1);
                else if (a.Is(i, "laddr") && more) laddr = a.GetString(i + 1);
                else if (a.Is(i, "user") && more)
                {
                    // Only the "default" user exists until ACL lands.
                    user = a.GetString(i + 1);
                    if (user != "default")
                    {
                        ctx.Reply.Error($"ERR No such user '{user}'");
                        return;
                    }
                }
                else if (a.Is(i, "skipme") && more)
                {
                    if (a.Is(i + 1, "yes")) skipme = true;
                    else if (a.Is(i + 1, "no")) skipme = false;
                    else
                    {
                        ctx.Reply.Error(Errors.Syntax);
                        return;
                    }
                }
                else
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }
            }
        }
        long killed = 0;
        bool closeSelf = false;
        foreach (var c in ClientsInOrder(ctx).ToList())
        {
            if (addr is not null && c.Address != addr) continue;
            if (laddr is not null && c.LocalAddress != laddr) continue;
            if (type is { } t && TypeOf(c) != t) continue;
            if (id != 0 && c.Id != id) continue;
            if (user is not null && c.User != user) continue;
            if (c == ctx.Client && skipme) continue;
            if (c == ctx.Client) closeSelf = true;
            else c.RequestClose();
            killed++;
        }
        if (a.Count == 3)
        {
            if (killed == 0) ctx.Reply.Error("ERR No such client");
            else ctx.Reply.Ok();
        }
        else ctx.Reply.Integer(killed);
        // The killer's own connection closes after its reply, as CLIENT_CLOSE_AFTER_REPLY does.
        if (closeSelf) ctx.Client.Flags |= ClientFlags.CloseAfterReply;
    }

    private static void Pause(CommandContext ctx)
    {
        var a = ctx.Args;
        if (a.Count > 4)
        {
            ctx.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{a.GetString(1)}'. Try CLIENT HELP.");
            return;
        }
        var kind = PauseKind.All;
        if (a.Count == 4)
        {
            if (a.Is(3, "write")) kind = PauseKind.Write;
            else if (!a.Is(3, "all"))
            {
                ctx.Reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }
        if (!ctx.TryGetLong(2, out long ms, "ERR timeout is not an integer or out of range")) return;
        if (ms < 0)
        {
            ctx.Reply.Error(Errors.TimeoutNegative);
            return;
        }
        // getTimeoutFromObjectOrReply: 0 stays 0 (an end already in the past), else now + timeout.
        long end = ms > 0 ? ctx.NowMs + ms : 0;
        ctx.Engine.PauseClients(end, kind);
        ctx.Reply.Ok();
    }

    private static void Unpause(CommandContext ctx)
    {
        ctx.Engine.UnpauseClients();
        ctx.Reply.Ok();
    }

    private static void NoEvict(CommandContext ctx)
    {
        if (ctx.Args.Is(2, "on")) ctx.Client.Flags |= ClientFlags.NoEvict;
        else if (ctx.Args.Is(2, "off")) ctx.Client.Flags &= ~ClientFlags.NoEvict;
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        ctx.Reply.Ok();
    }
}
