// Decoders for the compact blobs Redis stores inside RDB strings: listpack (7.0+), ziplist (3.2–6.2),
// intset and zipmap (≤ 2.4). Each yields the elements as byte strings (integers as their decimal text,
// which is how Redis hands them out). Malformed input throws FormatException with the position.
using System.Buffers.Binary;
using System.Buffers.Text;

namespace RedisPanel.Storage.Rdb;

public static class CompactEncodings
{
    /// <summary>The elements of a listpack (lpFirst/lpNext/lpGet in src/listpack.c).</summary>
    public static List<byte[]> Listpack(ReadOnlySpan<byte> lp)
    {
        if (lp.Length < 7) throw new FormatException("listpack shorter than its header");
        uint total = BinaryPrimitives.ReadUInt32LittleEndian(lp);
        if (total != lp.Length) throw new FormatException($"listpack header says {total} bytes, blob has {lp.Length}");
        int declared = BinaryPrimitives.ReadUInt16LittleEndian(lp[4..]);
        var items = new List<byte[]>(declared == 65535 ? 16 : declared);
        int p = 6;
        while (true)
        {
            if (p >= lp.Length) throw new FormatException("listpack without its end byte");
            byte b = lp[p];
            if (b == 0xFF) break;
            int start = p;
            byte[] item;
            if ((b & 0x80) == 0) { item = Int(b & 0x7f); p += 1; }
            else if ((b & 0xC0) == 0x80) { int len = b & 0x3f; item = Str(lp, p + 1, len); p += 1 + len; }
            else if ((b & 0xE0) == 0xC0)
            {
                Need(lp, p, 2);
                int v = ((b & 0x1f) << 8) | lp[p + 1];
                if (v >= 1 << 12) v -= 1 << 13;
                item = Int(v);
                p += 2;
            }
            else if ((b & 0xF0) == 0xE0)
            {
                Need(lp, p, 2);
                int len = ((b & 0x0f) << 8) | lp[p + 1];
                item = Str(lp, p + 2, len);
                p += 2 + len;
            }
            else if (b == 0xF0)
            {
                Need(lp, p, 5);
                int len = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(lp[(p + 1)..]));
                item = Str(lp, p + 5, len);
                p += 5 + len;
            }
            else if (b == 0xF1) { Need(lp, p, 3); item = Int(BinaryPrimitives.ReadInt16LittleEndian(lp[(p + 1)..])); p += 3; }
            else if (b == 0xF2)
            {
                Need(lp, p, 4);
                int v = lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16);
                if ((v & 0x800000) != 0) v -= 1 << 24;
                item = Int(v);
                p += 4;
            }
            else if (b == 0xF3) { Need(lp, p, 5); item = Int(BinaryPrimitives.ReadInt32LittleEndian(lp[(p + 1)..])); p += 5; }
            else if (b == 0xF4) { Need(lp, p, 9); item = Int(BinaryPrimitives.ReadInt64LittleEndian(lp[(p + 1)..])); p += 9; }
            else throw new FormatException($"listpack entry with unknown encoding 0x{b:x2} at {p}");
            int entry = p - start;
            p += entry <= 127 ? 1 : entry < 16383 ? 2 : entry < 2097151 ? 3 : entry < 268435455 ? 4 : 5; // backlen
            items.Add(item);
        }
        if (declared != 65535 && declared != items.Count)
            throw new FormatException($"listpack header says {declared} entries, found {items.Count}");
        return items;
    }

    /// <summary>The elements of a ziplist (src/ziplist.c, RDBs of Redis 3.2–6.2).</summary>
    public static List<byte[]> Ziplist(ReadOnlySpan<byte> zl)
    {
        if (zl.Length < 11) throw new FormatException("ziplist shorter than its header");
        uint total = BinaryPrimitives.ReadUInt32LittleEndian(zl);
        if (total != zl.Length) throw new FormatException($"ziplist header says {total} bytes, blob has {zl.Length}");
        int declared = BinaryPrimitives.ReadUInt16LittleEndian(zl[8..]);
        var items = new List<byte[]>(declared == 65535 ? 16 : declared);
        int p = 10;
        while (true)
        {
            if (p >= zl.Length) throw new FormatException("ziplist without its end byte");
            if (zl[p] == 0xFF) break;
            p += zl[p] < 254 ? 1 : 5; // prevlen
            Need(zl, p, 1);
            byte enc = zl[p];
            switch (enc >> 6)
            {
                case 0: { int len = enc & 0x3f; items.Add(Str(zl, p + 1, len)); p += 1 + len; continue; }
                case 1: { Need(zl, p, 2); int len = ((enc & 0x3f) << 8) | zl[p + 1]; items.Add(Str(zl, p + 2, len)); p += 2 + len; continue; }
                case 2: { Need(zl, p, 5); int len = checked((int)BinaryPrimitives.ReadUInt32BigEndian(zl[(p + 1)..])); items.Add(Str(zl, p + 5, len)); p += 5 + len; continue; }
            }
            switch (enc)
            {
                case 0xC0: Need(zl, p, 3); items.Add(Int(BinaryPrimitives.ReadInt16LittleEndian(zl[(p + 1)..]))); p += 3; break;
                case 0xD0: Need(zl, p, 5); items.Add(Int(BinaryPrimitives.ReadInt32LittleEndian(zl[(p + 1)..]))); p += 5; break;
                case 0xE0: Need(zl, p, 9); items.Add(Int(BinaryPrimitives.ReadInt64LittleEndian(zl[(p + 1)..]))); p += 9; break;
                case 0xF0:
                {
                    Need(zl, p, 4);
                    int v = zl[p + 1] | (zl[p + 2] << 8) | (zl[p + 3] << 16);
                    if ((v & 0x800000) != 0) v -= 1 << 24;
                    items.Add(Int(v));
                    p += 4;
                    break;
                }
                case 0xFE: Need(zl, p, 2); items.Add(Int((sbyte)zl[p + 1])); p += 2; break;
                default:
                    if (enc is >= 0xF1 and <= 0xFD) { items.Add(Int((enc & 0x0f) - 1)); p += 1; break; }
                    throw new FormatException($"ziplist entry with unknown encoding 0x{enc:x2} at {p}");
            }
        }
        if (declared != 65535 && declared != items.Count)
            throw new FormatException($"ziplist header says {declared} entries, found {items.Count}");
        return items;
    }

    /// <summary>The members of an intset, ascending (src/intset.c).</summary>
    public static List<long> Intset(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 8) throw new FormatException("intset shorter than its header");
        uint width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8)) throw new FormatException($"intset with element size {width}");
        if (8 + (long)width * count != blob.Length) throw new FormatException($"intset of {count} x {width} bytes in a {blob.Length}-byte blob");
        var items = new List<long>((int)count);
        for (int i = 0; i < count; i++)
        {
            var e = blob[(8 + i * (int)width)..];
            long v = width == 2 ? BinaryPrimitives.ReadInt16LittleEndian(e) : width == 4 ? BinaryPrimitives.ReadInt32LittleEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e);
            if (items.Count > 0 && v <= items[^1]) throw new FormatException("intset not sorted or with duplicates");
            items.Add(v);
        }
        return items;
    }

    /// <summary>The field, value, field, value… of a zipmap (src/zipmap.c, hashes of Redis ≤ 2.4).</summary>
    public static List<byte[]> Zipmap(ReadOnlySpan<byte> zm)
    {
        var items = new List<byte[]>();
        int p = 1; // zmlen
        while (true)
        {
            Need(zm, p, 1);
            if (zm[p] == 0xFF) break;
            int klen = ZipmapLength(zm, ref p);
            items.Add(Str(zm, p, klen));
            p += klen;
            int vlen = ZipmapLength(zm, ref p);
            Need(zm, p, 1);
            int free = zm[p++];
            items.Add(Str(zm, p, vlen));
            p += vlen + free;
        }
        return items;
    }

    private static int ZipmapLength(ReadOnlySpan<byte> zm, ref int p)
    {
        Need(zm, p, 1);
        byte b = zm[p];
        if (b < 254) { p++; return b; }
        if (b == 254)
        {
            Need(zm, p, 5);
            int len = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(zm[(p + 1)..]));
            p += 5;
            return len;
        }
        throw new FormatException($"zipmap ends inside an entry at {p}");
    }

    private static void Need(ReadOnlySpan<byte> blob, int p, int n)
    {
        if (p < 0 || p + n > blob.Length) throw new FormatException($"entry at {p} runs past the end of the blob");
    }

    private static byte[] Str(ReadOnlySpan<byte> blob, int p, int len)
    {
        Need(blob, p, len);
        return blob.Slice(p, len).ToArray();
    }

    private static byte[] Int(long v)
    {
        Span<byte> buf = stackalloc byte[20];
        Utf8Formatter.TryFormat(v, buf, out int n);
        return buf[..n].ToArray();
    }
}
