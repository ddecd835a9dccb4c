using System.Text;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Storage.Tests;

/// <summary>Builds keyspaces with every value type and round-trips them through the RDB writer and reader.</summary>
internal static class RdbTestData
{
    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static Keyspace NewKeyspace() => new(16, TimeProvider.System);

    public static Keyspace Populated()
    {
        var ks = NewKeyspace();
        var limits = new EncodingLimits();
        var db = ks[0];
        db.Set(B("s:int"), B("12345"));
        db.Set(B("s:negint"), B("-9"));
        db.Set(B("s:bigint"), B("9223372036854775807"));
        db.Set(B("s:lead0"), B("007"));
        db.Set(B("s:text"), B("hello world"));
        db.Set(B("s:empty"), Array.Empty<byte>());
        db.Set(B("s:long"), B(string.Concat(Enumerable.Repeat("abcdefgh", 500))));
        var bin = new byte[1000];
        new Random(1).NextBytes(bin);
        db.Set(B("s:binary\0key"), bin);
        db.Set(B("s:mutable"), new MutableString(B("grown in place"), 10));
        var list = new RedisList();
        for (int i = 0; i < 300; i++) list.PushTail(B(i % 3 == 0 ? i.ToString() : "el" + i));
        db.Set(B("l:list"), list);
        var intset = new RedisSet();
        foreach (var v in new[] { "1", "-70000", "5000000000", "3" }) intset.Add(B(v), limits);
        db.Set(B("set:ints"), intset);
        var strset = new RedisSet();
        for (int i = 0; i < 600; i++) strset.Add(B("m" + i), limits);
        db.Set(B("set:str"), strset);
        var hash = new RedisHash();
        for (int i = 0; i < 10; i++) hash.Set(B("f" + i), B("v" + i), limits);
        db.Set(B("h:small"), hash);
        var bighash = new RedisHash();
        for (int i = 0; i < 500; i++) bighash.Set(B("field" + i), B(new string('x', i % 80)), limits);
        db.Set(B("h:big"), bighash);
        var z = new RedisSortedSet();
        z.Insert(B("a"), 1.5);
        z.Insert(B("b"), double.PositiveInfinity);
        z.Insert(B("c"), double.NegativeInfinity);
        z.Insert(B("d"), -0.0);
        z.Insert(B("e"), 1e-300);
        db.Set(B("z:small"), z);
        var bigz = new RedisSortedSet();
        for (int i = 0; i < 400; i++) bigz.Insert(B("member" + i), i * 0.1);
        db.Set(B("z:big"), bigz);
        db.Set(B("ttl"), B("v"));
        db.SetExpire(B("ttl"), 4_102_444_800_000);
        ks[7].Set(B("in7"), B("seven"));
        ks[15].Set(B("in15"), B("fifteen"));
        ks[15].SetExpire(B("in15"), 4_102_444_800_123);
        return ks;
    }

    public static byte[] Save(Keyspace ks, bool compress = true)
    {
        var ms = new MemoryStream();
        var w = new RdbWriter(ms, compress);
        w.WriteHeader(new RdbSaveInfo { CtimeSeconds = 1_700_000_000, UsedMemory = 1_000_000 });
        using (var snap = ks.TakeSnapshot()) w.WriteDatabases(snap);
        w.WriteEnd();
        return ms.ToArray();
    }

    public static (Keyspace, RdbLoadResult) Load(byte[] data, RdbLoadOptions? options = null)
    {
        var ks = NewKeyspace();
        var r = RdbReader.Load(data, "test.rdb", ks, options ?? new RdbLoadOptions());
        return (ks, r);
    }
}
