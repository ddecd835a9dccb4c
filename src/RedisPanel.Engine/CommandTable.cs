// The command table: every command is declared once here (through its family's Register method).
// The dispatcher validates from it, COMMAND answers from it, the propagator decides from it.
using System.Runtime.InteropServices;
using RedisPanel.Engine.Commands;

namespace RedisPanel.Engine;

public sealed class CommandTable
{
    private readonly Dictionary<string, CommandDef> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CommandDef>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CommandTable() => _lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The table with every command family this node implements.</summary>
    public static CommandTable CreateDefault()
    {
        var t = new CommandTable();
        ConnectionCommands.Register(t);
        StringCommands.Register(t);
        KeyCommands.Register(t);
        ServerCommands.Register(t);
        ConfigCommands.Register(t);
        ListCommands.Register(t);
        HashCommands.Register(t);
        SetCommands.Register(t);
        SortedSetCommands.Register(t);
        BitmapCommands.Register(t);
        TransactionCommands.Register(t);
        PubSubCommands.Register(t);
        PersistenceCommands.Register(t);
        return t;
    }

    public IReadOnlyCollection<CommandDef> All => _byName.Values;

    public int Count => _byName.Count;

    /// <summary>Declares a command. <paramref name="keys"/> is (first, last, step); (0,0,0) for keyless commands.</summary>
    public CommandDef Add(string name, int arity, CommandFlags flags, CommandHandler handler,
        (int First, int Last, int Step) keys = default, string group = "generic")
    {
        var def = new CommandDef
        {
            Name = name, Arity = arity, Flags = flags, Handler = handler,
            FirstKey = keys.First, LastKey = keys.Last, KeyStep = keys.Step, Group = group,
        };
        _byName.Add(name, def);
        return def;
    }

    /// <summary>Declares a container command (CONFIG, CLIENT, OBJECT ...) whose subcommands are added with <see cref="AddSub"/>.
    /// <paramref name="handler"/> runs when the container is called without a subcommand (plain COMMAND).</summary>
    public CommandDef AddContainer(string name, int arity, CommandFlags flags, string group, CommandHandler? handler = null)
    {
        var def = new CommandDef { Name = name, Arity = arity, Flags = flags, Group = group, Handler = handler, Subcommands = new(StringComparer.Ordinal) };
        _byName.Add(name, def);
        return def;
    }

    public CommandDef AddSub(CommandDef container, string name, int arity, CommandFlags flags, CommandHandler handler,
        (int First, int Last, int Step) keys = default)
    {
        var def = new CommandDef
        {
            Name = name, Arity = arity, Flags = flags, Handler = handler, Parent = container,
            FirstKey = keys.First, LastKey = keys.Last, KeyStep = keys.Step, Group = container.Group,
        };
        container.Subcommands!.Add(name, def);
        return def;
    }

    /// <summary>Case-insensitive lookup of a command by its name bytes; no allocation.</summary>
    public CommandDef? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length is 0 or > 64) return null;
        Span<char> lower = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            int c = name[i];
            if (c >= 'A' && c <= 'Z') c += 32;
            lower[i] = (char)c;
        }
        return _lookup.TryGetValue(lower, out var def) ? def : null;
    }

    public CommandDef? Find(string name) => _byName.TryGetValue(name.ToLowerInvariant(), out var d) ? d : null;

    /// <summary>A subcommand of a container, case-insensitive.</summary>
    public static CommandDef? FindSub(CommandDef container, ReadOnlySpan<byte> name)
    {
        if (container.Subcommands is null || name.Length is 0 or > 64) return null;
        Span<char> lower = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            int c = name[i];
            if (c >= 'A' && c <= 'Z') c += 32;
            lower[i] = (char)c;
        }
        return container.Subcommands.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(lower, out var d) ? d : null;
    }
}
