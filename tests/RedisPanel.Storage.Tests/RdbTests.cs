using System.Text;
using RedisPanel.Storage.Rdb;
using static RedisPanel.Storage.Tests.RdbTestData;

namespace RedisPanel.Storage.Tests;

public class RdbTests
{
    [Fact]
    public void Crc64_matches_redis_check_value() => Assert.Equal(0xe9c6d914c4b8d9caUL, Crc64.Compute("123456789"u8));

    [Fact]
    public void Crc64_incremental_equals_one_shot()
    {
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        ulong crc = 0;
        for (int i = 0; i < data.Length; i += 37) crc = Crc64.Update(crc, data.AsSpan(i, Math.Min(37, data.Length - i)));
        Assert.Equal(Crc64.Compute(data), crc);
    }

    [Fact]
    public void Golden_single_key_file_matches_documented_bytes()
    {
        // REDIS-REPLICATION.md §8.9: one db-0 key foo=bar, CRC 0x4c7cd01a1ce425a1.
        var ms = new MemoryStream();
        var w = new RdbWriter(ms);
        w.WriteMagic();
        w.WriteSelectDb(0);
        w.WriteResizeDb(1, 0);
        w.WriteKey("foo"u8, B("bar"), -1);
        w.WriteEnd();
        Assert.Equal("524544495330303130fe00fb01000003666f6f03626172ffa125e41c1ad07c4c",
            Convert.ToHexStringLower(ms.ToArray()));
    }

    [Fact]
    public void Golden_header_and_encodings()
    {
        var ks = NewKeyspace();
        ks[0].Set(B("n"), B("-2"));            // INT8
        ks[0].Set(B("m"), B("1000"));          // INT16
        ks[0].Set(B("k"), B("100000"));        // INT32
        ks[0].Set(B("big"), B("99999999999")); // 11 chars but beyond 32 bits: raw
        var bytes = Save(ks);
        string hex = Convert.ToHexStringLower(bytes);
        Assert.StartsWith("524544495330303130" + "fa0972656469732d766572" + "06372e302e3135" + "fa0a72656469732d62697473c040", hex);
        Assert.Contains("00016ec0fe", hex);              // n = INT8 -2
        Assert.Contains("00016dc1e803", hex);            // m = INT16 1000
        Assert.Contains("00016bc2a0860100", hex);        // k = INT32 100000
        Assert.Contains("00036269670b3939393939393939393939", hex); // raw 11 bytes
        Assert.Contains("fa08616f662d62617365c000", hex); // aof-base 0
        var (loaded, info) = Load(bytes);
        Assert.Equal("7.0.15", info.RedisVersion);
        Assert.Equal(1_700_000_000, info.CtimeSeconds);
        Assert.True(info.ChecksumVerified);
        Assert.Equal("99999999999", Encoding.ASCII.GetString((byte[])loaded[0].Peek(B("big"))!));
    }

    [Fact]
    public void Round_trip_of_every_type_keeps_the_digest()
    {
        var ks = Populated();
        var bytes = Save(ks);
        var (loaded, info) = Load(bytes);
        Assert.Equal(DatasetDigest.Hex(DatasetDigest.Compute(ks)), DatasetDigest.Hex(DatasetDigest.Compute(loaded)));
        Assert.Equal(ks.TotalKeys(), loaded.TotalKeys());
        Assert.Equal(ks.TotalKeys(), info.KeysLoaded);
        Assert.Equal(4_102_444_800_123, loaded[15].GetExpire(B("in15")));
        Assert.Equal("intset", ((RedisSet)loaded[0].Peek(B("set:ints"))!).Encoding);
        Assert.Equal("listpack", ((RedisHash)loaded[0].Peek(B("h:small"))!).Encoding);
        Assert.Equal("hashtable", ((RedisHash)loaded[0].Peek(B("h:big"))!).Encoding);
        Assert.Equal("skiplist", ((RedisSortedSet)loaded[0].Peek(B("z:big"))!).Encoding);
        // Uncompressed files load to the same data too.
        var (plain, _) = Load(Save(ks, compress: false));
        Assert.Equal(DatasetDigest.Compute(ks), DatasetDigest.Compute(plain));
        Assert.True(Save(ks, compress: false).Length > bytes.Length);
    }

