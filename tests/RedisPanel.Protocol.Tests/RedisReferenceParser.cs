// An independent, deliberately plain model of Redis 7.0's request parsing (processMultibulkBuffer,
// processInlineBuffer and sdssplitargs in networking.c / sds.c) over a buffer that arrived at once. The fuzz
// tests compare RespParser with it. It follows the C code's shape (strchr stops at NUL, string2ll, the 64 KB
// checks measured from the current position), not RespParser's, so a shared mistake is unlikely.
using System.Text;

namespace RedisPanel.Protocol.Tests;

public static class RedisReferenceParser
{
    private const int InlineMax = 64 * 1024;

    public static ParseRun Parse(byte[] buf, long protoMaxBulkLen = 512L * 1024 * 1024, bool authRequired = false)
    {
        var commands = new List<byte[][]>();
        int pos = 0;
        while (pos < buf.Length)
        {
            int p;
            var args = new List<byte[]>();
            if (buf[pos] == '*')
            {
                int nl = StrChr(buf, pos, (byte)'\r');
                if (nl < 0)
                {
                    if (buf.Length - pos > InlineMax) return Error("too big mbulk count string");
                    break;
                }
                if (nl + 1 >= buf.Length) break;
                if (!String2ll(buf, pos + 1, nl, out long ll) || ll > int.MaxValue) return Error("invalid multibulk length");
                if (ll > 10 && authRequired) return Error("unauthenticated multibulk length");
                p = nl + 2;
                if (ll <= 0)
                {
                    pos = p;
                    continue;
                }
                bool complete = true;
                for (long i = 0; i < ll; i++)
                {
                    nl = StrChr(buf, p, (byte)'\r');
                    if (nl < 0)
                    {
                        if (buf.Length - p > InlineMax) return Error("too big bulk count string");
                        complete = false;
                        break;
                    }
                    if (nl + 1 >= buf.Length) { complete = false; break; }
                    if (buf[p] != '$')
                    {
                        char c = buf[p] is (byte)'\r' or (byte)'\n' ? ' ' : (char)buf[p];
                        return Error($"expected '$', got '{c}'");
                    }
                    if (!String2ll(buf, p + 1, nl, out long bl) || bl < 0 || bl > protoMaxBulkLen) return Error("invalid bulk length");
                    if (bl > 16384 && authRequired) return Error("unauthenticated bulk length");
                    p = nl + 2;
                    if (buf.Length - p < bl + 2) { complete = false; break; }
                    args.Add(buf.AsSpan(p, (int)bl).ToArray());
                    p += (int)bl + 2;
                }
                if (!complete) break;
            }
            else
            {
                int nl = StrChr(buf, pos, (byte)'\n');
                if (nl < 0)
                {
                    if (buf.Length - pos > InlineMax) return Error("too big inline request");
                    break;
                }
                int end = nl != pos && buf[nl - 1] == '\r' ? nl - 1 : nl;
                var split = SplitArgs(buf.AsSpan(pos, end - pos));
                if (split is null) return Error("unbalanced quotes in request");
                args.AddRange(split);
                p = nl + 1;
            }
            if (args.Count > 0) commands.Add(args.ToArray());
            pos = p;
        }
        return new ParseRun(ParseStatus.Ok, null, pos, commands);

        ParseRun Error(string text) => new(ParseStatus.ProtocolError, "Protocol error: " + text, pos, commands);
    }

    /// <summary>strchr on a NUL-terminated buffer: index of <paramref name="c"/>, or -1 at a NUL or the end.</summary>
    private static int StrChr(byte[] buf, int from, byte c)
    {
        for (int i = from; i < buf.Length; i++)
        {
            if (buf[i] == c) return i;
            if (buf[i] == 0) return -1;
        }
        return -1;
    }

    /// <summary>Redis's string2ll over buf[from..to).</summary>
    public static bool String2ll(byte[] buf, int from, int to, out long value)
    {
        value = 0;
        int len = to - from;
        if (len <= 0 || len >= 21) return false;
        if (len == 1 && buf[from] == '0') return true;
        int i = from;
        bool neg = false;
        if (buf[i] == '-') { neg = true; i++; if (i == to) return false; }
        if (buf[i] < '1' || buf[i] > '9') return false;
        decimal v = 0; // wide enough to see overflow without tricks
        for (; i < to; i++)
        {
            if (buf[i] < '0' || buf[i] > '9') return false;
            v = v * 10 + (buf[i] - '0');
        }
        if (neg) v = -v;
        if (v < long.MinValue || v > long.MaxValue) return false;
        value = (long)v;
        return true;
    }

    /// <summary>sdssplitargs: the line is a C string, so reading past its end yields NUL.</summary>
    public static List<byte[]>? SplitArgs(ReadOnlySpan<byte> line)
    {
        int p = 0;
        byte At(ReadOnlySpan<byte> l, int i) => i < l.Length ? l[i] : (byte)0;
        var result = new List<byte[]>();
        while (true)
        {
            while (At(line, p) != 0 && IsSpace(At(line, p))) p++;
            if (At(line, p) == 0) return result;
            var current = new List<byte>();
            bool inq = false, insq = false, done = false;
            while (!done)
            {
                byte c = At(line, p);
                if (inq)
                {
                    if (c == '\\' && At(line, p + 1) == 'x' && IsHex(At(line, p + 2)) && IsHex(At(line, p + 3)))
                    {
                        current.Add(Convert.ToByte(Encoding.ASCII.GetString([At(line, p + 2), At(line, p + 3)]), 16));
                        p += 3;
                    }
                    else if (c == '\\' && At(line, p + 1) != 0)
                    {
                        p++;
                        byte e = At(line, p);
                        current.Add(e switch { (byte)'n' => 10, (byte)'r' => 13, (byte)'t' => 9, (byte)'b' => 8, (byte)'a' => 7, _ => e });
                    }
                    else if (c == '"')
                    {
                        if (At(line, p + 1) != 0 && !IsSpace(At(line, p + 1))) return null;
                        done = true;
                    }
                    else if (c == 0) return null;
                    else current.Add(c);
                }
                else if (insq)
                {
                    if (c == '\\' && At(line, p + 1) == '\'')
                    {
                        p++;
                        current.Add((byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        if (At(line, p + 1) != 0 && !IsSpace(At(line, p + 1))) return null;
                        done = true;
                    }
                    else if (c == 0) return null;
                    else current.Add(c);
                }
                else
                {
                    switch (c)
                    {
                        case (byte)' ': case (byte)'\n': case (byte)'\r': case (byte)'\t': case 0:
                            done = true;
                            break;
                        case (byte)'"': inq = true; break;
                        case (byte)'\'': insq = true; break;
                        default: current.Add(c); break;
                    }
                }
                if (At(line, p) != 0) p++;
            }
            result.Add(current.ToArray());
        }
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';
}
