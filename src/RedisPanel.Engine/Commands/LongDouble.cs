// INCRBYFLOAT computes in C's long double, which on x86-64 Redis builds is the x87 80-bit extended format
// (64-bit significand, exponent range ±16382, subnormals down to 2^-16445). .NET has no such type, so this
// emulates the three operations INCRBYFLOAT needs, exactly: strtold (correctly rounded, as glibc does), one
// addition (round to nearest even), and ld2string's LD_STR_HUMAN mode ("%.17Lf" then trailing zeros trimmed).
// Values are sign * Significand * 2^Exponent with BigInteger arithmetic: slow, but INCRBYFLOAT is not a hot path.
using System.Numerics;
using System.Text;

namespace RedisPanel.Engine.Commands;

/// <summary>An x87 80-bit long double value (finite or infinite; NaN is never kept).</summary>
public readonly struct LongDouble
{
    private const int SignificandBits = 64;
    /// <summary>Exponent of the lowest significand bit of the smallest subnormal (2^-16445).</summary>
    private const int MinLsbExponent = -16445;
    /// <summary>Largest exponent of the lowest bit of a finite value: (2^64-1) * 2^16320 is the maximum.</summary>
    private const int MaxLsbExponent = 16383 - 63;
    /// <summary>Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused by string2ld.</summary>
    private const int MaxChars = 5 * 1024;

    private static readonly BigInteger TenPow17 = BigInteger.Pow(10, 17);

    public readonly bool Negative;
    public readonly bool Infinite;
    public readonly BigInteger Significand; // < 2^64
    public readonly int Exponent;

    private LongDouble(bool negative, bool infinite, BigInteger significand, int exponent)
    {
        Negative = negative;
        Infinite = infinite;
        Significand = significand;
        Exponent = exponent;
    }

    public bool IsZero => !Infinite && Significand.IsZero;

    /// <summary>
    /// Redis's string2ld: strtold over the whole input; refuses empty or over-long input, a leading space,
    /// trailing garbage, NaN, and results that overflow to ±inf or underflow to zero (ERANGE).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        if (s.Length == 0 || s.Length >= MaxChars) return false;
        int nul = s.IndexOf((byte)0);
        if (nul >= 0) return false; // strtold stops at the NUL, so the parsed length differs
        if (s[0] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r') return false;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }
        var rest = s[i..];
        if (EqualsIgnoreCase(rest, "inf"u8) || EqualsIgnoreCase(rest, "infinity"u8))
        {
            value = new LongDouble(negative, true, BigInteger.Zero, 0);
            return true;
        }
        if (rest.Length >= 3 && EqualsIgnoreCase(rest[..3], "nan"u8)) return false;
        if (rest.Length > 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x' && IsHexStart(rest[2..]))
            return TryParseHex(rest[2..], negative, out value);
        return TryParseDecimal(rest, negative, out value);
    }

    private static bool IsHexStart(ReadOnlySpan<byte> s) =>
        HexValue(s[0]) >= 0 || (s[0] == (byte)'.' && s.Length > 1 && HexValue(s[1]) >= 0);

    private static bool TryParseDecimal(ReadOnlySpan<byte> s, bool negative, out LongDouble value)
    {
        value = default;
        int i = 0;
        var digits = new StringBuilder();
        int fractionDigits = 0;
        bool any = false;
        while (i < s.Length && IsDigit(s[i])) { digits.Append((char)s[i]); i++; any = true; }
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            while (i < s.Length && IsDigit(s[i])) { digits.Append((char)s[i]); i++; fractionDigits++; any = true; }
        }
        if (!any) return false;
        long exp10 = 0;
        if (i < s.Length && (s[i] | 0x20) == (byte)'e')
        {
            // An exponent is consumed only when at least one digit follows ("1e" leaves "e": trailing garbage).
            int j = i + 1;
            bool expNegative = false;
            if (j < s.Length && s[j] is (byte)'+' or (byte)'-') { expNegative = s[j] == (byte)'-'; j++; }
            if (j >= s.Length || !IsDigit(s[j])) return false;
            while (j < s.Length && IsDigit(s[j]))
            {
                if (exp10 < 1_000_000) exp10 = exp10 * 10 + (s[j] - '0');
                j++;
            }
            if (expNegative) exp10 = -exp10;
            i = j;
        }
        if (i != s.Length) return false;
        var mantissa = BigInteger.Parse(digits.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        if (mantissa.IsZero)
        {
            value = new LongDouble(negative, false, BigInteger.Zero, 0);
            return true;
        }
        exp10 -= fractionDigits;
        // Decimal exponent of the leading digit decides overflow / underflow before any big arithmetic.
        long lead = exp10 + mantissa.ToString().Length - 1;
        if (lead > 4933) return false;  // beyond LDBL_MAX (~1.19e4932): ERANGE with HUGE_VAL
        if (lead < -4952) return false; // below half the smallest subnormal (~3.6e-4951): ERANGE with zero
        BigInteger num = mantissa, den = BigInteger.One;
        if (exp10 >= 0) num *= BigInteger.Pow(10, (int)exp10);
        else den = BigInteger.Pow(10, (int)-exp10);
        value = Round(negative, num, den);
        return !value.Infinite && !value.IsZero;
    }

    private static bool TryParseHex(ReadOnlySpan<byte> s, bool negative, out LongDouble value)
    {
        value = default;
        int i = 0;
        BigInteger mantissa = BigInteger.Zero;
        long exp2 = 0;
        while (i < s.Length && HexValue(s[i]) >= 0) { mantissa = mantissa * 16 + HexValue(s[i]); i++; }
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            while (i < s.Length && HexValue(s[i]) >= 0) { mantissa = mantissa * 16 + HexValue(s[i]); exp2 -= 4; i++; }
        }
        if (i < s.Length && (s[i] | 0x20) == (byte)'p')
        {
            int j = i + 1;
            bool expNegative = false;
            if (j < s.Length && s[j] is (byte)'+' or (byte)'-') { expNegative = s[j] == (byte)'-'; j++; }
            if (j >= s.Length || !IsDigit(s[j])) return false;
            long e = 0;
            while (j < s.Length && IsDigit(s[j]))
            {
                if (e < 1_000_000) e = e * 10 + (s[j] - '0');
                j++;
            }
            exp2 += expNegative ? -e : e;
            i = j;
        }
        if (i != s.Length) return false;
        if (mantissa.IsZero)
        {
            value = new LongDouble(negative, false, BigInteger.Zero, 0);
            return true;
        }
        long top = exp2 + (long)mantissa.GetBitLength();
        if (top > 16384 + 1) return false;
        if (top < MinLsbExponent - 2) return false;
        BigInteger num = mantissa, den = BigInteger.One;
        if (exp2 >= 0) num <<= (int)exp2;
        else den <<= (int)-exp2;
        value = Round(negative, num, den);
        return !value.Infinite && !value.IsZero;
    }

    /// <summary>An integer value (exact: every long fits the 64-bit significand).</summary>
    public static LongDouble FromLong(long v) =>
        v == 0 ? default : Round(v < 0, BigInteger.Abs(new BigInteger(v)), BigInteger.One);

    /// <summary>a + b rounded to nearest even, as the x87 unit does in extended precision.</summary>
    public static LongDouble Add(LongDouble a, LongDouble b)
    {
        if (a.Infinite || b.Infinite)
        {
            if (a.Infinite && b.Infinite && a.Negative != b.Negative) return new LongDouble(false, true, BigInteger.Zero, int.MinValue); // NaN
            return a.Infinite ? a : b;
        }
        if (a.IsZero && b.IsZero) return new LongDouble(a.Negative && b.Negative, false, BigInteger.Zero, 0);
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        int e = Math.Min(a.Exponent, b.Exponent);
        BigInteger sa = a.Significand << (a.Exponent - e);
        BigInteger sb = b.Significand << (b.Exponent - e);
        BigInteger sum = (a.Negative ? -sa : sa) + (b.Negative ? -sb : sb);
        if (sum.IsZero) return default; // x + (-x) is +0 in round-to-nearest
        bool negative = sum.Sign < 0;
        sum = BigInteger.Abs(sum);
        return e >= 0 ? Round(negative, sum << e, BigInteger.One) : Round(negative, sum, BigInteger.One << -e);
    }

    /// <summary>
    /// C's <c>(long long)ceill(x * factor)</c> on x86-64 long doubles: the product is rounded to the 64-bit
    /// significand first (so -0.001 * 1000 is just above -1 and ceils to 0), and a result outside the long range
    /// (infinity included) converts to LLONG_MIN, the x87 "integer indefinite". Redis's blocking timeouts
    /// (getTimeoutFromObjectOrReply with UNIT_SECONDS) are computed this way.
    /// </summary>
    public long MultiplyCeilToInt64(int factor)
    {
        if (Infinite) return long.MinValue;
        if (IsZero || factor == 0) return 0;
        bool negative = Negative != factor < 0;
        BigInteger num = Significand * Math.Abs(factor);
        var product = Exponent >= 0 ? Round(negative, num << Exponent, BigInteger.One) : Round(negative, num, BigInteger.One << -Exponent);
        if (product.Infinite) return long.MinValue;
        BigInteger magnitude;
        if (product.Exponent >= 0) magnitude = product.Significand << product.Exponent;
        else
        {
            magnitude = BigInteger.DivRem(product.Significand, BigInteger.One << -product.Exponent, out var rest);
            // ceil rounds a positive fraction up; a negative one truncates toward zero (its magnitude floors).
            if (!negative && !rest.IsZero) magnitude += 1;
        }
        var result = negative ? -magnitude : magnitude;
        return result >= long.MinValue && result <= long.MaxValue ? (long)result : long.MinValue;
    }

    /// <summary>True for the NaN produced by inf + -inf (never stored).</summary>
    public bool IsNaN => Infinite && Exponent == int.MinValue;

    /// <summary>Rounds num/den (positive) to the nearest long double, ties to even.</summary>
    private static LongDouble Round(bool negative, BigInteger num, BigInteger den)
    {
        // Choose e so that num / den / 2^e lies in [2^63, 2^64).
        long e = (long)num.GetBitLength() - (long)den.GetBitLength() - SignificandBits;
        BigInteger q, r, d;
        while (true)
        {
            Scale(num, den, e, out q, out r, out d);
            if (q.GetBitLength() > SignificandBits) { e++; continue; }
            if (q.GetBitLength() < SignificandBits) { e--; continue; }
            break;
        }
        if (e < MinLsbExponent)
        {
            e = MinLsbExponent; // subnormal: fewer significant bits
            Scale(num, den, e, out q, out r, out d);
        }
        int cmp = (r * 2).CompareTo(d);
        if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += 1;
        if (q.GetBitLength() > SignificandBits)
        {
            q >>= 1;
            e++;
        }
        if (e > MaxLsbExponent) return new LongDouble(negative, true, BigInteger.Zero, 0);
        if (q.IsZero) return new LongDouble(negative, false, BigInteger.Zero, 0);
        return new LongDouble(negative, false, q, (int)e);
    }

    /// <summary>q, r with num / (den * 2^e) = q + r / d.</summary>
    private static void Scale(BigInteger num, BigInteger den, long e, out BigInteger q, out BigInteger r, out BigInteger d)
    {
        if (e >= 0)
        {
            d = den << (int)e;
            q = BigInteger.DivRem(num, d, out r);
        }
        else
        {
            d = den;
            q = BigInteger.DivRem(num << (int)-e, d, out r);
        }
    }

    /// <summary>
    /// ld2string(..., LD_STR_HUMAN): "%.17Lf" (glibc rounds the exact binary value, ties to even), then trailing
    /// zeros and a bare '.' removed, and "-0" written as "0". Infinity is "inf"/"-inf".
    /// </summary>
    public byte[] ToHumanString()
    {
        if (Infinite) return Negative ? "-inf"u8.ToArray() : "inf"u8.ToArray();
        BigInteger n;
        if (Exponent >= 0) n = (Significand << Exponent) * TenPow17;
        else
        {
            BigInteger d = BigInteger.One << -Exponent;
            n = BigInteger.DivRem(Significand * TenPow17, d, out var r);
            int cmp = (r * 2).CompareTo(d);
            if (cmp > 0 || (cmp == 0 && !n.IsEven)) n += 1;
        }
        string digits = n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(18, '0');
        string integerPart = digits[..^17];
        string fraction = digits[^17..].TrimEnd('0');
        string text = fraction.Length == 0 ? integerPart : integerPart + "." + fraction;
        if (Negative && text != "0") text = "-" + text;
        return Encoding.ASCII.GetBytes(text);
    }

    private static bool IsDigit(byte c) => c >= (byte)'0' && c <= (byte)'9';

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> lower)
    {
        if (a.Length != lower.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if ((a[i] | 0x20) != lower[i]) return false;
        return true;
    }
}