    [Fact]
    public void Loads_a_file_written_by_redis_7_0_with_its_compact_encodings()
    {
        var data = File.ReadAllBytes(Path.Combine("Data", "redis-7.0.15-mixed.rdb"));
        var (ks, info) = Load(data);
        Assert.Equal("7.0.15", info.RedisVersion);
        Assert.True(info.ChecksumVerified);
        Assert.Equal(File.ReadAllText(Path.Combine("Data", "redis-7.0.15-mixed.digest")).Trim(), DatasetDigest.Hex(DatasetDigest.Compute(ks)));
        Assert.Equal(3000, ((RedisList)ks[0].Peek(B("list:big"))!).Length);
        Assert.Equal("item2999", Encoding.ASCII.GetString(((RedisList)ks[0].Peek(B("list:big"))!)[2999]));
        // And our own re-save of it loads back to the same digest.
        var (again, _) = Load(Save(ks));
        Assert.Equal(DatasetDigest.Compute(ks), DatasetDigest.Compute(again));
    }

    [Fact]
    public void Skips_expired_keys_only_when_asked()
    {
        var ks = NewKeyspace();
        ks[0].Set(B("old"), B("v"));
        ks[0].SetExpire(B("old"), 1000);
        ks[0].Set(B("new"), B("v"));
        var bytes = Save(ks);
        var (kept, _) = Load(bytes);
        Assert.Equal(2, kept.TotalKeys());
        var (skipped, info) = Load(bytes, new RdbLoadOptions { SkipExpired = true, NowMs = 2000 });
        Assert.Equal(1, skipped.TotalKeys());
        Assert.Equal(1, info.KeysExpired);
    }

    [Fact]
    public void Wrong_checksum_is_refused_and_zero_checksum_accepted()
    {
        var bytes = Save(Populated());
        var bad = (byte[])bytes.Clone();
        bad[^1] ^= 0x55;
        var e = Assert.Throws<RdbFormatException>(() => Load(bad));
        Assert.Contains("Wrong RDB checksum", e.Message);
        Assert.Contains("test.rdb", e.Message);
        Assert.Equal(bytes.Length - 8, e.Offset);
        var zero = (byte[])bytes.Clone();
        Array.Clear(zero, zero.Length - 8, 8);
        var warnings = new List<string>();
        var (ks, info) = Load(zero, new RdbLoadOptions { Warning = warnings.Add });
        Assert.False(info.ChecksumVerified);
        Assert.Contains(warnings, w => w.Contains("checksum disabled"));
        Assert.Equal(Populated().TotalKeys(), ks.TotalKeys());
    }

    [Fact]
    public void Every_truncation_gives_a_clear_error()
    {
        var bytes = Save(Populated());
        for (int len = 0; len < bytes.Length; len += Math.Max(1, len / 50))
        {
            var cut = bytes.AsSpan(0, len).ToArray();
            var e = Assert.Throws<RdbFormatException>(() => Load(cut));
            Assert.Contains("test.rdb", e.Message);
            Assert.InRange(e.Offset, 0, len);
        }
    }

    [Fact]
    public void Corrupted_bytes_never_crash_with_anything_but_a_format_error()
    {
        var bytes = Save(Populated(), compress: true);
        var rnd = new Random(11);
        for (int i = 0; i < 300; i++)
        {
            var bad = (byte[])bytes.Clone();
            int at = rnd.Next(9, bad.Length - 9);
            bad[at] ^= (byte)(1 + rnd.Next(255));
            // Checksum off so the corruption reaches the value decoders.
            try { Load(bad, new RdbLoadOptions { VerifyChecksum = false }); }
            catch (RdbFormatException) { }
        }
    }

    [Theory]
    [InlineData("REDIS0013", "Can't handle RDB format version 13")]
    [InlineData("REDIX0010", "expected the magic")]
    [InlineData("REDIS00x0", "bad RDB version field")]
    public void Wrong_magic_or_version_is_refused(string magic, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes(magic).Concat(new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, 0 }).ToArray();
        var e = Assert.Throws<RdbFormatException>(() => Load(bytes));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Streams_are_refused_naming_the_key()
    {
        var ms = new MemoryStream();
        var w = new RdbWriter(ms);
        w.WriteMagic();
        w.WriteByte(RdbFormat.TypeStreamListpacks2);
        w.WriteString("mystream"u8);
        w.WriteLength(0);
        w.WriteEnd();
        var e = Assert.Throws<RdbFormatException>(() => Load(ms.ToArray()));
        Assert.Contains("mystream", e.Message);
        Assert.Contains("not supported", e.Message);
    }

