// DEBUG DIGEST / DEBUG DIGEST-VALUE exactly as Redis 7.0 computes them (src/debug.c): per key a SHA1 chain
// over the key, the type and the elements — mixed in order for lists, xored (order-free) for sets, hashes and
// sorted sets — plus "!!expire!!" when the key has a TTL; the dataset digest xors every key's digest, after
// mixing in each non-empty db's number. So a dataset can be compared with a real Redis in one command.
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RedisPanel.Storage;

public static class DatasetDigest
{
    /// <summary>computeDatasetDigest: 20 bytes, all zero for an empty dataset. Logically expired keys count (Redis walks the dict).</summary>
    public static byte[] Compute(Keyspace keyspace)
    {
        var final = new byte[20];
        Span<byte> digest = stackalloc byte[20];
        Span<byte> aux = stackalloc byte[4];
        for (int j = 0; j < keyspace.DatabaseCount; j++)
        {
            var db = keyspace[j];
            if (db.Count == 0) continue;
            BinaryPrimitives.WriteInt32BigEndian(aux, j);
            Mix(final, aux);
            foreach (var kv in db.Main.Entries())
            {
                digest.Clear();
                Mix(digest, kv.Key);
                ObjectDigest(digest, db, kv.Key, kv.Value.Value);
                XorSha1(final, digest); // xorDigest hashes what it xors in
            }
        }
        return final;
    }

    /// <summary>DEBUG DIGEST-VALUE of one key: 20 zero bytes when absent.</summary>
    public static byte[] ValueDigest(RedisDatabase db, ReadOnlySpan<byte> key)
    {
        var digest = new byte[20];
        if (db.Main.TryGetValue(key, out var slot)) ObjectDigest(digest, db, key, slot.Value);
        return digest;
    }

    /// <summary>Lower-case hex, as DEBUG DIGEST prints it.</summary>
    public static string Hex(ReadOnlySpan<byte> digest) => Convert.ToHexStringLower(digest);

    /// <summary>xorObjectDigest: type, elements, expiry marker, mixed into <paramref name="digest"/>.</summary>
    private static void ObjectDigest(Span<byte> digest, RedisDatabase db, ReadOnlySpan<byte> key, object value)
    {
        Span<byte> aux = stackalloc byte[4];
        int type = value switch
        {
            byte[] or MutableString => 0,
            RedisList => 1,
            RedisSet => 2,
            RedisSortedSet => 3,
            RedisHash => 4,
            _ => throw new NotSupportedException(value.GetType().Name),
        };
        BinaryPrimitives.WriteInt32BigEndian(aux, type);
        Mix(digest, aux);
        Span<byte> ele = stackalloc byte[20];
        switch (value)
        {
            case byte[] or MutableString:
                Mix(digest, StringValue.AsSpan(value));
                break;
            case RedisList list:
                for (int i = 0; i < list.Length; i++) Mix(digest, list[i]);
                break;
            case RedisSet set:
                foreach (var m in set.Members()) XorSha1(digest, m);
                break;
            case RedisSortedSet zset:
                for (var n = zset.First; n is not null; n = n.Next)
                {
                    ele.Clear();
                    Mix(ele, n.Member);
                    Mix(ele, Encoding.ASCII.GetBytes(FormatG17(n.Score)));
                    XorSha1(digest, ele);
                }
                break;
            case RedisHash hash:
                foreach (var (f, v) in hash.Entries())
                {
                    ele.Clear();
                    Mix(ele, f);
                    Mix(ele, v);
                    XorSha1(digest, ele);
                }
                break;
        }
        if (db.GetExpire(key) != -1) XorSha1(digest, "!!expire!!"u8);
    }

    /// <summary>xorDigest: digest ^= SHA1(data).</summary>
    private static void XorSha1(Span<byte> digest, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(data, hash);
        Xor(digest, hash);
    }

    /// <summary>mixDigest: digest = SHA1(digest ^ SHA1(data)), order-sensitive.</summary>
    private static void Mix(Span<byte> digest, ReadOnlySpan<byte> data)
    {
        XorSha1(digest, data);
        Span<byte> copy = stackalloc byte[20];
        digest.CopyTo(copy);
        SHA1.HashData(copy, digest);
    }

    private static void Xor(Span<byte> digest, ReadOnlySpan<byte> other)
    {
        for (int i = 0; i < 20; i++) digest[i] ^= other[i];
    }

    /// <summary>C's printf("%.17g"): 17 significant digits, trailing zeros removed, exponent form below 1e-4 or from 1e17.</summary>
    public static string FormatG17(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";
        string e = d.ToString("E16", CultureInfo.InvariantCulture); // -d.dddddddddddddddde+XXX
        bool negative = e[0] == '-';
        if (negative) e = e[1..];
        int ePos = e.IndexOf('E');
        string digits = e[0] + e[2..ePos];
        int exp = int.Parse(e[(ePos + 1)..], CultureInfo.InvariantCulture);
        var sb = new StringBuilder(32);
        if (negative) sb.Append('-');
        if (exp < -4 || exp >= 17)
        {
            string frac = digits[1..].TrimEnd('0');
            sb.Append(digits[0]);
            if (frac.Length > 0) sb.Append('.').Append(frac);
            sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exp >= 0)
        {
            string frac = digits[(exp + 1)..].TrimEnd('0');
            sb.Append(digits, 0, exp + 1);
            if (frac.Length > 0) sb.Append('.').Append(frac);
        }
        else
        {
            string frac = (new string('0', -exp - 1) + digits).TrimEnd('0');
            sb.Append("0.").Append(frac);
        }
        return sb.ToString();
    }
}
