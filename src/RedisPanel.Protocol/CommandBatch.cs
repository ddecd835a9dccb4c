// A batch of commands parsed from one read of a connection. The argument bytes are copied into one arena,
// so a command's arguments are contiguous spans whatever the shape of the pipe's segments, and parsing a
// pipelined batch allocates nothing once the arena has grown to the connection's working size.
namespace RedisPanel.Protocol;

/// <summary>
/// Parsed commands of one read batch: argument bytes in an arena, (offset, length) per argument,
/// and the first-argument index and count of each command. Not thread-safe; owned by one connection.
/// </summary>
public sealed class CommandBatch
{
    private byte[] _arena = new byte[4096];
    private int _arenaUsed;
    private int[] _argOffset = new int[64];
    private int[] _argLength = new int[64];
    private int _argCount;
    private int[] _cmdFirst = new int[16];
    private int[] _cmdCount = new int[16];
    private int _commandCount;
    private int _openCommandFirst = -1;

    /// <summary>Number of complete commands in the batch.</summary>
    public int Count => _commandCount;

    /// <summary>Bytes of argument data held (used for the query buffer limit).</summary>
    public int ArenaBytes => _arenaUsed;

    public void Clear()
    {
        _arenaUsed = 0;
        _argCount = 0;
        _commandCount = 0;
        _openCommandFirst = -1;
        // Shrink an arena a single huge command blew up, so an idle connection does not keep it.
        if (_arena.Length > 1 << 20) _arena = new byte[4096];
    }

    /// <summary>Fills <paramref name="args"/> with the arguments of command <paramref name="index"/>.</summary>
    public void GetCommand(int index, ArgList args) => args.Reset(this, _cmdFirst[index], _cmdCount[index]);

    internal ReadOnlySpan<byte> Arg(int argIndex) => new(_arena, _argOffset[argIndex], _argLength[argIndex]);

    internal ReadOnlyMemory<byte> ArgMemory(int argIndex) => new(_arena, _argOffset[argIndex], _argLength[argIndex]);

    internal void BeginCommand()
    {
        _openCommandFirst = _argCount;
    }

    /// <summary>Reserves <paramref name="length"/> bytes for one argument and returns where to copy it.</summary>
    internal Span<byte> AddArg(int length)
    {
        if (_arenaUsed + length > _arena.Length)
        {
            int size = Math.Max(_arena.Length * 2, _arenaUsed + length);
            Array.Resize(ref _arena, size);
        }
        if (_argCount == _argOffset.Length)
        {
            Array.Resize(ref _argOffset, _argCount * 2);
            Array.Resize(ref _argLength, _argCount * 2);
        }
        _argOffset[_argCount] = _arenaUsed;
        _argLength[_argCount] = length;
        _argCount++;
        var span = new Span<byte>(_arena, _arenaUsed, length);
        _arenaUsed += length;
        return span;
    }

    internal void EndCommand()
    {
        if (_commandCount == _cmdFirst.Length)
        {
            Array.Resize(ref _cmdFirst, _commandCount * 2);
            Array.Resize(ref _cmdCount, _commandCount * 2);
        }
        _cmdFirst[_commandCount] = _openCommandFirst;
        _cmdCount[_commandCount] = _argCount - _openCommandFirst;
        _commandCount++;
        _openCommandFirst = -1;
    }

    /// <summary>Drops the arguments of a command that turned out to be incomplete.</summary>
    internal void AbortCommand(int argCountBefore, int arenaBefore)
    {
        _argCount = argCountBefore;
        _arenaUsed = arenaBefore;
        _openCommandFirst = -1;
    }

    internal int ArgCount => _argCount;
}
