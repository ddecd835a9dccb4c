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

    /// <summary>
    /// Arguments at least this long are copied into the pinned object heap: a stored value usually lives long,
    /// and in the generational heap every surviving byte is copied twice (gen0 to gen1 to gen2), which made SET
    /// of 1 KB values spend a quarter of its time and 40+ ms pauses in the GC. The pinned heap is never compacted
    /// (a free-list, like Redis's allocator) and collected with gen2.
    /// </summary>
    public const int LongLivedThreshold = 512;

    /// <summary>A copy of argument <paramref name="index"/> that outlives the batch (a stored value, a queued command).</summary>
    public byte[] ToArray(int index)
    {
        var arg = this[index];
        if (arg.Length < LongLivedThreshold) return arg.ToArray();
        var copy = GC.AllocateUninitializedArray<byte>(arg.Length, pinned: true);
        arg.CopyTo(copy);
        return copy;
    }

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
