// Connection family: PING, ECHO, QUIT, SELECT ... (Redis's "connection" group).
namespace RedisPanel.Engine.Commands;

public static class ConnectionCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "connection";
        t.Add("ping", -1, CommandFlags.Fast | CommandFlags.Stale | CommandFlags.Loading | CommandFlags.PubSubContext, Ping, group: g);
        t.Add("echo", 2, CommandFlags.Fast | CommandFlags.Stale | CommandFlags.Loading, Echo, group: g);
        t.Add("quit", -1, CommandFlags.NoAuth | CommandFlags.Fast | CommandFlags.Stale | CommandFlags.Loading | CommandFlags.NoQueue | CommandFlags.PubSubContext, Quit, group: g);
        t.Add("select", 2, CommandFlags.Fast | CommandFlags.Stale | CommandFlags.Loading, Select, group: g);
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

    private static void Select(CommandContext ctx)
    {
        if (!ctx.TryGetLong(1, out long index, "ERR value is not an integer or out of range")) return;
        if (index < 0 || index >= ctx.Keyspace.DatabaseCount)
        {
            ctx.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }
        ctx.Client.Db = (int)index;
        ctx.Reply.Ok();
    }
}
