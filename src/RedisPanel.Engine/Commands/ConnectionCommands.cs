// Connection family: PING, ECHO, QUIT, RESET, SELECT, AUTH, HELLO (Redis's "connection" group; src/server.c,
// src/networking.c, src/acl.c of 7.0.15). CLIENT lives in ClientCommands.cs.
using System.Text;

namespace RedisPanel.Engine.Commands;

public static class ConnectionCommands
{
    /// <summary>The version HELLO and INFO report: the Redis release whose behaviour we match.</summary>
    public const string RedisVersion = "7.0.15";

    private const CommandFlags Session = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast
        | CommandFlags.NoAuth | CommandFlags.AllowBusy;

    public static void Register(CommandTable t)
    {
        const string g = "connection";
        // PING has neither loading nor stale in 7.0: it gets -LOADING while a dataset loads.
        t.Add("ping", -1, CommandFlags.Fast | CommandFlags.PubSubContext, Ping, group: g);
        t.Add("echo", 2, CommandFlags.Fast | CommandFlags.Stale | CommandFlags.Loading, Echo, group: g);
        t.Add("quit", -1, Session | CommandFlags.NoQueue | CommandFlags.PubSubContext, Quit, group: g);
        t.Add("reset", 1, Session | CommandFlags.NoQueue | CommandFlags.PubSubContext, Reset, group: g);
        t.Add("select", 2, CommandFlags.Fast | CommandFlags.Stale | CommandFlags.Loading, Select, group: g);
        t.Add("auth", -2, Session, Auth, group: g);
        t.Add("hello", -1, Session, Hello, group: g);
        ClientCommands.Register(t);
    }

    private static void Ping(CommandContext ctx)
    {
        if (ctx.Args.Count > 2)
        {
            ctx.WrongArity();
            return;
        }
        if (ctx.Client.Has(ClientFlags.PubSub) && ctx.Reply.Protocol == 2)
        {
            // In RESP2 subscribed mode PING replies as a pub/sub message: ["pong", msg].
            ctx.Reply.ArrayHeader(2);
            ctx.Reply.Bulk("pong"u8);
            if (ctx.Args.Count == 2) ctx.Reply.Bulk(ctx.Args[1]);
            else ctx.Reply.Bulk(""u8);
            return;
        }
        if (ctx.Args.Count == 2) ctx.Reply.Bulk(ctx.Args[1]);
        else ctx.Reply.SimpleString("PONG"u8);
    }

    private static void Echo(CommandContext ctx) => ctx.Reply.Bulk(ctx.Args[1]);

    private static void Quit(CommandContext ctx)
    {
        ctx.Client.Flags |= ClientFlags.CloseAfterReply;
        ctx.Reply.Ok();
    }

    private static void Reset(CommandContext ctx)
    {
        var c = ctx.Client;
        if (c.Has(ClientFlags.Master) || (c.Has(ClientFlags.Replica) && !c.Has(ClientFlags.Monitor)))
        {
            ctx.Reply.Error("ERR can only reset normal client connections");
            return;
        }
        ctx.Engine.ResetClient(c);
        ctx.Reply.SimpleString("RESET"u8);
    }

    private static void Select(CommandContext ctx)
    {
        // getIntFromObjectOrReply: a valid long long outside int range has its own message.
        if (!RedisPanel.Protocol.RespParser.TryParseLong(ctx.Args[1], out long index))
        {
            ctx.Reply.Error(Errors.NotInteger);
            return;
        }
        if (index < int.MinValue || index > int.MaxValue)
        {
            ctx.Reply.Error(Errors.IntOutOfRange);
            return;
        }
        if (index < 0 || index >= ctx.Keyspace.DatabaseCount)
        {
            ctx.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }
        ctx.Client.Db = (int)index;
        ctx.Reply.Ok();
    }

    private static void Auth(CommandContext ctx)
    {
        if (ctx.Args.Count > 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        if (ctx.Args.Count == 2)
        {
            // The two-argument form keeps the pre-ACL error when the default user has no password.
            if (ctx.Engine.Config.RequirePass.Length == 0)
            {
                ctx.Reply.Error(Errors.AuthNotConfigured);
                return;
            }
            if (!TryAuthenticate(ctx, "default"u8, ctx.Args[1]))
            {
                ctx.Reply.Error(Errors.WrongPass);
                return;
            }
        }
        else if (!TryAuthenticate(ctx, ctx.Args[1], ctx.Args[2]))
        {
            ctx.Reply.Error(Errors.WrongPass);
            return;
        }
        ctx.Reply.Ok();
    }

    /// <summary>
    /// Redis's ACLAuthenticateUser with only the "default" user: it accepts any password while requirepass is
    /// empty (the user is "nopass"), else exactly requirepass. Success marks the client authenticated.
    /// </summary>
    internal static bool TryAuthenticate(CommandContext ctx, ReadOnlySpan<byte> user, ReadOnlySpan<byte> password)
    {
        if (!user.SequenceEqual("default"u8)) return false;
        string required = ctx.Engine.Config.RequirePass;
        if (required.Length != 0 && !password.SequenceEqual(Encoding.Latin1.GetBytes(required))) return false;
        ctx.Client.Authenticated = true;
        ctx.Client.User = "default";
        return true;
    }

    private static void Hello(CommandContext ctx)
    {
        var args = ctx.Args;
        long ver = 0;
        int next = 1;
        if (args.Count >= 2)
        {
            if (!ctx.TryGetLong(next++, out ver, "ERR Protocol version is not an integer or out of range")) return;
            if (ver < 2 || ver > 3)
            {
                ctx.Reply.Error("NOPROTO unsupported protocol version");
                return;
            }
        }
        for (int j = next; j < args.Count; j++)
        {
            int more = args.Count - 1 - j;
            if (args.Is(j, "auth") && more >= 2)
            {
                if (!TryAuthenticate(ctx, args[j + 1], args[j + 2]))
                {
                    ctx.Reply.Error(Errors.WrongPass);
                    return;
                }
                j += 2;
            }
            else if (args.Is(j, "setname") && more >= 1)
            {
                if (!ClientCommands.TrySetName(ctx, args[j + 1])) return;
                j++;
            }
            else
            {
                ctx.Reply.Error($"ERR Syntax error in HELLO option '{args.GetString(j)}'");
                return;
            }
        }
        if (!ctx.Client.Authenticated)
        {
            ctx.Reply.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }
        if (ver != 0) ctx.Reply.Protocol = (int)ver;
        var r = ctx.Reply;
        r.MapHeader(7);
        r.Bulk("server"u8);
        r.Bulk("redis"u8);
        r.Bulk("version"u8);
        r.Bulk(RedisVersion);
        r.Bulk("proto"u8);
        r.Integer(r.Protocol);
        r.Bulk("id"u8);
        r.Integer(ctx.Client.Id);
        r.Bulk("mode"u8);
        r.Bulk("standalone"u8);
        r.Bulk("role"u8);
        r.Bulk(ctx.Keyspace.IsReplica ? "replica"u8 : "master"u8);
        r.Bulk("modules"u8);
        r.ArrayHeader(0);
    }
}
