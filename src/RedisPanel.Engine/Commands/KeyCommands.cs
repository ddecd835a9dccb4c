// Generic key family: DEL, EXISTS, EXPIRE, SCAN ... (Redis's "generic" group, src/db.c, src/expire.c).
namespace RedisPanel.Engine.Commands;

public static class KeyCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("del", -2, CommandFlags.Write, Del, (1, -1, 1));
    }

    private static void Del(CommandContext ctx)
    {
        long n = 0;
        for (int i = 1; i < ctx.Args.Count; i++)
            if (ctx.Db.Remove(ctx.Args[i])) n++;
        ctx.MarkDirty(n);
        ctx.Reply.Integer(n);
    }
}
