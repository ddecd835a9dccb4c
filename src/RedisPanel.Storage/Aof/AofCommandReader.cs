// Reads the commands of an AOF file (RESP multibulk, as loadSingleAppendOnlyFile does): "#..." annotation lines
// (7.0's #TS: timestamps) are skipped; a file that ends inside a command is Truncated (aof-load-truncated
// cuts it at the last complete command); anything else that is not "*<n>" / "$<len>" is a format error.
namespace RedisPanel.Storage.Aof;

public enum AofReadStatus
{
    /// <summary>A command was read.</summary>
    Command,
    /// <summary>Clean end of file.</summary>
    End,
    /// <summary>The file ends inside a command (a torn last write).</summary>
    Truncated,
    /// <summary>Bytes that are not a command (a corrupt file).</summary>
    Format,
}

/// <summary>Sequential reader over an AOF file's bytes.</summary>
public sealed class AofCommandReader(byte[] data, int start = 0)
{
    // Redis reads the header lines with fgets into a 4 KB buffer (AOF_ANNOTATION_LINE_MAX_LEN is 1 KB); a
    // "*"/"$" line is short, so a longer line without CRLF is garbage.
    private const int MaxHeaderLine = 1024;

    /// <summary>Offset of the next unread byte: after a Command, the end of that command.</summary>
    public int Position { get; private set; } = start;

    /// <summary>Where the failing read started (for Truncated/Format messages).</summary>
    public int ErrorOffset { get; private set; }

    /// <summary>Reads the next command into <paramref name="args"/>.</summary>
    public AofReadStatus Next(out byte[][] args)
    {
        args = [];
        int p = Position;
        while (true)
        {
            if (p >= data.Length) return AofReadStatus.End;
            if (data[p] != '#') break;
            int eol = Array.IndexOf(data, (byte)'\n', p);
            if (eol < 0) { ErrorOffset = p; return AofReadStatus.Truncated; }
            p = eol + 1;
            Position = p;
        }
        ErrorOffset = p;
        if (data[p] != '*') return AofReadStatus.Format;
        var (st, argc) = ReadNumberLine(ref p);
        if (st != AofReadStatus.Command) return st;
        if (argc < 1) return AofReadStatus.Format;
        var result = new byte[argc][];
        for (int j = 0; j < argc; j++)
        {
            if (p >= data.Length) return AofReadStatus.Truncated;
            if (data[p] != '$') { ErrorOffset = p; return AofReadStatus.Format; }
            var (st2, len) = ReadNumberLine(ref p);
            if (st2 != AofReadStatus.Command) return st2;
            if (len < 0) return AofReadStatus.Format;
            if (data.Length - p < len + 2) return AofReadStatus.Truncated;
            result[j] = data.AsSpan(p, (int)len).ToArray();
            p += (int)len + 2; // Redis discards the CRLF without checking it
        }
        args = result;
        Position = p;
        return AofReadStatus.Command;
    }

    /// <summary>Reads "*123\r\n" or "$123\r\n" at <paramref name="p"/>.</summary>
    private (AofReadStatus, long) ReadNumberLine(ref int p)
    {
        int limit = Math.Min(data.Length, p + MaxHeaderLine);
        int eol = Array.IndexOf(data, (byte)'\n', p, limit - p);
        if (eol < 0) return (limit == data.Length ? AofReadStatus.Truncated : AofReadStatus.Format, 0);
        long v = 0;
        int i = p + 1;
        bool neg = i < eol && data[i] == '-';
        if (neg) i++;
        int digits = 0;
        for (; i < eol && data[i] >= '0' && data[i] <= '9'; i++, digits++)
        {
            v = v * 10 + (data[i] - '0');
            if (v > int.MaxValue) return (AofReadStatus.Format, 0);
        }
        if (digits == 0) return (AofReadStatus.Format, 0);
        p = eol + 1;
        return (AofReadStatus.Command, neg ? -v : v);
    }
}
