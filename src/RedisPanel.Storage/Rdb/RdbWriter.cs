// Writes Redis's RDB format, version 10 as Redis 7.0 does (rdbSaveRio in src/rdb.c): magic, AUX fields,
// SELECTDB + RESIZEDB per non-empty db, key entries, EOF and the CRC-64 trailer. Values use encodings every
// 7.0 loads and re-encodes on its own: strings (integer-encoded or LZF where Redis would), plain lists (1),
// intsets (11) or plain sets (2), binary-double zsets (5), plain hashes (4).
// Writing a snapshot allocates nothing per key (only the writer's own buffers grow): BGSAVE runs beside the node,
// and every byte it allocates brings the next garbage collection closer; that collection stops every thread of the
// node, and after a bulk load it has to promote tens of MB of young keys (a 150 ms pause at 1M keys). So values are
// read through allocation-free walks (KeyTable.NextEntry, the packed forms' readers) rather than iterators, and the
// intset blob is assembled in a reused buffer.
using System.Buffers.Binary;
using System.Buffers.Text;

namespace RedisPanel.Storage.Rdb;

/// <summary>What the AUX header carries besides the version (Redis's rdbSaveInfo plus the process facts).</summary>
public sealed record RdbSaveInfo
{
    public long CtimeSeconds { get; init; }
    public long UsedMemory { get; init; }
    /// <summary>Replication fields are written only when set (as Redis writes them only with an rsi).</summary>
    public int? ReplStreamDb { get; init; }
    public string ReplId { get; init; } = new('0', 40);
    public long ReplOffset { get; init; }
    public bool AofBase { get; init; }
}

/// <summary>
/// A forward-only RDB writer over a stream. Keeps the running CRC of everything written. Not thread-safe;
/// values must not change while written (the caller writes from a snapshot).
/// </summary>
public sealed class RdbWriter
{
    private readonly Stream _out;
    private readonly byte[] _buf = new byte[64 * 1024];
    private int _n;
    private ulong _crc;
    private byte[] _scratch = new byte[256];
    private byte[] _blob = new byte[256];   // an intset blob being assembled
    private int[] _offsets = new int[128];  // entry offsets of a packed zset, to write it from the highest score

    /// <param name="compress">rdbcompression: LZF for strings longer than 20 bytes when it saves at least 4 bytes.</param>
    public RdbWriter(Stream output, bool compress = true)
    {
        _out = output;
        Compress = compress;
    }

    public bool Compress { get; }

    /// <summary>Bytes written so far (including buffered ones).</summary>
    public long Position { get; private set; }

    /// <summary>The magic "REDIS0010" only (golden tests; a real file follows it with AUX fields).</summary>
    public void WriteMagic() => WriteRaw("REDIS0010"u8);

    /// <summary>Magic plus the AUX fields Redis 7.0 writes, in its order.</summary>
    public void WriteHeader(RdbSaveInfo info, string redisVersion = "7.0.15")
    {
        WriteMagic();
        WriteAux("redis-ver", redisVersion);
        WriteAux("redis-bits", "64");
        WriteAux("ctime", info.CtimeSeconds.ToString());
        WriteAux("used-mem", info.UsedMemory.ToString());
        if (info.ReplStreamDb is int db)
        {
            WriteAux("repl-stream-db", db.ToString());
            WriteAux("repl-id", info.ReplId);
            WriteAux("repl-offset", info.ReplOffset.ToString());
        }
        WriteAux("aof-base", info.AofBase ? "1" : "0");
    }

    public void WriteAux(string key, string value)
    {
        WriteByte(RdbFormat.OpAux);
        WriteString(System.Text.Encoding.UTF8.GetBytes(key));
        WriteString(System.Text.Encoding.UTF8.GetBytes(value));
    }

    public void WriteSelectDb(int db)
    {
        WriteByte(RdbFormat.OpSelectDb);
        WriteLength((ulong)db);
    }

    public void WriteResizeDb(long size, long expires)
    {
        WriteByte(RdbFormat.OpResizeDb);
        WriteLength((ulong)size);
        WriteLength((ulong)expires);
    }

    /// <summary>One key entry: optional EXPIRETIME_MS, the type byte, the key and the value.</summary>
    public void WriteKey(ReadOnlySpan<byte> key, object value, long expireAtMs)
    {
        if (expireAtMs >= 0)
        {
            WriteByte(RdbFormat.OpExpireTimeMs);
            Span<byte> ms = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(ms, expireAtMs);
            WriteRaw(ms);
        }
        WriteByte(TypeOf(value));
        WriteString(key);
        WriteValue(value);
    }

