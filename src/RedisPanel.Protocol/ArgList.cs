namespace RedisPanel.Protocol;

/// <summary>
/// The arguments of one command (argument 0 is the command name). A view over a <see cref="CommandBatch"/>
/// or over owned arrays (queued MULTI commands, replayed AOF); spans are valid until the batch is cleared.
/// </summary>
public sealed class ArgList
{
    private CommandBatch? _batch;
    private int _first;
    private byte[][]? _owned;

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            return _owned is not null ? _owned[index] : _batch!.Arg(_first + index);
        }
    }

    public void Reset(CommandBatch batch, int first, int count)
    {
        _batch = batch;
        _owned = null;
        _first = first;
        Count = count;
    }

    public void Reset(byte[][] args)
    {
        _batch = null;
        _owned = args;
        Count = args.Length;
    }

    /// <summary>A copy of argument <paramref name="index"/> that outlives the batch.</summary>
    public byte[] ToArray(int index) => this[index].ToArray();

    /// <summary>Copies every argument, e.g. to queue the command inside MULTI.</summary>
    public byte[][] ToArrays()
    {
        var result = new byte[Count][];
        for (int i = 0; i < Count; i++) result[i] = this[i].ToArray();
        return result;
    }

    /// <summary>True when argument <paramref name="index"/> equals the ASCII word, ignoring case.</summary>
    public bool Is(int index, string word)
    {
        var a = this[index];
        if (a.Length != word.Length) return false;
        for (int i = 0; i < a.Length; i++)
        {
            int c = a[i];
            if (c >= 'A' && c <= 'Z') c += 32;
            int w = word[i];
            if (w >= 'A' && w <= 'Z') w += 32;
            if (c != w) return false;
        }
        return true;
    }

    /// <summary>
    /// Argument as text, for errors, logs and the few commands that take words. Latin-1 maps every byte to one
    /// char and back, so a string made here and written with RespWriter echoes the client's exact bytes (Redis
    /// echoes raw bytes in its error replies).
    /// </summary>
    public string GetString(int index) => System.Text.Encoding.Latin1.GetString(this[index]);
}
