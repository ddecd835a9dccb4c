// Score and lexicographic ranges of sorted-set commands, parsed exactly as Redis 7.0's zslParseRange and
// zslParseLexRange, and the C strtod rules those (and getDoubleFromObject) rely on.
using System.Globalization;

namespace RedisPanel.Storage;

/// <summary>A score interval: "(1.5" is exclusive, "1.5" inclusive, "-inf"/"+inf" unbounded.</summary>
public readonly struct ScoreRange
{
    public ScoreRange(double min, double max, bool minEx, bool maxEx)
    {
        Min = min;
        Max = max;
        MinExclusive = minEx;
        MaxExclusive = maxEx;
    }

    public double Min { get; }
    public double Max { get; }
    public bool MinExclusive { get; }
    public bool MaxExclusive { get; }

    /// <summary>False for an empty interval (min &gt; max, or min == max with an exclusive end), as zslIsInRange.</summary>
    public bool CanContainAny => !(Min > Max || (Min == Max && (MinExclusive || MaxExclusive)));

    public bool GteMin(double v) => MinExclusive ? v > Min : v >= Min;

    public bool LteMax(double v) => MaxExclusive ? v < Max : v <= Max;

    /// <summary>Redis's zslParseRange: strtod of the whole item (after an optional '('), NaN refused.</summary>
    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out ScoreRange range)
    {
        range = default;
        if (!TryParseItem(min, out double lo, out bool loEx) || !TryParseItem(max, out double hi, out bool hiEx)) return false;
        range = new ScoreRange(lo, hi, loEx, hiEx);
        return true;
    }

    private static bool TryParseItem(ReadOnlySpan<byte> item, out double value, out bool exclusive)
    {
        exclusive = item.Length > 0 && item[0] == (byte)'(';
        if (exclusive) item = item[1..];
        int used = RedisDouble.Strtod(item, out value, out _);
        return used == item.Length && !double.IsNaN(value);
    }
}

/// <summary>A lexicographic interval: "[a" inclusive, "(a" exclusive, "-" and "+" the infinite ends.</summary>
public readonly struct LexRange
{
    private enum Bound : byte { Value, MinusInf, PlusInf }

    private readonly Bound _minKind, _maxKind;

    private LexRange(byte[] min, Bound minKind, bool minEx, byte[] max, Bound maxKind, bool maxEx)
    {
        Min = min;
        Max = max;
        _minKind = minKind;
        _maxKind = maxKind;
        MinExclusive = minEx;
        MaxExclusive = maxEx;
    }

    public byte[] Min { get; }
    public byte[] Max { get; }
    public bool MinExclusive { get; }
    public bool MaxExclusive { get; }

    /// <summary>False for an empty interval, as zslIsInLexRange's first test.</summary>
    public bool CanContainAny
    {
        get
        {
            int cmp = CompareBounds(Min, _minKind, Max, _maxKind);
            return !(cmp > 0 || (cmp == 0 && (MinExclusive || MaxExclusive)));
        }
    }

    public bool GteMin(ReadOnlySpan<byte> v)
    {
        int cmp = CompareValue(v, Min, _minKind);
        return MinExclusive ? cmp > 0 : cmp >= 0;
    }

    public bool LteMax(ReadOnlySpan<byte> v)
    {
        int cmp = CompareValue(v, Max, _maxKind);
        return MaxExclusive ? cmp < 0 : cmp <= 0;
    }

    /// <summary>Redis's zslParseLexRange: each item must be "-", "+", or start with '(' or '['.</summary>
    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out LexRange range)
    {
        range = default;
        if (!TryParseItem(min, out var lo, out var loKind, out bool loEx) || !TryParseItem(max, out var hi, out var hiKind, out bool hiEx))
            return false;
        range = new LexRange(lo, loKind, loEx, hi, hiKind, hiEx);
        return true;
    }

    private static bool TryParseItem(ReadOnlySpan<byte> item, out byte[] value, out Bound kind, out bool exclusive)
    {
        value = [];
        kind = Bound.Value;
        exclusive = false;
        if (item.Length == 0) return false;
        switch (item[0])
        {
            case (byte)'+':
                if (item.Length != 1) return false;
                kind = Bound.PlusInf;
                exclusive = true;
                return true;
            case (byte)'-':
                if (item.Length != 1) return false;
                kind = Bound.MinusInf;
                exclusive = true;
                return true;
            case (byte)'(':
                exclusive = true;
                value = item[1..].ToArray();
                return true;
            case (byte)'[':
                value = item[1..].ToArray();
                return true;
            default:
                return false;
        }
    }

    // sdscmplex: "-" is below every string, "+" above every string.
    private static int CompareValue(ReadOnlySpan<byte> v, byte[] bound, Bound kind) => kind switch
    {
        Bound.MinusInf => 1,
        Bound.PlusInf => -1,
        _ => v.SequenceCompareTo(bound),
    };

    private static int CompareBounds(byte[] a, Bound ak, byte[] b, Bound bk)
    {
        if (ak == bk && ak != Bound.Value) return 0;
        if (ak == Bound.MinusInf || bk == Bound.PlusInf) return -1;
        if (ak == Bound.PlusInf || bk == Bound.MinusInf) return 1;
        return a.AsSpan().SequenceCompareTo(b);
    }
}

