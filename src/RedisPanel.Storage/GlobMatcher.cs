namespace RedisPanel.Storage;

/// <summary>
/// Redis's glob matching (stringmatchlen in src/util.c): '*', '?', '[abc]', '[^a-z]' ranges, '\' escapes,
/// optional case folding. Used by KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE.
/// </summary>
public static class GlobMatcher
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool noCase = false)
        => Match(pattern, text, noCase, 0);

    private static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> str, bool noCase, int nesting)
    {
        // Redis bounds recursion depth on pathological patterns ("*****...") the same way.
        if (nesting > 1000) return false;
        int p = 0, s = 0;
        while (p < pattern.Length && s < str.Length)
        {
            switch (pattern[p])
            {
                case (byte)'*':
                    while (p + 1 < pattern.Length && pattern[p + 1] == (byte)'*') p++;
                    if (p + 1 == pattern.Length) return true;
                    while (s < str.Length)
                    {
                        if (Match(pattern[(p + 1)..], str[s..], noCase, nesting + 1)) return true;
                        s++;
                    }
                    return false;
                case (byte)'?':
                    s++;
                    break;
                case (byte)'[':
                {
                    p++;
                    bool not = p < pattern.Length && pattern[p] == (byte)'^';
                    if (not) p++;
                    bool match = false;
                    while (true)
                    {
                        if (p < pattern.Length && pattern[p] == (byte)'\\' && pattern.Length - p >= 2)
                        {
                            p++;
                            if (pattern[p] == str[s]) match = true;
                        }
                        else if (p >= pattern.Length || pattern[p] == (byte)']')
                        {
                            break;
                        }
                        else if (pattern.Length - p >= 3 && pattern[p + 1] == (byte)'-')
                        {
                            int start = pattern[p], end = pattern[p + 2], c = str[s];
                            if (start > end) (start, end) = (end, start);
                            if (noCase)
                            {
                                start = Lower(start);
                                end = Lower(end);
                                c = Lower(c);
                            }
                            p += 2;
                            if (c >= start && c <= end) match = true;
                        }
                        else if (noCase ? Lower(pattern[p]) == Lower(str[s]) : pattern[p] == str[s])
                        {
                            match = true;
                        }
                        p++;
                    }
                    if (p >= pattern.Length) p = pattern.Length - 1; // unterminated class: Redis treats end as ']'
                    if (not) match = !match;
                    if (!match) return false;
                    s++;
                    break;
                }
                case (byte)'\\':
                    if (pattern.Length - p >= 2) p++;
                    goto default;
                default:
                    if (noCase ? Lower(pattern[p]) != Lower(str[s]) : pattern[p] != str[s]) return false;
                    s++;
                    break;
            }
            p++;
            if (s == str.Length)
            {
                while (p < pattern.Length && pattern[p] == (byte)'*') p++;
                break;
            }
        }
        return p == pattern.Length && s == str.Length;
    }

    private static int Lower(int c) => c >= 'A' && c <= 'Z' ? c + 32 : c;
}
