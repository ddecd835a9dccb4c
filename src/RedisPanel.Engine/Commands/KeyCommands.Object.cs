// OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP (Redis's objectCommand in src/object.c).
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class KeyCommands
{
    /// <summary>Redis's OBJ_SHARED_REFCOUNT: the refcount of shared integer objects (0..9999).</summary>
    private const long SharedRefCount = int.MaxValue;

    /// <summary>Redis's LFU_INIT_VAL, the counter a new key starts with under an LFU policy.</summary>
    private const long LfuInitVal = 5;

    private static void RegisterObject(CommandTable t)
    {
        var obj = t.AddContainer("object", -2, CommandFlags.None, "generic");
        t.AddSub(obj, "encoding", 3, CommandFlags.ReadOnly, ObjectEncoding, (2, 2, 1));
        t.AddSub(obj, "refcount", 3, CommandFlags.ReadOnly, ObjectRefCount, (2, 2, 1));
        t.AddSub(obj, "idletime", 3, CommandFlags.ReadOnly, ObjectIdleTime, (2, 2, 1));
        t.AddSub(obj, "freq", 3, CommandFlags.ReadOnly, ObjectFreq, (2, 2, 1));
        t.AddSub(obj, "help", 2, CommandFlags.Loading | CommandFlags.Stale, ObjectHelp);
    }

    private static bool IsLfuPolicy(CommandContext ctx) =>
        ctx.Engine.Config.MaxMemoryPolicy.Contains("lfu", StringComparison.OrdinalIgnoreCase);

    private static bool IsLruOrLfuPolicy(CommandContext ctx) =>
        ctx.Engine.Config.MaxMemoryPolicy.Contains("lfu", StringComparison.OrdinalIgnoreCase)
        || ctx.Engine.Config.MaxMemoryPolicy.Contains("lru", StringComparison.OrdinalIgnoreCase);

    private static void ObjectEncoding(CommandContext ctx)
    {
        var value = ctx.LookupReadNoTouch(ctx.Args[2]);
        if (value is null) ctx.Reply.Null();
        else ctx.Reply.Bulk(ValueTypes.EncodingOf(value));
    }

    private static void ObjectRefCount(CommandContext ctx)
    {
        var value = ctx.LookupReadNoTouch(ctx.Args[2]);
        if (value is null)
        {
            ctx.Reply.Null();
            return;
        }
        // Integers 0..9999 are Redis's shared objects unless maxmemory with an LRU/LFU policy disables sharing.
        bool shared = value is byte[] b && b.Length <= 4 && StringValue.Encoding(b) == "int" && b[0] != (byte)'-'
            && !(ctx.Engine.Config.MaxMemory != 0 && IsLruOrLfuPolicy(ctx));
        ctx.Reply.Integer(shared ? SharedRefCount : 1);
    }

    private static void ObjectIdleTime(CommandContext ctx)
    {
        var key = ctx.Args[2];
        if (ctx.LookupReadNoTouch(key) is null)
        {
            ctx.Reply.Null();
            return;
        }
        if (IsLfuPolicy(ctx))
        {
            ctx.Reply.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        ctx.Db.TryGetAccessClock(key, out uint clock);
        ctx.Reply.Integer(RedisDatabase.IdleSeconds(ctx.Keyspace.LruClock, clock));
    }

    private static void ObjectFreq(CommandContext ctx)
    {
        if (ctx.LookupReadNoTouch(ctx.Args[2]) is null)
        {
            ctx.Reply.Null();
            return;
        }
        if (!IsLfuPolicy(ctx))
        {
            ctx.Reply.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        // Access frequencies are not tracked yet: report the counter a key starts with.
        ctx.Reply.Integer(LfuInitVal);
    }

    private static readonly string[] HelpLines =
    [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];

    private static void ObjectHelp(CommandContext ctx)
    {
        ctx.Reply.ArrayHeader(HelpLines.Length);
        foreach (var line in HelpLines) ctx.Reply.SimpleString(line);
    }
}
