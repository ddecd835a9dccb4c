// Server family: INFO, CONFIG, COMMAND, DBSIZE, FLUSHALL ... (Redis's "server" group).
namespace RedisPanel.Engine.Commands;

public static class ServerCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "server";
        t.Add("dbsize", 1, CommandFlags.ReadOnly | CommandFlags.Fast, ctx => ctx.Reply.Integer(ctx.Db.Count), group: g);
    }
}
