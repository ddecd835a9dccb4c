// LZF, the compression Redis applies to RDB strings longer than 20 bytes (src/lzf_c.c, src/lzf_d.c).
// Format: a control byte below 32 starts a run of (c+1) literal bytes; otherwise it is a back reference of
// length (c>>5)+2 (7 means "add the next byte") at distance ((c&0x1f)<<8 | next byte) + 1.
namespace RedisPanel.Storage.Rdb;

public static class Lzf
{
    private const int MaxLiteral = 32;
    private const int MaxOffset = 1 << 13;
    private const int MaxMatch = (1 << 8) + (1 << 3); // 264: the stored length byte (len - 2 - 7) tops out at 255
    private const int HashLog = 14;

    [ThreadStatic] private static int[]? _table;

    /// <summary>
    /// Decompresses <paramref name="input"/> into exactly <paramref name="output"/>.Length bytes.
    /// False when the data is malformed or does not produce exactly that length.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0, op = 0;
        while (ip < input.Length)
        {
            int c = input[ip++];
            if (c < 32)
            {
                int len = c + 1;
                if (ip + len > input.Length || op + len > output.Length) return false;
                input.Slice(ip, len).CopyTo(output[op..]);
                ip += len;
                op += len;
                continue;
            }
            int length = c >> 5;
            if (length == 7)
            {
                if (ip >= input.Length) return false;
                length += input[ip++];
            }
            if (ip >= input.Length) return false;
            int reference = op - ((c & 0x1f) << 8) - input[ip++] - 1;
            length += 2;
            if (reference < 0 || op + length > output.Length) return false;
            // Byte by byte: the source may overlap the bytes being written (run-length style references).
            for (int k = 0; k < length; k++) output[op++] = output[reference++];
        }
        return op == output.Length;
    }

    /// <summary>
    /// Compresses into <paramref name="output"/>; returns the compressed length, or 0 when it does not fit
    /// (Redis then stores the string raw).
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length == 0) return 0;
        // Reused per thread and never cleared: a stale entry is only a candidate, checked below (candidate < ip
        // and the first three bytes equal), so it can cost ratio but never correctness.
        var table = _table ??= new int[1 << HashLog]; // positions + 1; 0 = empty
        int ip = 0, op = 0;
        int litStart = -1, lit = 0;

        bool StartLiteral(Span<byte> output, ref int op, ref int litStart, ref int lit)
        {
            if (op >= output.Length) return false;
            litStart = op++;
            lit = 0;
            return true;
        }

        if (!StartLiteral(output, ref op, ref litStart, ref lit)) return 0;
        while (ip < input.Length)
        {
            if (ip + 2 < input.Length)
            {
                int h = (int)((uint)((input[ip] << 16) | (input[ip + 1] << 8) | input[ip + 2]) * 2654435761u >> (32 - HashLog));
                int candidate = table[h] - 1;
                table[h] = ip + 1;
                int off = ip - candidate - 1;
                if (candidate >= 0 && candidate < ip && off < MaxOffset
                    && input[candidate] == input[ip] && input[candidate + 1] == input[ip + 1] && input[candidate + 2] == input[ip + 2])
                {
                    int max = Math.Min(MaxMatch, input.Length - ip);
                    int len = 3;
                    while (len < max && input[candidate + len] == input[ip + len]) len++;
                    // Close the pending literal run (or drop its unused control byte).
                    if (lit > 0) output[litStart] = (byte)(lit - 1);
                    else op--;
                    int l = len - 2;
                    int need = l < 7 ? 2 : 3;
                    if (op + need > output.Length) return 0;
                    if (l < 7) output[op++] = (byte)((l << 5) | (off >> 8));
                    else
                    {
                        output[op++] = (byte)((7 << 5) | (off >> 8));
                        output[op++] = (byte)(l - 7);
                    }
                    output[op++] = (byte)off;
                    ip += len;
                    if (!StartLiteral(output, ref op, ref litStart, ref lit)) return ip >= input.Length ? op : 0;
                    continue;
                }
            }
            if (op >= output.Length) return 0;
            output[op++] = input[ip++];
            if (++lit == MaxLiteral)
            {
                output[litStart] = MaxLiteral - 1;
                if (ip < input.Length && !StartLiteral(output, ref op, ref litStart, ref lit)) return 0;
                if (ip >= input.Length) return op;
            }
        }
        if (lit > 0) output[litStart] = (byte)(lit - 1);
        else op--;
        return op;
    }
}
