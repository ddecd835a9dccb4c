// The length prefix of the packed forms of small hashes, sets and sorted sets (and a sorted set's integer scores):
// a little-endian base-128 varint, seven bits a byte with the high bit set on every byte but the last, so anything
// under 128 (every length the packed forms allow but a few) takes one byte, as a listpack's small-string header.
using System.Runtime.CompilerServices;

namespace RedisPanel.Storage;

/// <summary>Reads, writes and sizes the varints of the packed collection forms.</summary>
internal static class Varint
{
    /// <summary>Bytes <paramref name="value"/> takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Size(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="pos"/>; returns the position after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> buf, int pos, ulong value)
    {
        while (value >= 0x80)
        {
            buf[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buf[pos++] = (byte)value;
        return pos;
    }

    /// <summary>Reads the varint at <paramref name="pos"/> and moves <paramref name="pos"/> past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read(ReadOnlySpan<byte> buf, ref int pos)
    {
        ulong value = 0;
        int shift = 0;
        while (true)
        {
            byte b = buf[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
            shift += 7;
        }
    }
}
