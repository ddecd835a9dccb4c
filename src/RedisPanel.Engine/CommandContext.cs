// What a handler sees: the arguments, the reply writer, the client, the engine, and the propagation controls.
// One instance per engine, reused for every call (handlers run one at a time under the node lock).
using System.Buffers.Text;
using System.Globalization;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine;

public sealed class CommandContext
{
    internal CommandContext(RedisEngine engine) => Engine = engine;

    public RedisEngine Engine { get; }
    public ClientSession Client { get; internal set; } = null!;
    public ArgList Args { get; internal set; } = null!;
    public CommandDef Command { get; internal set; } = null!;

    public RespWriter Reply => Client.Writer;
    public Keyspace Keyspace => Engine.Keyspace;
    public RedisDatabase Db => Engine.Keyspace[Client.Db];
    public long NowMs => Engine.Keyspace.NowMs;

    // ---- propagation controls (see RedisEngine.Propagate) ----
    internal List<(int Db, byte[][] Args)>? Rewrites;
    internal bool PropagationSuppressed;

    /// <summary>Propagate these arguments instead of the original command (Redis's rewriteClientCommandVector).
    /// Several calls propagate several commands, in order, in the client's current db.</summary>
    public void PropagateAs(params byte[][] args) => (Rewrites ??= new()).Add((Client.Db, args));

    /// <summary>Propagate a command in a given database (used by MOVE, SWAPDB-like rewrites).</summary>
    public void PropagateAs(int db, params byte[][] args) => (Rewrites ??= new()).Add((db, args));

    /// <summary>Do not propagate this call even though it changed the dataset.</summary>
    public void SuppressPropagation() => PropagationSuppressed = true;

    /// <summary>Counts changes (Redis's server.dirty): a write command propagates only when it made some.</summary>
    public void MarkDirty(long changes = 1) => Engine.Dirty += changes;

    /// <summary>Reports an in-place modification of a key (Redis's signalModifiedKey): WATCH sees it.</summary>
    public void SignalModified(ReadOnlySpan<byte> key) => Db.SignalModified(key);

    // ---- argument parsing with Redis's error replies ----

    /// <summary>Parses argument <paramref name="index"/> as a 64-bit integer; on failure replies the error.</summary>
    public bool TryGetLong(int index, out long value, string error = Errors.NotInteger)
    {
        if (RespParser.TryParseLong(Args[index], out value)) return true;
        Reply.Error(error);
        return false;
    }

    /// <summary>Parses an integer argument that must lie in [min, max].</summary>
    public bool TryGetLong(int index, long min, long max, out long value, string error)
    {
        if (RespParser.TryParseLong(Args[index], out value) && value >= min && value <= max) return true;
        Reply.Error(error);
        return false;
    }

    /// <summary>Parses argument <paramref name="index"/> as a double (Redis's strtod rules: inf allowed, nan not).</summary>
    public bool TryGetDouble(int index, out double value, string error = Errors.NotFloat)
    {
        if (TryParseDouble(Args[index], out value)) return true;
        Reply.Error(error);
        return false;
    }

    /// <summary>Redis's string2d: no leading space, no trailing garbage, "inf"/"-inf" accepted, NaN refused.</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 5000 || IsSpace(s[0]) || IsSpace(s[^1])) return false;
        if (Utf8Parser.TryParse(s, out value, out int consumed) && consumed == s.Length) return !double.IsNaN(value);
        // Utf8Parser is strict about forms C's strtod accepts ("inf", "+.5", "1e5" variants): fall back.
        Span<char> chars = stackalloc char[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] > 127) return false;
            chars[i] = (char)s[i];
        }
        if (!double.TryParse(chars, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            string lower = new string(chars).ToLowerInvariant();
            value = lower switch
            {
                "inf" or "+inf" or "infinity" or "+infinity" => double.PositiveInfinity,
                "-inf" or "-infinity" => double.NegativeInfinity,
                _ => double.NaN,
            };
        }
        return !double.IsNaN(value);
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    /// <summary>Replies the arity error for the current command.</summary>
    public void WrongArity() => Reply.Error(Errors.WrongArity(Command.FullName));
}
