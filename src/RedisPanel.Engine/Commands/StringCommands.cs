// String family: GET, SET and variants (Redis's "string" group, src/t_string.c).
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static class StringCommands
{
    public static void Register(CommandTable t)
    {
        const string g = "string";
        t.Add("get", 2, CommandFlags.ReadOnly | CommandFlags.Fast, Get, (1, 1, 1), g);
        t.Add("set", -3, CommandFlags.Write | CommandFlags.DenyOom, Set, (1, 1, 1), g);
    }

    private static void Get(CommandContext ctx)
    {
        var value = ctx.Db.Get(ctx.Args[1]);
        if (value is null)
        {
            ctx.Engine.Stats.KeyspaceMisses++;
            ctx.Reply.Null();
            return;
        }
        ctx.Engine.Stats.KeyspaceHits++;
        if (!StringValue.IsString(value))
        {
            ctx.Reply.Error(Errors.WrongType);
            return;
        }
        ctx.Reply.Bulk(StringValue.AsSpan(value));
    }

    private static void Set(CommandContext ctx)
    {
        // Minimal form; options (EX PX NX XX KEEPTTL GET ...) come with the strings family.
        if (ctx.Args.Count != 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        ctx.Db.Set(ctx.Args[1], ctx.Args.ToArray(2));
        ctx.MarkDirty();
        ctx.Reply.Ok();
    }
}
