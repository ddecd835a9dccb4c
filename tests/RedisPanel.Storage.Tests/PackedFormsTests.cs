using System.Text;
using RedisPanel.Storage;

namespace RedisPanel.Storage.Tests;

/// <summary>
/// The packed small forms (set, list, hash with its inline buffer) agree with a plain model through random
/// operations across every conversion (intset → packed → table, packed list → deque, inline → array → table),
/// report Redis's encodings, and a clone never sees later writes to its original.
/// </summary>
public class PackedFormsTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    private static string S(byte[] b) => Encoding.ASCII.GetString(b);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Set_matches_a_model_across_packed_and_table_forms(int seed)
    {
        var random = new Random(seed);
        var limits = new EncodingLimits();
        var set = new RedisSet();
        var model = new HashSet<string>();
        for (int step = 0; step < 3000; step++)
        {
            // Integers keep the intset; short words go packed; a long word or many members make a table.
            string m = random.Next(4) switch
            {
                0 => random.Next(40).ToString(),
                1 => "w" + random.Next(30),
                2 => new string('x', random.Next(60, 70)),
                _ => "v" + random.Next(10),
            };
            if (random.Next(3) == 0)
                Assert.Equal(model.Remove(m), set.Remove(B(m)));
            else
                Assert.Equal(model.Add(m), set.Add(B(m), limits));
            Assert.Equal(model.Count, set.Count);
            Assert.Equal(model.Contains(m), set.Contains(B(m)));
            if (step % 50 == 0)
            {
                Assert.Equal(model.OrderBy(x => x, StringComparer.Ordinal), set.Members().Select(S).OrderBy(x => x, StringComparer.Ordinal));
                if (model.Count > 0) Assert.Contains(S(set.RandomMember(random)), model);
            }
            if (model.Count == 0) set = new RedisSet();
        }
    }

    [Fact]
    public void Set_reports_hashtable_while_packed_and_a_clone_keeps_its_members()
    {
        var limits = new EncodingLimits();
        var set = RedisSet.CreateFor(B("a"));
        set.Add(B("a"), limits);
        set.Add(B("b"), limits);
        Assert.Equal("hashtable", set.Encoding);
        Assert.Null(set.Table);
        var clone = (RedisSet)set.DeepClone();
        set.Remove(B("a"));
        set.Add(B("c"), limits);
        Assert.Equal(["a", "b"], clone.Members().Select(S).Order());
        for (int i = 0; i < 20; i++) set.Add(B("m" + i), limits);
        Assert.NotNull(set.Table);
        Assert.Equal("hashtable", set.Encoding);

        var ints = new RedisSet();
        ints.Add(B("1"), limits);
        ints.Add(B("2"), limits);
        Assert.Equal("intset", ints.Encoding);
        ints.Add(B("x"), limits);
        Assert.Equal("hashtable", ints.Encoding);
        Assert.Equal(["1", "2", "x"], ints.Members().Select(S).Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void List_matches_a_model_across_packed_and_deque_forms(int seed)
    {
        var random = new Random(seed);
        var list = new RedisList();
        var model = new List<string>();
        for (int step = 0; step < 3000; step++)
        {
            string v = random.Next(10) == 0 ? new string('y', 65 + random.Next(5)) : "e" + step;
            switch (random.Next(6))
            {
                case 0: list.PushHead(B(v)); model.Insert(0, v); break;
                case 1: list.PushTail(B(v)); model.Add(v); break;
                case 2 when model.Count > 0: Assert.Equal(model[0], S(list.PopHead())); model.RemoveAt(0); break;
                case 3 when model.Count > 0: Assert.Equal(model[^1], S(list.PopTail())); model.RemoveAt(model.Count - 1); break;
                case 4 when model.Count > 2:
                    int at = random.Next(model.Count);
                    list.InsertAt(at, B(v));
                    model.Insert(at, v);
                    break;
                case 5 when model.Count > 0:
                    int i = random.Next(model.Count);
                    list[i] = B(v);
                    model[i] = v;
                    break;
            }
            Assert.Equal(model.Count, list.Length);
            if (step % 25 == 0)
            {
                Assert.Equal(model, Enumerable.Range(0, list.Length).Select(k => S(list[k])));
                var clone = (RedisList)list.DeepClone();
                list.PushTail(B("after-clone"));
                Assert.Equal(model, Enumerable.Range(0, clone.Length).Select(k => S(clone[k])));
                list.PopTail();
            }
            if (model.Count == 0) list = new RedisList();
        }
    }

    [Fact]
    public void Hash_keeps_fields_through_inline_array_and_table_forms()
    {
        var limits = new EncodingLimits();
        var hash = new RedisHash();
        var model = new Dictionary<string, string>();
        var random = new Random(7);
        for (int step = 0; step < 2000; step++)
        {
            string f = "f" + random.Next(step < 1000 ? 6 : 600);
            string v = random.Next(8) == 0 ? new string('z', random.Next(1, 80)) : "v" + step;
            if (random.Next(4) == 0)
                Assert.Equal(model.Remove(f), hash.Remove(B(f)));
            else
                Assert.Equal(model.TryAdd(f, v) || (model[f] = v) is null, hash.Set(B(f), B(v), limits));
            Assert.Equal(model.Count, hash.Count);
            Assert.Equal(model.TryGetValue(f, out var expected) ? expected : null, hash.Get(B(f)) is { } got ? S(got) : null);
            if (step % 40 == 0)
            {
                var clone = (RedisHash)hash.DeepClone();
                hash.Set(B("after-clone"), B("x"), limits);
                Assert.Equal(model.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value)),
                    clone.Entries().Select(e => (S(e.Field), S(e.Value))).OrderBy(e => e.Item1, StringComparer.Ordinal));
                hash.Remove(B("after-clone"));
            }
        }
        Assert.Equal("hashtable", hash.Encoding);

        var small = new RedisHash();
        small.Set(B("f1"), B("v1"), limits);
        small.Set(B("f2"), B("v2"), limits);
        Assert.Equal("listpack", small.Encoding);
        Assert.Equal([("f1", "v1"), ("f2", "v2")], small.Entries().Select(e => (S(e.Field), S(e.Value))));
        small.Set(B("f1"), B(new string('q', 30)), limits); // leaves the inline buffer for an array
        Assert.Equal(new string('q', 30), S(small.Get(B("f1"))!));
        Assert.Equal("v2", S(small.Get(B("f2"))!));
        Assert.Equal(2, small.Count);
    }
}
