namespace RedisPanel.Engine;

/// <summary>The handler of one command. Runs inside the node's ordering lock; writes its reply to ctx.Reply.</summary>
public delegate void CommandHandler(CommandContext ctx);

/// <summary>
/// One entry of the command table: what the dispatcher validates (arity, flags), what COMMAND reports and
/// what the propagator decides from. Arity follows Redis: N means exactly N arguments including the name,
/// -N means at least N. Key positions are 1-based argument indexes (last -1 = last argument).
/// </summary>
public sealed class CommandDef
{
    public required string Name { get; init; }
    public required int Arity { get; init; }
    public required CommandFlags Flags { get; init; }
    public CommandHandler? Handler { get; init; }
    public int FirstKey { get; init; }
    public int LastKey { get; init; }
    public int KeyStep { get; init; }
    /// <summary>Redis's command group (string, generic, server, connection, ...).</summary>
    public string Group { get; init; } = "generic";

    /// <summary>The container (CONFIG for CONFIG GET) or null.</summary>
    public CommandDef? Parent { get; internal set; }

    /// <summary>Subcommands of a container command, by lower-case name.</summary>
    public Dictionary<string, CommandDef>? Subcommands { get; internal set; }

    /// <summary>"get", or "config|get" for a subcommand (as Redis names it in errors and COMMAND).</summary>
    public string FullName => Parent is null ? Name : $"{Parent.Name}|{Name}";

    public bool IsWrite => (Flags & CommandFlags.Write) != 0;

    // Per-command statistics (INFO commandstats); updated under the node lock.
    public long Calls;
    public long Microseconds;
    public long RejectedCalls;
    public long FailedCalls;

    public bool ArityOk(int argc) => Arity >= 0 ? argc == Arity : argc >= -Arity;

    /// <summary>Key argument indexes of a call, from FirstKey/LastKey/KeyStep.</summary>
    public IEnumerable<int> KeyIndexes(int argc)
    {
        if (FirstKey <= 0) yield break;
        int last = LastKey < 0 ? argc + LastKey : LastKey;
        for (int i = FirstKey; i <= last && i < argc; i += Math.Max(1, KeyStep)) yield return i;
    }
}
