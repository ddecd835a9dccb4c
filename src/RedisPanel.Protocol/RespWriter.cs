// Writes RESP2/RESP3 replies into an IBufferWriter<byte>. One instance per client; Protocol is switched by HELLO.
// RESP3 types degrade to their RESP2 forms exactly as Redis 7.0's addReply* functions do (src/networking.c).
using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace RedisPanel.Protocol;

public sealed class RespWriter
{
    private static readonly byte[] OkBytes = "+OK\r\n"u8.ToArray();
    private static readonly byte[] Null2 = "$-1\r\n"u8.ToArray();
    private static readonly byte[] NullArray2 = "*-1\r\n"u8.ToArray();
    private static readonly byte[] Null3 = "_\r\n"u8.ToArray();
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();
    private static readonly byte[][] SmallInts = Enumerable.Range(0, 10001).Select(i => Encoding.ASCII.GetBytes($":{i}\r\n")).ToArray();

    private IBufferWriter<byte> _out;

    public RespWriter(IBufferWriter<byte> output) => _out = output;

    /// <summary>2 or 3; set by HELLO.</summary>
    public int Protocol { get; set; } = 2;

    public bool IsResp3 => Protocol == 3;

    public IBufferWriter<byte> Output => _out;

    /// <summary>Called with every error message written (the engine counts total_error_replies and errorstats).</summary>
    public Action<string>? ErrorObserver { get; set; }

    /// <summary>Redirects the writer (used to render a reply into a scratch buffer, e.g. for the dashboard console).</summary>
    public IBufferWriter<byte> Redirect(IBufferWriter<byte> output)
    {
        var old = _out;
        _out = output;
        return old;
    }

    public void Ok() => _out.Write(OkBytes);

    public void Raw(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    public void SimpleString(string text)
    {
        var span = _out.GetSpan(text.Length + 3);
        span[0] = (byte)'+';
        int n = Encoding.Latin1.GetBytes(text, span[1..]);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        _out.Advance(n + 3);
    }

    public void SimpleString(ReadOnlySpan<byte> text)
    {
        var span = _out.GetSpan(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        _out.Advance(text.Length + 3);
    }

    /// <summary>An error reply; <paramref name="message"/> starts with its code ("ERR ...", "WRONGTYPE ...").
    /// Newlines are replaced by spaces, as Redis does, so the reply stays one line.</summary>
    public void Error(string message)
    {
        ErrorObserver?.Invoke(message);
        var span = _out.GetSpan(message.Length + 3);
        span[0] = (byte)'-';
        int n = Encoding.Latin1.GetBytes(message, span[1..]);
        for (int i = 1; i <= n; i++) if (span[i] is (byte)'\r' or (byte)'\n') span[i] = (byte)' ';
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        _out.Advance(n + 3);
    }

    public void Integer(long value)
    {
        if ((ulong)value < (ulong)SmallInts.Length)
        {
            _out.Write(SmallInts[value]);
            return;
        }
        Prefixed((byte)':', value);
    }

    public void Bulk(ReadOnlySpan<byte> value)
    {
        var span = _out.GetSpan(value.Length + 24);
        span[0] = (byte)'$';
        Utf8Formatter.TryFormat(value.Length, span[1..], out int n);
        int p = n + 1;
        span[p++] = (byte)'\r';
        span[p++] = (byte)'\n';
        value.CopyTo(span[p..]);
        p += value.Length;
        span[p++] = (byte)'\r';
        span[p++] = (byte)'\n';
        _out.Advance(p);
    }

    /// <summary>A text as a bulk string. Engine strings are byte strings (Latin-1, see ArgList.GetString).</summary>
    public void Bulk(string value) => Bulk(Encoding.Latin1.GetBytes(value));

    /// <summary>An integer as a bulk string ("$2\r\n42\r\n"), as Redis's addReplyBulkLongLong.</summary>
    public void BulkInteger(long value)
    {
        Span<byte> tmp = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, tmp, out int n);
        Bulk(tmp[..n]);
    }

    /// <summary>The null bulk string: "$-1" in RESP2, "_" in RESP3.</summary>
    public void Null() => _out.Write(IsResp3 ? Null3 : Null2);

    /// <summary>The null array: "*-1" in RESP2, "_" in RESP3.</summary>
    public void NullArray() => _out.Write(IsResp3 ? Null3 : NullArray2);

    public void ArrayHeader(long count) => Prefixed((byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> entries: "%n" in RESP3, a flat array of 2n in RESP2.</summary>
    public void MapHeader(long pairs)
    {
        if (IsResp3) Prefixed((byte)'%', pairs);
        else Prefixed((byte)'*', pairs * 2);
    }

    public void SetHeader(long count) => Prefixed(IsResp3 ? (byte)'~' : (byte)'*', count);

    public void PushHeader(long count) => Prefixed(IsResp3 ? (byte)'>' : (byte)'*', count);

    public void Bool(bool value)
    {
        if (IsResp3) _out.Write(value ? "#t\r\n"u8 : "#f\r\n"u8);
        else Integer(value ? 1 : 0);
    }

    /// <summary>A double as Redis 7.0's addReplyDouble: "%.17g", inf/-inf spelled out; ",x" in RESP3.</summary>
    public void Double(double value)
    {
        string text = FormatDouble(value);
        if (IsResp3)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            var span = _out.GetSpan(bytes.Length + 3);
            span[0] = (byte)',';
            bytes.CopyTo(span[1..]);
            span[bytes.Length + 1] = (byte)'\r';
            span[bytes.Length + 2] = (byte)'\n';
            _out.Advance(bytes.Length + 3);
        }
        else Bulk(text);
    }

    /// <summary>Verbatim text ("=len\r\ntxt:...") in RESP3, a bulk string in RESP2 (INFO, CLIENT LIST ...).</summary>
    public void Verbatim(string text, string format = "txt")
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        if (!IsResp3)
        {
            Bulk(bytes);
            return;
        }
        Prefixed((byte)'=', bytes.Length + 4);
        _out.Write(Encoding.ASCII.GetBytes(format + ":"));
        _out.Write(bytes);
        _out.Write(Crlf);
    }

    /// <summary>"%.17g" with C's spelling (lower-case exponent, at least two exponent digits), "inf"/"-inf", "nan".</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (double.IsNaN(value)) return "nan";
        if (value == 0) return double.IsNegative(value) ? "-0" : "0";
        string s = value.ToString("G17", CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        if (e < 0) return s;
        // .NET: "1.2345E+20" / "1E-05"; C: "1.2345e+20" / "1e-05"
        string mantissa = s[..e];
        char sign = s[e + 1];
        string digits = s[(e + 2)..].TrimStart('0');
        if (digits.Length < 2) digits = digits.PadLeft(2, '0');
        return mantissa + "e" + sign + digits;
    }

    private void Prefixed(byte prefix, long value)
    {
        var span = _out.GetSpan(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out int n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        _out.Advance(n + 3);
    }
}
