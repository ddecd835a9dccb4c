// Reply framing for the test client: finds where one RESP2/RESP3 reply ends, splits aggregates into elements,
// and escapes bytes for readable failure messages. Independent of src/RedisPanel.Protocol on purpose, so a bug
// there cannot hide itself in the tests.
using System.Text;

namespace RedisPanel.Interop.Tests.Infrastructure;

public static class RespFraming
{
    /// <summary>Length of the first complete reply in <paramref name="buf"/>, or -1 when it is incomplete.</summary>
    /// <exception cref="InvalidDataException">The bytes are not RESP.</exception>
    public static int FrameLength(ReadOnlySpan<byte> buf)
    {
        int pos = 0;
        return Skip(buf, ref pos, 0) ? pos : -1;
    }

    private static bool Skip(ReadOnlySpan<byte> buf, ref int pos, int depth)
    {
        if (depth > 1000) throw new InvalidDataException("reply nested too deeply");
        if (pos >= buf.Length) return false;
        byte type = buf[pos];
        int lineEnd = buf[pos..].IndexOf("\r\n"u8);
        if (lineEnd < 0) return false;
        var header = buf.Slice(pos + 1, lineEnd - 1);
        int next = pos + lineEnd + 2;
        switch (type)
        {
            case (byte)'+': case (byte)'-': case (byte)':': case (byte)'_': case (byte)',': case (byte)'#': case (byte)'(':
                pos = next;
                return true;
            case (byte)'$': case (byte)'=': case (byte)'!':
            {
                long len = ParseLength(header);
                if (len < 0) { pos = next; return true; }
                if (buf.Length - next < len + 2) return false;
                pos = next + (int)len + 2;
                return true;
            }
            case (byte)'*': case (byte)'~': case (byte)'>': case (byte)'%': case (byte)'|':
            {
                long count = ParseLength(header);
                if (type is (byte)'%' or (byte)'|') count *= 2;
                pos = next;
                for (long i = 0; i < count; i++)
                    if (!Skip(buf, ref pos, depth + 1)) return false;
                // An attribute is followed by the reply it annotates.
                return type != (byte)'|' || Skip(buf, ref pos, depth + 1);
            }
            default:
                throw new InvalidDataException($"not a RESP reply type: {Escape(buf[pos..Math.Min(buf.Length, pos + 40)])}");
        }
    }

    private static long ParseLength(ReadOnlySpan<byte> s)
    {
        if (!long.TryParse(Encoding.ASCII.GetString(s), out long v)) throw new InvalidDataException("bad length " + Escape(s));
        return v;
    }

    /// <summary>
    /// Splits a top-level aggregate reply into its header line and its elements (map entries stay key+value
    /// together); null when the reply is not an aggregate or is a null aggregate.
    /// </summary>
    public static (byte[] Header, List<byte[]> Elements)? SplitAggregate(byte[] reply)
    {
        if (reply.Length == 0 || reply[0] is not ((byte)'*' or (byte)'~' or (byte)'>' or (byte)'%')) return null;
        int lineEnd = reply.AsSpan().IndexOf("\r\n"u8);
        long count = ParseLength(reply.AsSpan(1, lineEnd - 1));
        if (count < 0) return null;
        int per = reply[0] == (byte)'%' ? 2 : 1;
        int pos = lineEnd + 2;
        var elements = new List<byte[]>();
        for (long i = 0; i < count; i++)
        {
            int start = pos;
            for (int k = 0; k < per; k++)
                if (!Skip(reply, ref pos, 1)) throw new InvalidDataException("truncated aggregate");
            elements.Add(reply[start..pos]);
        }
        return (reply[..(lineEnd + 2)], elements);
    }

    /// <summary>An aggregate with its elements in byte order (for replies whose order Redis does not define).</summary>
    public static byte[] Sorted(byte[] reply)
    {
        var split = SplitAggregate(reply);
        if (split is null) return reply;
        var (header, elements) = split.Value;
        elements.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var ms = new MemoryStream();
        ms.Write(header);
        foreach (var e in elements) ms.Write(e);
        return ms.ToArray();
    }

    /// <summary>The reply's type byte, plus the first word for errors ("-ERR", "-WRONGTYPE").</summary>
    public static string TypeOf(byte[] reply)
    {
        if (reply.Length == 0) return "";
        if (reply[0] != (byte)'-') return ((char)reply[0]).ToString();
        int end = reply.AsSpan().IndexOfAny((byte)' ', (byte)'\r');
        return Encoding.Latin1.GetString(reply, 0, end < 0 ? reply.Length : end);
    }

    /// <summary>Bytes as a C-like escaped string: printable ASCII as is, \r \n \t \\ \" and \xHH otherwise.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes, int max = 2000)
    {
        var sb = new StringBuilder(bytes.Length + 2);
        sb.Append('"');
        int n = Math.Min(bytes.Length, max);
        for (int i = 0; i < n; i++)
        {
            byte b = bytes[i];
            switch (b)
            {
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                default:
                    if (b >= 0x20 && b < 0x7f) sb.Append((char)b);
                    else sb.Append("\\x").Append(b.ToString("x2"));
                    break;
            }
        }
        sb.Append('"');
        if (bytes.Length > max) sb.Append($" (... {bytes.Length - max} more bytes)");
        return sb.ToString();
    }
}
