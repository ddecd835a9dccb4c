using System.Buffers;

namespace RedisPanel.Protocol;

/// <summary>
/// A growable byte buffer that replies are written into. A connection's pump swaps it out and copies it to
/// the socket; writers and the swap are serialised by the owner (the node's ordering lock plus this object's
/// monitor for the swap). Length is the client's pending output, as Redis counts for output buffer limits.
/// </summary>
public sealed class ReplyBuffer : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _length;

    public ReplyBuffer(int initialSize = 1024) => _buffer = new byte[initialSize];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => new(_buffer, 0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => new(_buffer, 0, _length);

    public void Clear()
    {
        _length = 0;
        if (_buffer.Length > 1 << 20) _buffer = new byte[1024]; // do not keep a huge reply's buffer alive
    }

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        Ensure(data.Length);
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_buffer.Length - _length >= sizeHint) return;
        long size = Math.Max((long)_buffer.Length * 2, (long)_length + sizeHint);
        if (size > Array.MaxLength) size = Math.Max((long)_length + sizeHint, Array.MaxLength);
        Array.Resize(ref _buffer, (int)size);
    }
}
