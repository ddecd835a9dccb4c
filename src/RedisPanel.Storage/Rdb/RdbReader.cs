// Reads Redis RDB files (versions 1–12) and DUMP payloads (rdbLoadRio / rdbLoadObject in src/rdb.c): every
// length and string encoding (integer, LZF), every value encoding Redis 7.0 and older write (plain types,
// intset, ziplist, zipmap, listpack, quicklist 1 and 2, binary and text zset scores), AUX fields, expiries,
// LRU/LFU hints, function and module aux records (skipped with a warning). Streams and module values are
// refused with the key named. Errors carry the source name, the offset and what was expected.
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace RedisPanel.Storage.Rdb;

/// <summary>How a dataset is loaded.</summary>
public sealed class RdbLoadOptions
{
    /// <summary>Skip keys whose expiry is already past (a master loading at start-up, as Redis does).</summary>
    public bool SkipExpired { get; init; }
    /// <summary>"Now" in Unix ms for <see cref="SkipExpired"/>.</summary>
    public long NowMs { get; init; }
    /// <summary>rdbchecksum: verify the CRC-64 trailer (a stored 0 always means "not computed").</summary>
    public bool VerifyChecksum { get; init; } = true;
    public EncodingLimits Limits { get; init; } = new();
    /// <summary>Receives warnings (skipped records, empty keys), like Redis's LL_WARNING log lines.</summary>
    public Action<string>? Warning { get; init; }
}

/// <summary>What a load found besides the keys (the AUX fields Redis acts on, and counts for INFO).</summary>
public sealed class RdbLoadResult
{
    public int Version { get; set; }
    public string? RedisVersion { get; set; }
    public long? CtimeSeconds { get; set; }
    public int? ReplStreamDb { get; set; }
    public string? ReplId { get; set; }
    public long? ReplOffset { get; set; }
    public bool AofBase { get; set; }
    public long KeysLoaded { get; set; }
    public long KeysExpired { get; set; }

    /// <summary>
    /// The keys <see cref="RdbLoadOptions.SkipExpired"/> dropped, in load order: a master restarted from its dump
    /// feeds a DEL for each into its backlog (rdbLoad with RDBFLAGS_FEED_REPL), so continuing replicas drop them too.
    /// </summary>
    public List<(int Db, byte[] Key)> ExpiredKeys { get; } = new();
    public bool ChecksumVerified { get; set; }

    /// <summary>Offset just past the RDB (after the CRC): an old-style AOF continues with commands there.</summary>
    public int BytesRead { get; set; }
}

public sealed class RdbReader
{
    private readonly byte[] _data;
    private readonly string _source;
    private readonly int _end;
    private int _pos;
    private readonly EncodingLimits _limits;
    private string? _currentKey;

    private RdbReader(byte[] data, int length, string source, EncodingLimits limits)
    {
        _data = data;
        _end = length;
        _source = source;
        _limits = limits;
    }

    /// <summary>
    /// Loads a whole RDB file into <paramref name="target"/>, which should be a fresh keyspace: on an exception
    /// it holds a partial dataset and must be discarded (the caller swaps it in only on success).
    /// </summary>
    public static RdbLoadResult Load(byte[] data, string source, Keyspace target, RdbLoadOptions options)
        => new RdbReader(data, data.Length, source, options.Limits).LoadFile(target, options);

