// KEYS and SCAN (Redis's keysCommand / scanGenericCommand in src/db.c). SCAN walks KeyTable's buckets with
// Redis's reverse-binary cursor, at most COUNT*10 bucket steps per call, then filters by MATCH, TYPE and expiry.
using System.Buffers.Text;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class KeyCommands
{
    private static void RegisterScan(CommandTable t)
    {
        t.Add("keys", 2, CommandFlags.ReadOnly, Keys);
        t.Add("scan", -2, CommandFlags.ReadOnly, Scan);
    }

    private static void Keys(CommandContext ctx)
    {
        var pattern = ctx.Args[1];
        bool all = pattern.Length == 1 && pattern[0] == (byte)'*';
        var db = ctx.Db;
        var found = new List<byte[]>();
        foreach (var entry in db.Main.Entries())
        {
            // Logically expired keys are skipped but not deleted (keyIsExpired, not expireIfNeeded).
            if ((all || GlobMatcher.IsMatch(pattern, entry.Key)) && !(db.ExpiresCount != 0 && db.IsExpired(entry.Key)))
                found.Add(entry.Key);
        }
        ctx.Reply.ArrayHeader(found.Count);
        foreach (var key in found) ctx.Reply.Bulk(key);
    }

    /// <summary>
    /// Redis's parseScanCursorOrReply: strtoul in base 10 over the whole argument (a leading '-' wraps around,
    /// the empty string is cursor 0); a leading space, trailing garbage or overflow is "invalid cursor".
    /// </summary>
    internal static bool TryParseCursor(ReadOnlySpan<byte> s, out ulong cursor)
    {
        cursor = 0;
        int nul = s.IndexOf((byte)0);
        if (nul >= 0) s = s[..nul]; // C stops at the first NUL
        if (s.Length == 0) return true;
        if (s[0] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r') return false;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }
        if (i == s.Length) return false; // "-" alone: strtoul parses nothing, eptr stays at '-'
        ulong v = 0;
        bool overflow = false;
        int start = i;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) break;
            if (v > (ulong.MaxValue - d) / 10) overflow = true;
            else v = v * 10 + d;
        }
        if (i == start) return false;
        if (i != s.Length || overflow) return false;
        cursor = negative ? 0 - v : v;
        return true;
    }

    private static void Scan(CommandContext ctx)
    {
        if (!TryParseCursor(ctx.Args[1], out ulong cursor))
        {
            ctx.Reply.Error("ERR invalid cursor");
            return;
        }
        long count = 10;
        int patternIndex = 0, typeIndex = 0;
        bool usePattern = false;
        for (int i = 2; i < ctx.Args.Count;)
        {
            int remaining = ctx.Args.Count - i;
            if (ctx.Args.Is(i, "count") && remaining >= 2)
            {
                if (!ctx.TryGetLong(i + 1, out count)) return;
                if (count < 1)
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }
                i += 2;
            }
            else if (ctx.Args.Is(i, "match") && remaining >= 2)
            {
                patternIndex = i + 1;
                var p = ctx.Args[patternIndex];
                usePattern = !(p.Length == 1 && p[0] == (byte)'*');
                i += 2;
            }
            else if (ctx.Args.Is(i, "type") && remaining >= 2)
            {
                typeIndex = i + 1;
                i += 2;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var db = ctx.Db;
        var keys = new List<byte[]>();
        long maxIterations = count > long.MaxValue / 10 ? long.MaxValue : count * 10;
        var table = db.Main;
        do
        {
            cursor = table.ScanStep(cursor, (key, _) => keys.Add(key));
        } while (cursor != 0 && maxIterations-- > 0 && keys.Count < count);

        // Filter in Redis's order: pattern, then type (a counted, non-touching lookup), then expiry.
        int kept = 0;
        for (int k = 0; k < keys.Count; k++)
        {
            var key = keys[k];
            if (usePattern && !GlobMatcher.IsMatch(ctx.Args[patternIndex], key)) continue;
            if (typeIndex != 0)
            {
                var value = ctx.LookupReadNoTouch(key);
                string type = value is null ? "none" : ValueTypes.TypeName(value);
                if (!EqualsIgnoreCase(ctx.Args[typeIndex], type)) continue;
            }
            if (db.ExpiresCount != 0 && db.Peek(key) is null) continue; // expireIfNeeded deletes on a master
            keys[kept++] = key;
        }

        ctx.Reply.ArrayHeader(2);
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(cursor, digits, out int n);
        ctx.Reply.Bulk(digits[..n]);
        ctx.Reply.ArrayHeader(kept);
        for (int k = 0; k < kept; k++) ctx.Reply.Bulk(keys[k]);
    }

    /// <summary>strcasecmp of a byte argument with an ASCII word.</summary>
    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> arg, string word)
    {
        if (arg.Length != word.Length) return false;
        for (int i = 0; i < arg.Length; i++)
        {
            int a = arg[i], b = word[i];
            if (a >= 'A' && a <= 'Z') a += 32;
            if (b >= 'A' && b <= 'Z') b += 32;
            if (a != b) return false;
        }
        return true;
    }
}
