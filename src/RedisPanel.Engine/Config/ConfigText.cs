// The text forms of config values as Redis reads and writes them: memtoull units, C strtoll/strtol, string2ll,
// sdscatrepr quoting, rewriteConfigFormatMemory, and the notify-keyspace-events class letters.
using System.Globalization;
using System.Text;

namespace RedisPanel.Engine.Config;

public static class ConfigText
{
    /// <summary>
    /// Redis's memtoull: digits then an optional unit b, k (1000), kb (1024), m, mb, g, gb, case-insensitive.
    /// A leading '-' fails. Quirks kept: no digits means 0 ("" and "k" are 0), overflow saturates or wraps
    /// like the C code (strtoull clamps, the unit multiply wraps).
    /// </summary>
    public static bool TryParseMemory(string s, out ulong value)
    {
        value = 0;
        if (s.StartsWith('-')) return false;
        int u = 0;
        while (u < s.Length && s[u] >= '0' && s[u] <= '9') u++;
        string unit = s[u..].ToLowerInvariant();
        ulong mul = unit switch
        {
            "" or "b" => 1,
            "k" => 1000,
            "kb" => 1024,
            "m" => 1000 * 1000,
            "mb" => 1024 * 1024,
            "g" => 1000UL * 1000 * 1000,
            "gb" => 1024UL * 1024 * 1024,
            _ => 0,
        };
        if (mul == 0 || u >= 128) return false;
        ulong v = 0;
        for (int i = 0; i < u; i++)
        {
            ulong d = (ulong)(s[i] - '0');
            if (v > (ulong.MaxValue - d) / 10)
            {
                v = ulong.MaxValue; // strtoull's ERANGE result, which memtoull does not check
                break;
            }
            v = v * 10 + d;
        }
        value = unchecked(v * mul);
        return true;
    }

    /// <summary>Redis's string2ll: optional '-', no '+', no leading zeros, no spaces, 64-bit range.</summary>
    public static bool TryParseStrictLong(string s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 20) return false;
        Span<byte> b = stackalloc byte[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] > 127) return false;
            b[i] = (byte)s[i];
        }
        return Protocol.RespParser.TryParseLong(b, out value);
    }

    /// <summary>
    /// C's strtoll(s, &amp;end, base) as Redis uses it: leading white space, a sign, digits; <paramref name="complete"/>
    /// tells whether the whole string was consumed (*end == '\0'). No digits gives 0 with end at the start.
    /// Overflow saturates (ERANGE).
    /// </summary>
    public static long CStrtoll(string s, int radix, out bool complete, out bool overflow)
    {
        int i = 0;
        overflow = false;
        while (i < s.Length && (s[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')) i++;
        bool neg = false;
        int signPos = i;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            neg = s[i] == '-';
            i++;
        }
        int start = i;
        Int128 v = 0;
        while (i < s.Length)
        {
            int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1;
            if (d < 0 || d >= radix) break;
            v = v * radix + d;
            if (v > (Int128)long.MaxValue + 1) v = (Int128)long.MaxValue + 2; // keep saturated
            i++;
        }
        if (i == start)
        {
            complete = s.Length == 0; // end == start of string
            _ = signPos;
            return 0;
        }
        complete = i == s.Length;
        if (neg) v = -v;
        if (v > long.MaxValue) { overflow = true; return long.MaxValue; }
        if (v < long.MinValue) { overflow = true; return long.MinValue; }
        return (long)v;
    }

    /// <summary>Redis's sdscatrepr: a double-quoted C-escaped string (used by CONFIG REWRITE and for command-line options).</summary>
    public static string Repr(string value) => RedisEngine.Quote(Encoding.UTF8.GetBytes(value));

    /// <summary>Redis's rewriteConfigFormatMemory: 1gb, 64mb, 16kb, or plain bytes.</summary>
    public static string FormatMemory(long bytes)
    {
        const long gb = 1024 * 1024 * 1024, mb = 1024 * 1024, kb = 1024;
        if (bytes != 0 && bytes % gb == 0) return (bytes / gb).ToString(CultureInfo.InvariantCulture) + "gb";
        if (bytes != 0 && bytes % mb == 0) return (bytes / mb).ToString(CultureInfo.InvariantCulture) + "mb";
        if (bytes != 0 && bytes % kb == 0) return (bytes / kb).ToString(CultureInfo.InvariantCulture) + "kb";
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    // notify-keyspace-events classes (Redis's NOTIFY_* bits in server.h).
    public const int NotifyKeyspace = 1 << 0, NotifyKeyevent = 1 << 1, NotifyGeneric = 1 << 2, NotifyString = 1 << 3,
        NotifyList = 1 << 4, NotifySet = 1 << 5, NotifyHash = 1 << 6, NotifyZset = 1 << 7, NotifyExpired = 1 << 8,
        NotifyEvicted = 1 << 9, NotifyStream = 1 << 10, NotifyKeyMiss = 1 << 11, NotifyModule = 1 << 13, NotifyNew = 1 << 14;

    /// <summary>'A' covers every class except key-miss and new (as in Redis).</summary>
    public const int NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZset |
        NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule;

    /// <summary>Redis's keyspaceEventsStringToFlags: -1 on an unknown letter.</summary>
    public static int ParseNotifyFlags(string classes)
    {
        int flags = 0;
        foreach (char c in classes)
        {
            flags |= c switch
            {
                'A' => NotifyAll,
                'g' => NotifyGeneric,
                '$' => NotifyString,
                'l' => NotifyList,
                's' => NotifySet,
                'h' => NotifyHash,
                'z' => NotifyZset,
                'x' => NotifyExpired,
                'e' => NotifyEvicted,
                'K' => NotifyKeyspace,
                'E' => NotifyKeyevent,
                't' => NotifyStream,
                'm' => NotifyKeyMiss,
                'd' => NotifyModule,
                'n' => NotifyNew,
                _ => int.MinValue,
            };
            if (flags < 0) return -1;
        }
        return flags;
    }

    /// <summary>Redis's keyspaceEventsFlagsToString (the canonical letter order CONFIG GET shows).</summary>
    public static string FormatNotifyFlags(int flags)
    {
        var sb = new StringBuilder();
        if ((flags & NotifyAll) == NotifyAll) sb.Append('A');
        else
        {
            if ((flags & NotifyGeneric) != 0) sb.Append('g');
            if ((flags & NotifyString) != 0) sb.Append('$');
            if ((flags & NotifyList) != 0) sb.Append('l');
            if ((flags & NotifySet) != 0) sb.Append('s');
            if ((flags & NotifyHash) != 0) sb.Append('h');
            if ((flags & NotifyZset) != 0) sb.Append('z');
            if ((flags & NotifyExpired) != 0) sb.Append('x');
            if ((flags & NotifyEvicted) != 0) sb.Append('e');
            if ((flags & NotifyStream) != 0) sb.Append('t');
            if ((flags & NotifyModule) != 0) sb.Append('d');
            if ((flags & NotifyNew) != 0) sb.Append('n');
        }
        if ((flags & NotifyKeyspace) != 0) sb.Append('K');
        if ((flags & NotifyKeyevent) != 0) sb.Append('E');
        if ((flags & NotifyKeyMiss) != 0) sb.Append('m');
        return sb.ToString();
    }

    /// <summary>C's strerror text for the exceptions file operations throw here.</summary>
    public static string StrError(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        PathTooLongException => "File name too long",
        _ => ex.Message,
    };
}
