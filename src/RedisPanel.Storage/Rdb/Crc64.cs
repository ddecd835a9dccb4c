// CRC-64 as Redis computes it for RDB files and DUMP payloads (src/crc64.c): the "Jones" polynomial
// 0xad93d23594c935a9 in reflected form, reflected input/output, initial value 0, no final xor.
// Check value: Compute("123456789") = 0xe9c6d914c4b8d9ca. Slice-by-8 tables keep dumps of large datasets fast.
namespace RedisPanel.Storage.Rdb;

public static class Crc64
{
    private const ulong ReflectedPoly = 0x95ac9329ac4bc9b5UL;
    private static readonly ulong[][] Tables = BuildTables();

    private static ulong[][] BuildTables()
    {
        var t = new ulong[8][];
        for (int k = 0; k < 8; k++) t[k] = new ulong[256];
        for (int i = 0; i < 256; i++)
        {
            ulong c = (ulong)i;
            for (int j = 0; j < 8; j++) c = (c & 1) != 0 ? (c >> 1) ^ ReflectedPoly : c >> 1;
            t[0][i] = c;
        }
        for (int i = 0; i < 256; i++)
            for (int k = 1; k < 8; k++) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
        return t;
    }

    /// <summary>Continues a CRC over <paramref name="data"/> (start with 0).</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        var t0 = Tables[0]; var t1 = Tables[1]; var t2 = Tables[2]; var t3 = Tables[3];
        var t4 = Tables[4]; var t5 = Tables[5]; var t6 = Tables[6]; var t7 = Tables[7];
        int i = 0;
        while (data.Length - i >= 8)
        {
            crc ^= System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            crc = t7[crc & 0xff] ^ t6[(crc >> 8) & 0xff] ^ t5[(crc >> 16) & 0xff] ^ t4[(crc >> 24) & 0xff]
                ^ t3[(crc >> 32) & 0xff] ^ t2[(crc >> 40) & 0xff] ^ t1[(crc >> 48) & 0xff] ^ t0[crc >> 56];
            i += 8;
        }
        for (; i < data.Length; i++) crc = t0[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
        return crc;
    }

    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);
}