    /// <summary>Every db of a snapshot: SELECTDB, RESIZEDB and its keys (empty dbs are skipped, as Redis does).</summary>
    public void WriteDatabases(KeyspaceSnapshot snapshot)
    {
        for (int i = 0; i < snapshot.DatabaseCount; i++)
        {
            var (main, expires) = snapshot[i];
            if (main.Count == 0) continue;
            WriteSelectDb(i);
            WriteResizeDb(main.Count, expires.Count);
            int index = 0;
            while (main.NextEntry(ref index, out var key, out var slot))
            {
                long at = -1;
                if (expires.Count != 0 && expires.TryGetValue(key, out long e)) at = e;
                var value = slot.Value;
                // Redis never writes empty collections; a handler that left one behind must not poison the file.
                if (value is RedisCollection { Count: 0 }) continue;
                WriteKey(key, value, at);
                snapshot.KeysWritten++;
            }
        }
    }

    /// <summary>EOF opcode and the CRC-64 (or 8 zero bytes when <paramref name="checksum"/> is off, as rdbchecksum no).</summary>
    public void WriteEnd(bool checksum = true)
    {
        WriteByte(RdbFormat.OpEof);
        Span<byte> crc = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, checksum ? FlushAndGetCrc() : 0);
        WriteRaw(crc);
        Flush();
    }

    /// <summary>Pushes buffered bytes to the stream and returns the CRC-64 of everything written so far.</summary>
    public ulong FlushAndGetCrc()
    {
        Spill();
        return _crc;
    }

    public void Flush()
    {
        if (_n > 0)
        {
            _crc = Crc64.Update(_crc, _buf.AsSpan(0, _n));
            _out.Write(_buf, 0, _n);
            _n = 0;
        }
        _out.Flush();
    }

    /// <summary>The RDB type byte this writer uses for a value.</summary>
    public static byte TypeOf(object value) => value switch
    {
        byte[] or MutableString => RdbFormat.TypeString,
        RedisList => RdbFormat.TypeList,
        RedisSet s => s.IsIntset ? RdbFormat.TypeSetIntset : RdbFormat.TypeSet,
        RedisSortedSet => RdbFormat.TypeZset2,
        RedisHash => RdbFormat.TypeHash,
        _ => throw new NotSupportedException($"cannot serialize a {value.GetType().Name}"),
    };

    /// <summary>The value's payload (after its type byte).</summary>
    public void WriteValue(object value)
    {
        switch (value)
        {
            case byte[] b:
                WriteString(b);
                break;
            case MutableString m:
                WriteString(m.Span);
                break;
            case RedisList list:
            {
                WriteLength((ulong)list.Length);
                int cursor = 0;
                while (list.Next(ref cursor, out var element)) WriteString(element);
                break;
            }
            case RedisSet set when set.IsIntset:
                WriteIntset(set);
                break;
            case RedisSet set:
            {
                WriteLength((ulong)set.Count);
                int i = 0;
                if (set.Table is { } table)
                    while (table.NextEntry(ref i, out var member, out _)) WriteString(member);
                else
                    while (set.NextPacked(ref i, out var member)) WriteString(member);
                break;
            }
            case RedisSortedSet zset:
                // Highest score first, as rdbSaveObject walks the skiplist from the tail (cheap head inserts on load).
                WriteLength((ulong)zset.Count);
                if (zset.Packed is { IsSet: true } packed) WritePackedZset(packed);
                else
                {
                    for (var n = zset.Last; n is not null; n = n.Previous) WriteZsetEntry(n.Member, n.Score);
                }
                break;
            case RedisHash hash:
            {
                WriteLength((ulong)hash.Count);
                if (hash.Table is { } table)
                {
                    int i = 0;
                    while (table.NextEntry(ref i, out var f, out var v))
                    {
                        WriteString(f);
                        WriteString(v);
                    }
                }
                else
                {
                    int pos = 0;
                    while (hash.NextPacked(ref pos, out var f, out var v))
                    {
                        WriteString(f);
                        WriteString(v);
                    }
                }
                break;
            }
            default:
                throw new NotSupportedException($"cannot serialize a {value.GetType().Name}");
        }
    }

    private void WriteIntset(RedisSet set)
    {
        // Redis's intset blob: u32 encoding (bytes per element), u32 count, sorted little-endian integers. Built in
        // a reused buffer, since the blob as a whole goes through WriteString (LZF past 20 bytes, as Redis).
        var ints = set.IntMembers;
        long min = ints.IsEmpty ? 0 : Math.Min(0, ints[0]), max = ints.IsEmpty ? 0 : Math.Max(0, ints[^1]);
        int width = min >= short.MinValue && max <= short.MaxValue ? 2 : min >= int.MinValue && max <= int.MaxValue ? 4 : 8;
        int size = 8 + width * ints.Length;
        if (_blob.Length < size) _blob = new byte[Math.Max(size, _blob.Length * 2)];
        var blob = _blob.AsSpan(0, size);
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)width);
        BinaryPrimitives.WriteUInt32LittleEndian(blob[4..], (uint)ints.Length);
        int p = 8;
        foreach (long v in ints)
        {
            switch (width)
            {
                case 2: BinaryPrimitives.WriteInt16LittleEndian(blob[p..], (short)v); break;
                case 4: BinaryPrimitives.WriteInt32LittleEndian(blob[p..], (int)v); break;
                default: BinaryPrimitives.WriteInt64LittleEndian(blob[p..], v); break;
            }
            p += width;
        }
        WriteString(blob);
    }

    /// <summary>A packed zset from its highest score down: one forward pass records where each entry starts.</summary>
    private void WritePackedZset(RedisSortedSet.PackedEntries packed)
    {
        int count = 0, pos = 0;
        while (true)
        {
            if (count == _offsets.Length) Array.Resize(ref _offsets, count * 2);
            _offsets[count] = pos;
            if (!packed.Next(ref pos, out _, out _)) break;
            count++;
        }
        for (int i = count - 1; i >= 0; i--)
        {
            pos = _offsets[i];
            packed.Next(ref pos, out var member, out double score);
            WriteZsetEntry(member, score);
        }
    }

    private void WriteZsetEntry(ReadOnlySpan<byte> member, double score)
    {
        WriteString(member);
        Span<byte> d = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(d, score);
        WriteRaw(d);
    }

    /// <summary>Redis's rdbSaveRawString: integer encoding for short canonical 32-bit integers, then LZF, then raw.</summary>
    public void WriteString(ReadOnlySpan<byte> s)
    {
        if (s.Length <= 11 && s.Length > 0 && TryIntegerEncode(s)) return;
        if (Compress && s.Length > 20 && TryLzf(s)) return;
        WriteLength((ulong)s.Length);
        WriteRaw(s);
    }

    private bool TryIntegerEncode(ReadOnlySpan<byte> s)
    {
        if (!StringValue.IsCanonicalInteger(s) || !Utf8Parser.TryParse(s, out long v, out _)) return false;
        if (v >= sbyte.MinValue && v <= sbyte.MaxValue)
        {
            WriteByte(0xC0 | RdbFormat.EncInt8);
            WriteByte((byte)(sbyte)v);
        }
        else if (v >= short.MinValue && v <= short.MaxValue)
        {
            WriteByte(0xC0 | RdbFormat.EncInt16);
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16LittleEndian(b, (short)v);
            WriteRaw(b);
        }
        else if (v >= int.MinValue && v <= int.MaxValue)
        {
            WriteByte(0xC0 | RdbFormat.EncInt32);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            WriteRaw(b);
        }
        else return false;
        return true;
    }

    private bool TryLzf(ReadOnlySpan<byte> s)
    {
        // rdbSaveLzfStringObject: the output may use at most len-4 bytes, else the string is stored raw.
        int limit = s.Length - 4;
        if (_scratch.Length < limit) _scratch = new byte[Math.Max(limit, _scratch.Length * 2)];
        int n = Lzf.Compress(s, _scratch.AsSpan(0, limit));
        if (n == 0) return false;
        WriteByte(0xC0 | RdbFormat.EncLzf);
        WriteLength((ulong)n);
        WriteLength((ulong)s.Length);
        WriteRaw(_scratch.AsSpan(0, n));
        return true;
    }

    /// <summary>The shortest of Redis's length encodings (6-bit, 14-bit big-endian, 32-bit, 64-bit).</summary>
    public void WriteLength(ulong len)
    {
        if (len < 64) WriteByte((byte)len);
        else if (len < 16384)
        {
            WriteByte((byte)(0x40 | (len >> 8)));
            WriteByte((byte)len);
        }
        else if (len <= uint.MaxValue)
        {
            WriteByte(0x80);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)len);
            WriteRaw(b);
        }
        else
        {
            WriteByte(0x81);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(b, len);
            WriteRaw(b);
        }
    }

    public void WriteByte(byte b)
    {
        if (_n == _buf.Length) Spill();
        _buf[_n++] = b;
        Position++;
    }

    public void WriteRaw(ReadOnlySpan<byte> data)
    {
        Position += data.Length;
        while (data.Length > 0)
        {
            if (_n == _buf.Length) Spill();
            int k = Math.Min(data.Length, _buf.Length - _n);
            data[..k].CopyTo(_buf.AsSpan(_n));
            _n += k;
            data = data[k..];
        }
    }

    private void Spill()
    {
        _crc = Crc64.Update(_crc, _buf.AsSpan(0, _n));
        _out.Write(_buf, 0, _n);
        _n = 0;
    }

    /// <summary>
    /// Redis's DUMP payload: the value's type byte and payload, the RDB version as 2 LE bytes, then the CRC-64
    /// of all that, 8 LE bytes (src/cluster.c createDumpPayload).
    /// </summary>
    public static byte[] CreateDumpPayload(object value, bool compress = true)
    {
        var ms = new MemoryStream();
        var w = new RdbWriter(ms, compress);
        w.WriteByte(TypeOf(value));
        w.WriteValue(value);
        Span<byte> tail = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(tail, RdbFormat.Version);
        w.WriteRaw(tail);
        ulong crc = w.FlushAndGetCrc();
        Span<byte> c = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(c, crc);
        ms.Write(c);
        return ms.ToArray();
    }
}
