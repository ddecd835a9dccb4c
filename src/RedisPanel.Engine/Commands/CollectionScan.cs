// HSCAN / SSCAN (and ZSCAN later) argument handling and reply, as Redis's scanGenericCommand for a value:
// the cursor is parsed before the key lookup, the options after it (so a missing key answers the empty scan
// even with bad options); compact encodings return everything at once with cursor 0.
using System.Buffers.Text;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

internal static class CollectionScan
{
    /// <summary>Redis's parseScanCursorOrReply (strtoul: optional sign, no spaces, no trailing bytes).</summary>
    public static bool TryParseCursor(CommandContext ctx, int index, out ulong cursor)
    {
        var s = ctx.Args[index];
        cursor = 0;
        bool negative = s.Length > 0 && s[0] == (byte)'-';
        var digits = s.Length > 0 && (s[0] == (byte)'-' || s[0] == (byte)'+') ? s[1..] : s;
        if (digits.Length > 0 && digits[0] >= '0' && digits[0] <= '9'
            && Utf8Parser.TryParse(digits, out ulong v, out int consumed) && consumed == digits.Length)
        {
            cursor = negative ? unchecked(0UL - v) : v;
            return true;
        }
        ctx.Reply.Error(Errors.InvalidCursor);
        return false;
    }

    /// <summary>COUNT and MATCH options from argument 3 on. <paramref name="pattern"/> is null for "match all".</summary>
    public static bool TryParseOptions(CommandContext ctx, out long count, out byte[]? pattern)
    {
        count = 10;
        pattern = null;
        int i = 3;
        while (i < ctx.Args.Count)
        {
            int left = ctx.Args.Count - i;
            if (ctx.Args.Is(i, "count") && left >= 2)
            {
                if (!ctx.TryGetLong(i + 1, out count)) return false;
                if (count < 1)
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return false;
                }
                i += 2;
            }
            else if (ctx.Args.Is(i, "match") && left >= 2)
            {
                var p = ctx.Args[i + 1];
                pattern = p.Length == 1 && p[0] == (byte)'*' ? null : p.ToArray();
                i += 2;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return false;
            }
        }
        return true;
    }

    /// <summary>Runs dictScan steps over a table until <paramref name="count"/> items were visited or
    /// count*10 buckets were tried (Redis's bound), and returns the next cursor.</summary>
    public static ulong ScanTable<T>(KeyTable<T> table, ulong cursor, long count, Action<byte[], T> visit, Func<int> collected)
    {
        long maxIterations = count * 10;
        do
        {
            cursor = table.ScanStep(cursor, visit);
        } while (cursor != 0 && maxIterations-- > 0 && collected() < count);
        return cursor;
    }

    public static void ReplyEmpty(CommandContext ctx)
    {
        ctx.Reply.ArrayHeader(2);
        ctx.Reply.Bulk("0"u8);
        ctx.Reply.ArrayHeader(0);
    }

    public static bool Matches(byte[]? pattern, ReadOnlySpan<byte> item) => pattern is null || GlobMatcher.IsMatch(pattern, item);
}
