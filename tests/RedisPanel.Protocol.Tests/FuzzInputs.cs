// Seeded generator of request-shaped garbage: valid pipelines, inline lines, random bytes from an alphabet
// heavy in protocol characters, and mutations of all of them. Shared by the in-process parser fuzz and (as
// source) the Interop socket fuzz.
using System.Text;

namespace RedisPanel.Protocol.Tests;

public sealed class FuzzInputs(int seed)
{
    private static readonly byte[] Specials = "*$\r\n\0\"'\\ \t-+0123456789x:"u8.ToArray();
    private static readonly string[] Numbers =
        ["0", "1", "-1", "2", "10", "11", "00", "-0", "+1", " 1", "16384", "16385", "2147483647", "2147483648",
         "536870912", "536870913", "9223372036854775807", "99999999999999999999", "", "a", "1\0"];
    private readonly Random _rng = new(seed);

    /// <summary>Seed from REDISPANEL_FUZZ_SEED ("random" draws one), else the fixed default.</summary>
    public static int SeedFromEnvironment(int fallback)
    {
        string? s = Environment.GetEnvironmentVariable("REDISPANEL_FUZZ_SEED");
        if (string.IsNullOrEmpty(s)) return fallback;
        return s == "random" ? System.Random.Shared.Next() : int.Parse(s);
    }

    /// <summary>Iterations from REDISPANEL_FUZZ_COUNT, else <paramref name="fallback"/>.</summary>
    public static int CountFromEnvironment(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("REDISPANEL_FUZZ_COUNT"), out int n) ? n : fallback;

    public Random Rng => _rng;

    public byte[] Next()
    {
        byte[] input = _rng.Next(10) switch
        {
            0 or 1 or 2 => Multibulk(),
            3 or 4 => Inline(),
            5 => RandomBytes(_rng.Next(0, 64)),
            _ => Mutate(_rng.Next(3) == 0 ? Inline() : Multibulk()),
        };
        // Rarely, a long tail past the 64 KB limits.
        if (_rng.Next(1500) == 0)
        {
            var filler = new byte[65_536 + _rng.Next(-3, 200)];
            Array.Fill(filler, _rng.Next(2) == 0 ? (byte)'1' : (byte)'a');
            input = [.. input, .. filler];
        }
        return input;
    }

    private byte[] Multibulk()
    {
        var sb = new MemoryStream();
        int commands = _rng.Next(1, 4);
        for (int c = 0; c < commands; c++)
        {
            int n = _rng.Next(0, 6);
            Write(sb, $"*{n}\r\n");
            for (int i = 0; i < n; i++)
            {
                var arg = RandomBytes(_rng.Next(0, 12));
                Write(sb, $"${arg.Length}\r\n");
                sb.Write(arg);
                Write(sb, "\r\n");
            }
        }
        return sb.ToArray();
    }

    private byte[] Inline()
    {
        var sb = new StringBuilder();
        int words = _rng.Next(0, 5);
        for (int i = 0; i < words; i++)
        {
            string w = Encoding.Latin1.GetString(RandomBytes(_rng.Next(0, 6))).Replace("\n", "").Replace("\0", "");
            sb.Append(_rng.Next(6) switch
            {
                0 => "\"" + w + "\"",
                1 => "'" + w + "'",
                2 => "\"\\x" + _rng.Next(256).ToString("x2") + "\\n\"",
                _ => w,
            });
            sb.Append(_rng.Next(4) == 0 ? "\t" : " ");
        }
        sb.Append(_rng.Next(3) == 0 ? "\n" : "\r\n");
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    private byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        for (int i = 0; i < n; i++)
            b[i] = _rng.Next(3) == 0 ? Specials[_rng.Next(Specials.Length)] : (byte)(_rng.Next(4) == 0 ? _rng.Next(256) : _rng.Next('a', 'z' + 1));
        return b;
    }

    private byte[] Mutate(byte[] input)
    {
        var list = input.ToList();
        int edits = _rng.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            int at = list.Count == 0 ? 0 : _rng.Next(list.Count);
            switch (_rng.Next(6))
            {
                case 0: if (list.Count > 0) list[at] = Specials[_rng.Next(Specials.Length)]; break;
                case 1: list.Insert(at, Specials[_rng.Next(Specials.Length)]); break;
                case 2: if (list.Count > 0) list.RemoveAt(at); break;
                case 3: list.RemoveRange(at, list.Count - at); break; // truncate
                case 4: list.InsertRange(at, Encoding.Latin1.GetBytes(Numbers[_rng.Next(Numbers.Length)])); break;
                default: list.InsertRange(at, list.Take(Math.Min(list.Count, 16)).ToArray()); break;
            }
        }
        return list.ToArray();
    }

    private static void Write(Stream s, string text) => s.Write(Encoding.Latin1.GetBytes(text));
}