    /// <summary>
    /// Checks and decodes a DUMP payload (verifyDumpPayload + rdbLoadObject): null when the version or checksum is
    /// wrong (Redis's "ERR DUMP payload version or checksum are wrong"); throws on a malformed value.
    /// </summary>
    public static object? ReadDumpPayload(byte[] payload, EncodingLimits limits)
    {
        if (payload.Length < 10) return null;
        int footer = payload.Length - 10;
        int version = BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(footer));
        if (version > RdbFormat.Version) return null; // 7.0 refuses payloads of newer RDB versions
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(footer + 2));
        if (stored != 0 && Crc64.Compute(payload.AsSpan(0, footer + 2)) != stored) return null;
        var r = new RdbReader(payload, footer, "DUMP payload", limits);
        byte type = r.ReadByte("a value type");
        var value = r.ReadValue(type, "(restore)");
        if (r._pos != footer) throw r.Error($"{footer - r._pos} bytes left over after the value");
        return value;
    }

    private RdbLoadResult LoadFile(Keyspace target, RdbLoadOptions options)
    {
        var result = new RdbLoadResult();
        if (_end < 9 || !_data.AsSpan(0, 5).SequenceEqual("REDIS"u8))
            throw Error("not an RDB file: expected the magic \"REDIS\"");
        var digits = Encoding.ASCII.GetString(_data, 5, 4);
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 1)
            throw new RdbFormatException(_source, 5, $"bad RDB version field \"{digits}\"");
        if (version > RdbFormat.MaxReadVersion)
            throw new RdbFormatException(_source, 5, $"Can't handle RDB format version {version}");
        result.Version = version;
        _pos = 9;
        int db = 0;
        long expireAt = -1;
        while (true)
        {
            int opStart = _pos;
            byte type = ReadByte("an opcode or value type");
            switch (type)
            {
                case RdbFormat.OpExpireTime:
                    expireAt = BinaryPrimitives.ReadInt32LittleEndian(Take(4, "a 4-byte expire time")) * 1000L;
                    continue;
                case RdbFormat.OpExpireTimeMs:
                    expireAt = BinaryPrimitives.ReadInt64LittleEndian(Take(8, "an 8-byte expire time"));
                    continue;
                case RdbFormat.OpFreq:
                    ReadByte("an LFU counter");
                    continue;
                case RdbFormat.OpIdle:
                    ReadLength("an LRU idle time");
                    continue;
                case RdbFormat.OpEof:
                    break;
                case RdbFormat.OpSelectDb:
                {
                    ulong n = ReadLength("a db number");
                    if (n >= (ulong)target.DatabaseCount)
                        throw new RdbFormatException(_source, opStart, $"FATAL: Data file was created with a Redis server configured to handle more than {target.DatabaseCount} databases (SELECTDB {n})");
                    db = (int)n;
                    continue;
                }
                case RdbFormat.OpResizeDb:
                    ReadLength("a db size");
                    ReadLength("an expires size");
                    continue;
                case RdbFormat.OpSlotInfo:
                    ReadLength("a slot id");
                    ReadLength("a slot size");
                    ReadLength("a slot expires size");
                    continue;
                case RdbFormat.OpAux:
                    ReadAux(result);
                    continue;
                case RdbFormat.OpModuleAux:
                    SkipModuleAux(options);
                    continue;
                case RdbFormat.OpFunction2:
                {
                    var code = ReadString("a function library");
                    string head = Encoding.UTF8.GetString(code, 0, Math.Min(code.Length, 60)).Split('\n')[0];
                    options.Warning?.Invoke($"{_source}: skipped a function library ({head}): functions are not supported");
                    continue;
                }
                case RdbFormat.OpFunctionPreGa:
                    throw new RdbFormatException(_source, opStart, "pre-GA function records (RDB opcode 246, Redis 7.0 release candidates) are not supported");
                default:
                {
                    var key = ReadString("a key");
                    _currentKey = Encoding.UTF8.GetString(key);
                    var value = ReadValue(type, _currentKey);
                    _currentKey = null;
                    long at = expireAt;
                    expireAt = -1;
                    if (value is RedisCollection { Count: 0 })
                    {
                        // Redis skips empty keys with a warning ("rdbLoadObject skipping empty key").
                        options.Warning?.Invoke($"{_source}: empty key '{Encoding.UTF8.GetString(key)}' skipped");
                        continue;
                    }
                    if (options.SkipExpired && at != -1 && at < options.NowMs)
                    {
                        result.KeysExpired++;
                        result.ExpiredKeys.Add((db, key));
                        continue;
                    }
                    var database = target[db];
                    ref ValueSlot slot = ref database.Main.GetOrAdd(key, out bool exists, key);
                    if (exists) throw new RdbFormatException(_source, opStart, $"Duplicate key '{Encoding.UTF8.GetString(key)}' in db {db}");
                    slot.Value = value;
                    if (at != -1) database.Expires.Set(key, at, key);
                    result.KeysLoaded++;
                    continue;
                }
            }
            break;
        }
        if (version >= 5)
        {
            int crcAt = _pos;
            ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "the 8-byte CRC-64 trailer"));
            if (stored == 0) options.Warning?.Invoke($"{_source}: RDB file was saved with checksum disabled: no check performed.");
            else if (options.VerifyChecksum)
            {
                ulong actual = Crc64.Compute(_data.AsSpan(0, crcAt));
                if (actual != stored)
                    throw new RdbFormatException(_source, crcAt, $"Wrong RDB checksum expected: ({stored:x16}) got: ({actual:x16})");
                result.ChecksumVerified = true;
            }
        }
        result.BytesRead = _pos;
        return result;
    }

    private void ReadAux(RdbLoadResult result)
    {
        var k = Encoding.UTF8.GetString(ReadString("an AUX key"));
        var v = ReadString("an AUX value");
        string text = Encoding.UTF8.GetString(v);
        // Unknown fields are skipped, as Redis does; '%'-prefixed ones are informational only.
        switch (k)
        {
            case "redis-ver": result.RedisVersion = text; break;
            case "ctime": if (long.TryParse(text, out long c)) result.CtimeSeconds = c; break;
            case "repl-stream-db": if (int.TryParse(text, out int d)) result.ReplStreamDb = d; break;
            case "repl-id": if (text.Length == 40) result.ReplId = text; break;
            case "repl-offset": if (long.TryParse(text, out long o)) result.ReplOffset = o; break;
            case "aof-base": result.AofBase = text == "1"; break;
        }
    }

    private void SkipModuleAux(RdbLoadOptions options)
    {
        int start = _pos - 1;
        ulong id = ReadLength("a module id");
        ulong whenOpcode = ReadLength("the module aux 'when' opcode");
        if (whenOpcode != RdbFormat.ModuleOpUInt) throw new RdbFormatException(_source, start, "bad when_opcode in module aux data");
        ReadLength("the module aux 'when'");
        SkipModuleValue();
        options.Warning?.Invoke($"{_source}: skipped AUX data of module '{ModuleName(id)}' at offset {start}: modules are not supported");
    }

    private void SkipModuleValue()
    {
        while (true)
        {
            ulong op = ReadLength("a module value opcode");
            switch ((int)op)
            {
                case RdbFormat.ModuleOpEof: return;
                case RdbFormat.ModuleOpSInt or RdbFormat.ModuleOpUInt: ReadLength("a module integer"); break;
                case RdbFormat.ModuleOpString: ReadString("a module string"); break;
                case RdbFormat.ModuleOpFloat: Take(4, "a module float"); break;
                case RdbFormat.ModuleOpDouble: Take(8, "a module double"); break;
                default: throw Error($"unknown module value opcode {op}");
            }
        }
    }

    /// <summary>Redis's moduleTypeNameByID: the 9-character type name packed in the top 54 bits.</summary>
    private static string ModuleName(ulong id)
    {
        const string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var name = new char[9];
        id >>= 10;
        for (int j = 8; j >= 0; j--)
        {
            name[j] = charset[(int)(id & 63)];
            id >>= 6;
        }
        return new string(name);
    }

    private object ReadValue(byte type, string key)
    {
        int start = _pos;
        try
        {
            return ReadValueCore(type, key);
        }
        catch (FormatException e)
        {
            throw new RdbFormatException(_source, start, $"corrupt value of type {type}: {e.Message}", key);
        }
    }

    private object ReadValueCore(byte type, string key)
    {
        switch (type)
        {
            case RdbFormat.TypeString:
                return ReadString("a string value");
            case RdbFormat.TypeList:
            {
                ulong n = ReadCount("a list length");
                var list = new RedisList();
                for (ulong i = 0; i < n; i++) list.PushTail(ReadString("a list element"));
                return list;
            }
            case RdbFormat.TypeSet:
            {
                ulong n = ReadCount("a set size");
                var set = new RedisSet();
                for (ulong i = 0; i < n; i++)
                    if (!set.Add(ReadString("a set member"), _limits)) throw Error("Duplicate set members detected");
                return set;
            }
            case RdbFormat.TypeZset or RdbFormat.TypeZset2:
            {
                ulong n = ReadCount("a sorted set size");
                var zset = new RedisSortedSet(_limits);
                for (ulong i = 0; i < n; i++)
                {
                    var member = ReadString("a sorted set member");
                    double score = type == RdbFormat.TypeZset2
                        ? BinaryPrimitives.ReadDoubleLittleEndian(Take(8, "a binary double score"))
                        : ReadTextDouble();
                    if (double.IsNaN(score)) throw Error("Zset with NAN score detected");
                    AddZsetMember(zset, member, score);
                }
                return zset;
            }
            case RdbFormat.TypeHash:
            {
                ulong n = ReadCount("a hash size");
                var hash = new RedisHash();
                for (ulong i = 0; i < n; i++) AddHashField(hash, ReadString("a hash field"), ReadString("a hash value"));
                return hash;
            }
            case RdbFormat.TypeSetIntset:
            {
                var set = new RedisSet();
                foreach (long v in CompactEncodings.Intset(ReadString("an intset blob"))) set.Add(FormatLong(v), _limits);
                return set;
            }
            case RdbFormat.TypeSetListpack:
            {
                var set = new RedisSet();
                foreach (var m in CompactEncodings.Listpack(ReadString("a set listpack")))
                    if (!set.Add(m, _limits)) throw Error("Duplicate set members detected");
                return set;
            }
            case RdbFormat.TypeListZiplist:
                return ListOf(CompactEncodings.Ziplist(ReadString("a list ziplist")));
            case RdbFormat.TypeListQuicklist or RdbFormat.TypeListQuicklist2:
            {
                ulong nodes = ReadCount("a quicklist node count");
                var list = new RedisList();
                for (ulong i = 0; i < nodes; i++)
                {
                    ulong container = RdbFormat.QuicklistNodePacked;
                    if (type == RdbFormat.TypeListQuicklist2)
                    {
                        container = ReadLength("a quicklist node container");
                        if (container is not (RdbFormat.QuicklistNodePlain or RdbFormat.QuicklistNodePacked))
                            throw Error($"Quicklist integrity check failed: unknown node container {container}");
                    }
                    var blob = ReadString("a quicklist node");
                    if (container == RdbFormat.QuicklistNodePlain)
                    {
                        list.PushTail(blob);
                        continue;
                    }
                    var items = type == RdbFormat.TypeListQuicklist2 ? CompactEncodings.Listpack(blob) : CompactEncodings.Ziplist(blob);
                    foreach (var e in items) list.PushTail(e);
                }
                return list;
            }
            case RdbFormat.TypeHashZipmap:
                return HashOf(CompactEncodings.Zipmap(ReadString("a hash zipmap")));
            case RdbFormat.TypeHashZiplist:
                return HashOf(CompactEncodings.Ziplist(ReadString("a hash ziplist")));
            case RdbFormat.TypeHashListpack:
                return HashOf(CompactEncodings.Listpack(ReadString("a hash listpack")));
            case RdbFormat.TypeZsetZiplist or RdbFormat.TypeZsetListpack:
            {
                var items = type == RdbFormat.TypeZsetZiplist ? CompactEncodings.Ziplist(ReadString("a zset ziplist")) : CompactEncodings.Listpack(ReadString("a zset listpack"));
                if (items.Count % 2 != 0) throw Error("sorted set blob with an odd number of entries");
                var zset = new RedisSortedSet(_limits);
                for (int i = 0; i < items.Count; i += 2)
                {
                    if (!TryParseScore(items[i + 1], out double score)) throw Error("sorted set score is not a number");
                    AddZsetMember(zset, items[i], score);
                }
                return zset;
            }
            case RdbFormat.TypeStreamListpacks or RdbFormat.TypeStreamListpacks2 or RdbFormat.TypeStreamListpacks3:
                throw new RdbFormatException(_source, _pos - 1, $"stream values (RDB type {type}) are not supported", key);
            case RdbFormat.TypeModulePreGa or RdbFormat.TypeModule2:
                throw new RdbFormatException(_source, _pos - 1, $"module values (RDB type {type}) are not supported", key);
            default:
                throw new RdbFormatException(_source, _pos - 1, $"Unknown RDB encoding type {type}", key);
        }
    }

    private static RedisList ListOf(List<byte[]> items)
    {
        var list = new RedisList(items.Count);
        foreach (var e in items) list.PushTail(e);
        return list;
    }

    private RedisHash HashOf(List<byte[]> items)
    {
        if (items.Count % 2 != 0) throw Error("hash blob with an odd number of entries");
        var hash = new RedisHash(items.Count / 2);
        for (int i = 0; i < items.Count; i += 2) AddHashField(hash, items[i], items[i + 1]);
        return hash;
    }

    private void AddHashField(RedisHash hash, byte[] field, byte[] value)
    {
        // rdbLoadObject converts to a hashtable once a field or value exceeds hash-max-listpack-value.
        hash.ConvertIfLong(Math.Max(field.Length, value.Length), _limits);
        if (!hash.Set(field, value, _limits)) throw Error("Duplicate hash fields detected");
    }

    private void AddZsetMember(RedisSortedSet zset, byte[] member, double score)
    {
        if (zset.TryGetScore(member, out _)) throw Error("Duplicate zset fields detected");
        zset.Insert(member, score);
    }

    private static bool TryParseScore(byte[] text, out double score)
    {
        var s = Encoding.ASCII.GetString(text);
        switch (s)
        {
            case "inf" or "+inf": score = double.PositiveInfinity; return true;
            case "-inf": score = double.NegativeInfinity; return true;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out score) && !double.IsNaN(score);
    }

    /// <summary>rdbLoadDoubleValue: a length byte (253 nan, 254 +inf, 255 -inf) then that many chars of text.</summary>
    private double ReadTextDouble()
    {
        byte len = ReadByte("a text double length");
        switch (len)
        {
            case 253: return double.NaN;
            case 254: return double.PositiveInfinity;
            case 255: return double.NegativeInfinity;
        }
        var text = Take(len, "a text double");
        if (!double.TryParse(Encoding.ASCII.GetString(text), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            throw Error("bad text double");
        return d;
    }

    private static byte[] FormatLong(long v)
    {
        Span<byte> buf = stackalloc byte[20];
        Utf8Formatter.TryFormat(v, buf, out int n);
        return buf[..n].ToArray();
    }

    // ---- primitives ----

    private byte ReadByte(string what)
    {
        if (_pos >= _end) throw Error($"unexpected end of data: expected {what}");
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> Take(long n, string what)
    {
        if (n < 0 || n > _end - _pos) throw Error($"unexpected end of data: expected {what} of {n} bytes");
        var s = _data.AsSpan(_pos, (int)n);
        _pos += (int)n;
        return s;
    }

    /// <summary>A length that counts elements still to read: bounded by the bytes left, so a corrupt count fails cleanly.</summary>
    private ulong ReadCount(string what)
    {
        ulong n = ReadLength(what);
        if (n > (ulong)(_end - _pos)) throw Error($"{what} of {n} exceeds the remaining {_end - _pos} bytes");
        return n;
    }

    private ulong ReadLength(string what)
    {
        ulong n = ReadLength(what, out bool encoded);
        if (encoded) throw Error($"expected {what}, found a string encoding byte");
        return n;
    }

    /// <summary>Redis's rdbLoadLenByRef: <paramref name="encoded"/> is set for 11xxxxxx (the low bits are returned).</summary>
    private ulong ReadLength(string what, out bool encoded)
    {
        encoded = false;
        byte b = ReadByte(what);
        switch (b >> 6)
        {
            case 0: return (ulong)(b & 0x3f);
            case 1: return ((ulong)(b & 0x3f) << 8) | ReadByte(what);
            case 3: encoded = true; return (ulong)(b & 0x3f);
        }
        if (b == 0x80) return BinaryPrimitives.ReadUInt32BigEndian(Take(4, what));
        if (b == 0x81) return BinaryPrimitives.ReadUInt64BigEndian(Take(8, what));
        throw Error($"Unknown length encoding {b} in rdbLoadLen() while reading {what}");
    }

    /// <summary>A string in any of Redis's encodings: raw, INT8/16/32 (as decimal text) or LZF.</summary>
    private byte[] ReadString(string what)
    {
        ulong len = ReadLength(what, out bool encoded);
        if (!encoded) return Take((long)Math.Min(len, long.MaxValue), what).ToArray();
        switch ((int)len)
        {
            case RdbFormat.EncInt8: return FormatLong((sbyte)ReadByte(what));
            case RdbFormat.EncInt16: return FormatLong(BinaryPrimitives.ReadInt16LittleEndian(Take(2, what)));
            case RdbFormat.EncInt32: return FormatLong(BinaryPrimitives.ReadInt32LittleEndian(Take(4, what)));
            case RdbFormat.EncLzf:
            {
                int at = _pos;
                ulong clen = ReadLength("an LZF compressed length");
                ulong ulen = ReadLength("an LZF original length");
                if (ulen > int.MaxValue) throw Error($"LZF string of {ulen} bytes is too large");
                var compressed = Take((long)Math.Min(clen, long.MaxValue), "LZF data");
                var output = new byte[ulen];
                if (!Lzf.TryDecompress(compressed, output))
                    throw new RdbFormatException(_source, at, $"Invalid LZF compressed string while reading {what}", _currentKey);
                return output;
            }
            default: throw Error($"Unknown RDB string encoding type {len} while reading {what}");
        }
    }

    private RdbFormatException Error(string problem) => new(_source, _pos, problem, _currentKey);
}