/// <summary>Doubles parsed with C's strtod rules, as Redis does for scores, weights and ranges.</summary>
public static class RedisDouble
{
    /// <summary>
    /// C strtod on bytes: skips leading white space, accepts sign, decimal and hex ("0x1p4") forms, "inf",
    /// "infinity", "nan". Returns how many bytes were consumed (0 when nothing parses, value 0).
    /// <paramref name="outOfRange"/> is C's ERANGE (overflow to ±inf or underflow of a non-zero value).
    /// </summary>
    public static int Strtod(ReadOnlySpan<byte> s, out double value, out bool outOfRange)
    {
        value = 0;
        outOfRange = false;
        int i = 0;
        while (i < s.Length && IsSpace(s[i])) i++;
        bool negative = false;
        int signAt = i;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }
        if (MatchWord(s[i..], "infinity") is int infLen && infLen > 0)
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return i + infLen;
        }
        if (MatchWord(s[i..], "nan") == 3)
        {
            value = double.NaN;
            int j = i + 3;
            if (j < s.Length && s[j] == '(')
            {
                int k = j + 1;
                while (k < s.Length && (char.IsAsciiLetterOrDigit((char)s[k]) || s[k] == '_')) k++;
                if (k < s.Length && s[k] == ')') j = k + 1;
            }
            return j;
        }
        if (i + 1 < s.Length && s[i] == '0' && (s[i + 1] | 0x20) == 'x')
        {
            int hexEnd = ParseHex(s, i + 2, out double hv);
            if (hexEnd > 0)
            {
                value = negative ? -hv : hv;
                outOfRange = double.IsInfinity(hv);
                return hexEnd;
            }
        }
        int start = i;
        int digits = 0;
        bool nonZero = false;
        while (i < s.Length && IsDigit(s[i])) { nonZero |= s[i] != '0'; i++; digits++; }
        if (i < s.Length && s[i] == '.')
        {
            int j = i + 1;
            int frac = 0;
            while (j < s.Length && IsDigit(s[j])) { nonZero |= s[j] != '0'; j++; frac++; }
            if (digits + frac > 0)
            {
                i = j;
                digits += frac;
            }
        }
        if (digits == 0) return 0;
        if (i < s.Length && (s[i] | 0x20) == 'e')
        {
            int j = i + 1;
            if (j < s.Length && (s[j] == '+' || s[j] == '-')) j++;
            int expDigits = 0;
            while (j < s.Length && IsDigit(s[j])) { j++; expDigits++; }
            if (expDigits > 0) i = j;
        }
        Span<char> chars = stackalloc char[Math.Min(i - signAt, 512)];
        double parsed;
        if (i - signAt <= 512)
        {
            for (int k = signAt; k < i; k++) chars[k - signAt] = (char)s[k];
            parsed = double.Parse(chars, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        else
        {
            var text = System.Text.Encoding.ASCII.GetString(s[signAt..i]);
            parsed = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        _ = start;
        value = parsed;
        outOfRange = double.IsInfinity(parsed) || (parsed == 0 && nonZero);
        return i;
    }

    /// <summary>
    /// Redis's getDoubleFromObject: the whole string must parse, no leading space, no overflow or underflow to
    /// zero, not NaN. Failing inputs reply "value is not a valid float" (or the caller's message).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out double value)
    {
        if (s.Length == 0 || IsSpace(s[0]))
        {
            value = 0;
            return false;
        }
        if (TryParseSmallInteger(s, out value)) return true;
        int used = Strtod(s, out value, out bool range);
        if (used != s.Length || double.IsNaN(value)) return false;
        if (range && (double.IsInfinity(value) || value == 0)) return false;
        return true;
    }

    /// <summary>
    /// The common score form, an optionally signed run of at most 15 digits: below 10^15 every such integer is a
    /// double exactly, so summing the digits gives strtod's result (a "-0" gives -0.0, as strtod) without the
    /// general parser.
    /// </summary>
    private static bool TryParseSmallInteger(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        int i = s[0] == '-' || s[0] == '+' ? 1 : 0;
        if (s.Length - i is < 1 or > 15) return false;
        long n = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) return false;
            n = n * 10 + d;
        }
        value = s[0] == '-' ? -(double)n : n;
        return true;
    }

    private static int ParseHex(ReadOnlySpan<byte> s, int i, out double value)
    {
        value = 0;
        int digits = 0;
        int exp = 0;
        double mant = 0;
        while (i < s.Length && HexVal(s[i]) >= 0) { mant = mant * 16 + HexVal(s[i]); i++; digits++; }
        if (i < s.Length && s[i] == '.')
        {
            int j = i + 1;
            int frac = 0;
            while (j < s.Length && HexVal(s[j]) >= 0) { mant = mant * 16 + HexVal(s[j]); exp -= 4; j++; frac++; }
            if (digits + frac > 0) { i = j; digits += frac; }
        }
        if (digits == 0) return 0;
        if (i < s.Length && (s[i] | 0x20) == 'p')
        {
            int j = i + 1;
            bool neg = false;
            if (j < s.Length && (s[j] == '+' || s[j] == '-')) { neg = s[j] == '-'; j++; }
            int e = 0, ed = 0;
            while (j < s.Length && IsDigit(s[j])) { e = Math.Min(e * 10 + (s[j] - '0'), 100000); j++; ed++; }
            if (ed > 0) { i = j; exp += neg ? -e : e; }
        }
        value = Math.ScaleB(mant, exp);
        return i;
    }

    private static int HexVal(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Length of the case-insensitive match of "inf"/"infinity" (or "nan"); 0 when none.</summary>
    private static int MatchWord(ReadOnlySpan<byte> s, string word)
    {
        int n = 0;
        while (n < word.Length && n < s.Length && (s[n] | 0x20) == word[n]) n++;
        if (word == "infinity") return n == 8 ? 8 : n >= 3 ? 3 : 0;
        return n == word.Length ? n : 0;
    }

    private static bool IsDigit(byte c) => c >= '0' && c <= '9';

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
}
