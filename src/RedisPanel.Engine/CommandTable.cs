// The command table: every command is declared once here (through its family's Register method).
// The dispatcher validates from it, COMMAND answers from it, the propagator decides from it.
using System.Runtime.InteropServices;
using RedisPanel.Engine.Commands;

namespace RedisPanel.Engine;

public sealed class CommandTable
{
    private readonly Dictionary<string, CommandDef> _byName = new(StringComparer.Ordinal);
    private NameIndex? _index; // built on first lookup, dropped by Add

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
        _index = null;
        return def;
    }

    /// <summary>
    /// Removes a command so a higher layer can register its own (the registration hook: Replication replaces the
    /// engine's placeholder ROLE). Returns whether it existed.
    /// </summary>
    public bool Remove(string name)
    {
        _index = null;
        return _byName.Remove(name);
    }

    /// <summary>Declares a container command (CONFIG, CLIENT, OBJECT ...) whose subcommands are added with <see cref="AddSub"/>.
    /// <paramref name="handler"/> runs when the container is called without a subcommand (plain COMMAND).</summary>
    public CommandDef AddContainer(string name, int arity, CommandFlags flags, string group, CommandHandler? handler = null)
    {
        var def = new CommandDef { Name = name, Arity = arity, Flags = flags, Group = group, Handler = handler, Subcommands = new(StringComparer.Ordinal) };
        _byName.Add(name, def);
        _index = null;
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

    /// <summary>Case-insensitive lookup of a command by its name bytes; no allocation. Called for every command,
    /// so it hashes the bytes directly instead of widening them to chars for the string dictionary.</summary>
    public CommandDef? Find(ReadOnlySpan<byte> name) => (_index ??= new NameIndex(_byName)).Find(name);

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

    /// <summary>
    /// An open-addressing table from lower-case ASCII name bytes to commands (immutable once built). A name is
    /// folded to lower case while it is hashed, and compared with the stored lower-case bytes.
    /// </summary>
    private sealed class NameIndex
    {
        private readonly byte[]?[] _names;
        private readonly CommandDef?[] _defs;
        private readonly int _mask;

        public NameIndex(Dictionary<string, CommandDef> byName)
        {
            int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, byName.Count * 4));
            _names = new byte[size][];
            _defs = new CommandDef[size];
            _mask = size - 1;
            Span<byte> folded = stackalloc byte[MaxName];
            foreach (var (name, def) in byName)
            {
                byte[] bytes = System.Text.Encoding.ASCII.GetBytes(name.ToLowerInvariant());
                if (bytes.Length > MaxName) continue; // Find refuses such names anyway
                int i = Hash(bytes, folded) & _mask;
                while (_names[i] is not null) i = (i + 1) & _mask;
                _names[i] = bytes;
                _defs[i] = def;
            }
        }

        private const int MaxName = 64;

        public CommandDef? Find(ReadOnlySpan<byte> name)
        {
            if (name.Length is 0 or > MaxName) return null;
            Span<byte> folded = stackalloc byte[MaxName];
            int i = Hash(name, folded) & _mask;
            var lower = folded[..name.Length];
            while (true)
            {
                var candidate = _names[i];
                if (candidate is null) return null;
                if (lower.SequenceEqual(candidate)) return _defs[i];
                i = (i + 1) & _mask;
            }
        }

        /// <summary>Copies <paramref name="name"/> lower-cased (ASCII letters only, as Redis's strcasecmp) into
        /// <paramref name="folded"/> and returns an FNV-1a hash of the folded bytes.</summary>
        private static int Hash(ReadOnlySpan<byte> name, Span<byte> folded)
        {
            uint h = 2166136261;
            for (int i = 0; i < name.Length; i++)
            {
                uint c = name[i];
                if (c - 'A' <= 'Z' - 'A') c |= 0x20;
                folded[i] = (byte)c;
                h = (h ^ c) * 16777619;
            }
            return (int)h;
        }
    }
}