    [Fact]
    public void Function_and_module_aux_records_are_skipped_with_a_warning()
    {
        var ms = new MemoryStream();
        var w = new RdbWriter(ms);
        w.WriteMagic();
        w.WriteByte(RdbFormat.OpFunction2);
        w.WriteString("#!lua name=mylib\nredis.register_function('f', function() return 1 end)"u8);
        w.WriteByte(RdbFormat.OpModuleAux);
        w.WriteLength(12345UL << 10);
        w.WriteLength(RdbFormat.ModuleOpUInt);
        w.WriteLength(2);
        w.WriteLength(RdbFormat.ModuleOpString); w.WriteString("x"u8);
        w.WriteLength(RdbFormat.ModuleOpDouble); w.WriteRaw(new byte[8]);
        w.WriteLength(RdbFormat.ModuleOpEof);
        w.WriteKey("k"u8, B("v"), -1);
        w.WriteEnd();
        var warnings = new List<string>();
        var (ks, _) = Load(ms.ToArray(), new RdbLoadOptions { Warning = warnings.Add });
        Assert.Equal(1, ks.TotalKeys());
        Assert.Contains(warnings, x => x.Contains("mylib"));
        Assert.Contains(warnings, x => x.Contains("module"));
    }

    [Fact]
    public void Lzf_round_trips_and_detects_garbage()
    {
        var rnd = new Random(5);
        foreach (int size in new[] { 100, 4096, 100_000 })
        {
            var data = new byte[size];
            for (int i = 0; i < size; i++) data[i] = (byte)"abcab"[rnd.Next(5)];
            var outBuf = new byte[size];
            int n = Lzf.Compress(data, outBuf);
            Assert.InRange(n, 1, size - 1);
            var back = new byte[size];
            Assert.True(Lzf.TryDecompress(outBuf.AsSpan(0, n), back));
            Assert.Equal(data, back);
        }
        var random = new byte[1000];
        rnd.NextBytes(random);
        Assert.Equal(0, Lzf.Compress(random, new byte[996])); // incompressible: does not fit len-4
        Assert.False(Lzf.TryDecompress([0xE0, 0x05, 0x00], new byte[10])); // back reference before the start
    }

    [Fact]
    public void Dump_payload_round_trips_and_rejects_bad_checksum()
    {
        var ks = Populated();
        foreach (var kv in ks[0].Main.Entries())
        {
            var payload = RdbWriter.CreateDumpPayload(kv.Value.Value);
            Assert.Equal(10, payload[^10]);
            var value = RdbReader.ReadDumpPayload(payload, new EncodingLimits());
            Assert.NotNull(value);
            var a = NewKeyspace(); a[0].Set(kv.Key, kv.Value.Value);
            var b = NewKeyspace(); b[0].Set(kv.Key, value!);
            Assert.Equal(DatasetDigest.Compute(a), DatasetDigest.Compute(b));
            payload[0] ^= 1;
            Assert.Null(RdbReader.ReadDumpPayload(payload, new EncodingLimits()));
        }
    }

    [Fact]
    public void Ziplist_and_zipmap_blobs_of_old_versions_decode()
    {
        // ziplist: header (bytes, tail, count=3), entries "ab", int8 -3 (0xFE), immediate 5 (0xF6), end.
        byte[] entries = [0x00, 0x02, (byte)'a', (byte)'b', 0x04, 0xFE, 0xFD, 0x03, 0xF6];
        var zl = new byte[10 + entries.Length + 1];
        BitConverter.TryWriteBytes(zl.AsSpan(0), zl.Length);
        BitConverter.TryWriteBytes(zl.AsSpan(8), (ushort)3);
        entries.CopyTo(zl, 10);
        zl[^1] = 0xFF;
        Assert.Equal(["ab", "-3", "5"], CompactEncodings.Ziplist(zl).Select(Encoding.ASCII.GetString));
        // zipmap: zmlen, "f" -> "vv" with 1 free byte, end.
        byte[] zm = [1, 1, (byte)'f', 2, 1, (byte)'v', (byte)'v', 0, 0xFF];
        Assert.Equal(["f", "vv"], CompactEncodings.Zipmap(zm).Select(Encoding.ASCII.GetString));
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(1e100, "1e+100")]
    [InlineData(-3, "-3")]
    [InlineData(1e-5, "1.0000000000000001e-05")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(0.0001, "0.0001")]
    public void G17_formats_like_printf(double d, string expected)
    {
        Assert.Equal(expected, DatasetDigest.FormatG17(d));
    }
}
