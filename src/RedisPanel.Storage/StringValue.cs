// String values. A plain byte[] is the common, immutable representation (Redis's "int"/"embstr"/"raw" is
// derived from its content and length); MutableString holds strings grown in place by APPEND, SETRANGE and
// SETBIT (Redis's "raw" sds with free space), so repeated appends are amortised O(1).
using System.Buffers.Text;

namespace RedisPanel.Storage;

public sealed class MutableString
{
    public byte[] Buffer;
    public int Length;

    /// <summary>The keyspace snapshot epoch this value was created or copied in (copy-on-write; see KeyspaceSnapshot).</summary>
    internal int SnapshotEpoch;

    public MutableString(ReadOnlySpan<byte> initial, int extra = 0)
    {
        Buffer = new byte[Math.Max(initial.Length + extra, 8)];
        initial.CopyTo(Buffer);
        Length = initial.Length;
    }

    public ReadOnlySpan<byte> Span => new(Buffer, 0, Length);

    /// <summary>Grows to at least <paramref name="length"/> bytes, zero-filling the new part.</summary>
    public void EnsureLength(int length)
    {
        if (length <= Length) return;
        if (length > Buffer.Length)
        {
            // sds's greedy growth: double below 1 MB, then +1 MB.
            int capacity = length < 1024 * 1024 ? length * 2 : length + 1024 * 1024;
            Array.Resize(ref Buffer, capacity);
        }
        Array.Clear(Buffer, Length, length - Length);
        Length = length;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        int start = Length;
        EnsureLength(Length + data.Length);
        data.CopyTo(Buffer.AsSpan(start));
    }
}

public static class StringValue
{
    /// <summary>
    /// Plain string arrays up to this length may be shared between keys (COPY) and marked by
    /// <see cref="MarkCreatedAsText"/>; longer ones belong to exactly one key, so a SET of the same length may
    /// overwrite them in place (<see cref="RedisDatabase.SetString"/>).
    /// </summary>
    public const int MaxSharedLength = 20;

    /// <summary>Values at least this long go to the pinned object heap (same policy and reason as ArgList.ToArray
    /// in Protocol: long-lived values are not copied gen0 → gen1 → gen2, and the pinned heap is never compacted).</summary>
    public const int LongLivedThreshold = 512;

    /// <summary>A new array holding a copy of <paramref name="value"/>, pinned when long (see <see cref="LongLivedThreshold"/>).</summary>
    public static byte[] NewArray(ReadOnlySpan<byte> value)
    {
        if (value.Length < LongLivedThreshold) return value.ToArray();
        var copy = GC.AllocateUninitializedArray<byte>(value.Length, pinned: true);
        value.CopyTo(copy);
        return copy;
    }

    /// <summary>True when <paramref name="value"/> is a string value (byte[] or MutableString).</summary>
    public static bool IsString(object value) => value is byte[] or MutableString;

    public static ReadOnlySpan<byte> AsSpan(object value) => value switch
    {
        byte[] b => b,
        MutableString m => m.Span,
        _ => throw new InvalidOperationException("not a string value"),
    };

    /// <summary>Redis's OBJECT ENCODING for a string: int (fits a long, canonical), embstr (≤ 44 bytes) or raw.</summary>
    public static string Encoding(object value)
    {
        if (value is MutableString) return "raw";
        var b = (byte[])value;
        if (b.Length <= 20 && IsCanonicalInteger(b) && !CreatedAsText.TryGetValue(b, out _)) return "int";
        return b.Length <= 44 ? "embstr" : "raw";
    }

    /// <summary>
    /// Marks a value Redis creates as a plain string object without trying the int encoding (INCRBYFLOAT's
    /// createStringObjectFromLongDouble): OBJECT ENCODING then says embstr even for "3". Encoding belongs to the
    /// object in Redis, so the mark follows this array through RENAME, MOVE and COPY (which share it) and is gone
    /// once a command stores a new array (SET, INCR ...). Returns <paramref name="value"/>.
    /// </summary>
    public static byte[] MarkCreatedAsText(byte[] value)
    {
        // Only integer-looking text needs the mark; the table holds arrays weakly, so dropped values leave it.
        if (value.Length <= 20 && IsCanonicalInteger(value)) CreatedAsText.AddOrUpdate(value, Marker);
        return value;
    }

    private static readonly object Marker = new();

    /// <summary>Arrays marked by <see cref="MarkCreatedAsText"/>, keyed by identity (per value, not process state).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], object> CreatedAsText = new();

    /// <summary>True when the bytes are exactly how a 64-bit integer prints (no '+', no leading zeros).</summary>
    public static bool IsCanonicalInteger(ReadOnlySpan<byte> text)
    {
        if (text.Length == 0 || !Utf8Parser.TryParse(text, out long v, out int consumed) || consumed != text.Length) return false;
        Span<byte> back = stackalloc byte[20];
        return Utf8Formatter.TryFormat(v, back, out int n) && back[..n].SequenceEqual(text);
    }
}
