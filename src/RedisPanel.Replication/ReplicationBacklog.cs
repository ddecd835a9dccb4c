namespace RedisPanel.Replication;

/// <summary>
/// The replication backlog: a byte ring holding the most recent <see cref="Size"/> bytes of the stream, addressed
/// by stream offset. The byte with offset o (1-based, as Redis counts) lives at index (o - 1) mod size, so the ring
/// needs no separate head. Not thread-safe: used under the node lock.
/// </summary>
public sealed class ReplicationBacklog
{
    /// <summary>Redis clamps repl-backlog-size to at least 16 KB (CONFIG_REPL_BACKLOG_MIN_SIZE).</summary>
    public const long MinSize = 16 * 1024;

    private readonly byte[] _ring;

    /// <summary>Creates an empty backlog whose next byte will have offset <paramref name="offset"/> + 1.</summary>
    /// <param name="size">Capacity in bytes (clamped to ≥ <see cref="MinSize"/>).</param>
    /// <param name="offset">master_repl_offset at creation.</param>
    public ReplicationBacklog(long size, long offset)
    {
        Size = Math.Max(MinSize, size);
        if (Size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(size));
        _ring = new byte[Size];
        Offset = offset;
    }

    /// <summary>Capacity (repl_backlog_size).</summary>
    public long Size { get; }

    /// <summary>Offset of the last byte appended (master_repl_offset).</summary>
    public long Offset { get; private set; }

    /// <summary>Bytes held (repl_backlog_histlen), at most <see cref="Size"/>.</summary>
    public long HistLen { get; private set; }

    /// <summary>Offset of the oldest byte held (repl_backlog_first_byte_offset); Offset+1 when empty.</summary>
    public long FirstByteOffset => Offset - HistLen + 1;

    /// <summary>Appends stream bytes, dropping the oldest when full.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        long size = Size;
        // Only the last `size` bytes can survive.
        var tail = data.Length > size ? data[^(int)size..] : data;
        int index = (int)((Offset + data.Length - tail.Length) % size);
        int first = Math.Min(tail.Length, (int)(size - index));
        tail[..first].CopyTo(_ring.AsSpan(index));
        tail[first..].CopyTo(_ring);
        Offset += data.Length;
        HistLen = Math.Min(size, HistLen + data.Length);
    }

    /// <summary>Whether bytes from <paramref name="from"/> to the end are all held (from ≤ Offset+1 means "maybe none").</summary>
    public bool Contains(long from) => from >= FirstByteOffset && from <= Offset + 1;

    /// <summary>Copies the bytes from offset <paramref name="from"/> to the end; false when they are not all held.</summary>
    public bool TryCopyFrom(long from, out byte[] data)
    {
        if (!Contains(from))
        {
            data = [];
            return false;
        }
        long count = Offset + 1 - from;
        data = new byte[count];
        if (count == 0) return true;
        int index = (int)((from - 1) % Size);
        int first = (int)Math.Min(count, Size - index);
        _ring.AsSpan(index, first).CopyTo(data);
        _ring.AsSpan(0, (int)(count - first)).CopyTo(data.AsSpan(first));
        return true;
    }
}
