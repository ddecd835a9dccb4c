// RESP request parser: multibulk (`*N\r\n$len\r\n...`) and inline (`PING\r\n`, what telnet/nc users type).
// It mirrors Redis 7.0's processMultibulkBuffer/processInlineBuffer (src/networking.c): the same limits and
// the same "Protocol error: ..." texts. A partial frame consumes nothing, so the caller just waits for more.
using System.Buffers;

namespace RedisPanel.Protocol;

/// <summary>Outcome of <see cref="RespParser.Parse"/>.</summary>
public enum ParseStatus
{
    /// <summary>Zero or more complete commands were added; the rest (if any) is an incomplete frame.</summary>
    Ok,
    /// <summary>The input violates the protocol; commands parsed before the bad frame are still in the batch.</summary>
    ProtocolError,
}

/// <summary>Limits the parser enforces (Redis's names).</summary>
public readonly record struct ParserLimits(long ProtoMaxBulkLen, bool AuthRequired)
{
    /// <summary>PROTO_INLINE_MAX_SIZE: longest inline request or length line without a newline.</summary>
    public const int InlineMaxSize = 64 * 1024;
    /// <summary>Redis refuses more arguments from a client that has not authenticated yet.</summary>
    public const int UnauthenticatedMaxArgs = 10;
    /// <summary>Redis refuses longer bulk strings from a client that has not authenticated yet.</summary>
    public const int UnauthenticatedMaxBulk = 16384;

    public static ParserLimits Default => new(512L * 1024 * 1024, false);
}

public static class RespParser
{
    /// <summary>
    /// Parses as many complete commands from <paramref name="buffer"/> as it holds into <paramref name="batch"/>.
    /// <paramref name="consumed"/> is the end of the last complete frame (commands and skipped empty frames);
    /// on <see cref="ParseStatus.ProtocolError"/>, <paramref name="error"/> is Redis's text without the "ERR " prefix.
    /// </summary>
    public static ParseStatus Parse(ReadOnlySequence<byte> buffer, CommandBatch batch, ParserLimits limits,
        out SequencePosition consumed, out string? error)
    {
        consumed = buffer.Start;
        error = null;
        long fastConsumed = 0;
        if (buffer.IsSingleSegment)
        {
            // The usual case (a read fits one block): whole well-formed multibulk frames straight off the span.
            // Anything else (inline, a partial or malformed frame, NULs, auth limits) goes to the general parser
            // below from the first frame the fast path did not finish, so results and errors are the same.
            fastConsumed = ParseSpan(buffer.FirstSpan, batch, limits);
            if (fastConsumed == buffer.Length)
            {
                consumed = buffer.End;
                return ParseStatus.Ok;
            }
            if (fastConsumed != 0)
            {
                consumed = buffer.GetPosition(fastConsumed);
                buffer = buffer.Slice(fastConsumed);
            }
        }
        var reader = new SequenceReader<byte>(buffer);
        while (!reader.End)
        {
            reader.TryPeek(out byte first);
            int argsBefore = batch.ArgCount, arenaBefore = batch.ArenaBytes;
            FrameResult result = first == (byte)'*'
                ? ParseMultibulk(ref reader, batch, limits, out error)
                : ParseInline(ref reader, batch, out error);
            switch (result)
            {
                case FrameResult.Complete:
                    consumed = reader.Position;
                    break;
                case FrameResult.Incomplete:
                    batch.AbortCommand(argsBefore, arenaBefore);
                    return ParseStatus.Ok;
                default:
                    batch.AbortCommand(argsBefore, arenaBefore);
                    return ParseStatus.ProtocolError;
            }
        }
        return ParseStatus.Ok;
    }

    private enum FrameResult { Complete, Incomplete, Error }

    /// <summary>
    /// Fast path over one contiguous span: adds every complete, well-formed multibulk frame from the start and
    /// returns the bytes they took; stops (consuming nothing of it) at the first frame that is inline, partial,
    /// malformed, contains a NUL in a length line or hits an unauthenticated limit, for the general parser.
    /// </summary>
    private static int ParseSpan(ReadOnlySpan<byte> span, CommandBatch batch, ParserLimits limits)
    {
        int pos = 0;
        while (pos < span.Length && span[pos] == (byte)'*')
        {
            int argsBefore = batch.ArgCount, arenaBefore = batch.ArenaBytes;
            int end = ParseFrameSpan(span, pos, batch, limits);
            if (end < 0)
            {
                batch.AbortCommand(argsBefore, arenaBefore);
                break;
            }
            pos = end;
        }
        return pos;
    }

    /// <summary>One multibulk frame at <paramref name="pos"/>; its end, or -1 to leave it to the general parser.</summary>
    private static int ParseFrameSpan(ReadOnlySpan<byte> span, int pos, CommandBatch batch, ParserLimits limits)
    {
        if (!TryLengthLineSpan(span, ref pos, out long count) || count <= 0 || count > int.MaxValue
            || (count > ParserLimits.UnauthenticatedMaxArgs && limits.AuthRequired))
            return -1;
        batch.BeginCommand();
        for (long i = 0; i < count; i++)
        {
            if (pos >= span.Length || span[pos] != (byte)'$') return -1;
            if (!TryLengthLineSpan(span, ref pos, out long len) || len < 0 || len > limits.ProtoMaxBulkLen
                || (len > ParserLimits.UnauthenticatedMaxBulk && limits.AuthRequired)
                || span.Length - pos < len + 2)
                return -1;
            span.Slice(pos, (int)len).CopyTo(batch.AddArg((int)len));
            pos += (int)len + 2; // Redis does not check that the two bytes are CRLF
        }
        batch.EndCommand();
        return pos;
    }

    /// <summary>A length line ("*3" / "$5") at <paramref name="pos"/>: its number, and <paramref name="pos"/> moved
    /// past the '\r' and the byte after it. False when the line is incomplete, holds a NUL or is not a number.</summary>
    private static bool TryLengthLineSpan(ReadOnlySpan<byte> span, ref int pos, out long value)
    {
        value = 0;
        var rest = span[(pos + 1)..];
        int cr = rest.IndexOfAny((byte)'\r', (byte)0);
        if (cr < 0 || rest[cr] == 0 || cr + 1 >= rest.Length) return false;
        if (!TryParseLong(rest[..cr], out value)) return false;
        pos += 1 + cr + 2;
        return true;
    }

    private static FrameResult ParseMultibulk(ref SequenceReader<byte> reader, CommandBatch batch, ParserLimits limits,
        out string? error)
    {
        error = null;
        var line = ReadLengthLine(ref reader, out bool tooBig);
        if (line is null)
        {
            if (!tooBig) return FrameResult.Incomplete;
            error = "Protocol error: too big mbulk count string";
            return FrameResult.Error;
        }
        if (!TryParseLong(line.Value.Span[1..], out long count) || count > int.MaxValue)
        {
            error = "Protocol error: invalid multibulk length";
            return FrameResult.Error;
        }
        if (count > ParserLimits.UnauthenticatedMaxArgs && limits.AuthRequired)
        {
            error = "Protocol error: unauthenticated multibulk length";
            return FrameResult.Error;
        }
        if (count <= 0) return FrameResult.Complete; // "*0" and "*-1" are skipped, as Redis does

        batch.BeginCommand();
        for (long i = 0; i < count; i++)
        {
            var bulkLine = ReadLengthLine(ref reader, out tooBig);
            if (bulkLine is null)
            {
                if (!tooBig) return FrameResult.Incomplete;
                error = "Protocol error: too big bulk count string";
                return FrameResult.Error;
            }
            var bulkSpan = bulkLine.Value.Span;
            if (bulkSpan.IsEmpty || bulkSpan[0] != (byte)'$')
            {
                // Redis formats the byte with %c (an empty line shows its '\r'), then addReplyErrorFormat turns
                // CR and LF into spaces.
                char got = bulkSpan.IsEmpty || bulkSpan[0] == (byte)'\n' ? ' ' : (char)bulkSpan[0];
                error = $"Protocol error: expected '$', got '{got}'";
                return FrameResult.Error;
            }
            if (!TryParseLong(bulkSpan[1..], out long len) || len < 0 || len > limits.ProtoMaxBulkLen)
            {
                error = "Protocol error: invalid bulk length";
                return FrameResult.Error;
            }
            if (len > ParserLimits.UnauthenticatedMaxBulk && limits.AuthRequired)
            {
                error = "Protocol error: unauthenticated bulk length";
                return FrameResult.Error;
            }
            if (reader.Remaining < len + 2) return FrameResult.Incomplete;
            var dest = batch.AddArg((int)len);
            reader.TryCopyTo(dest);
            reader.Advance(len + 2); // Redis does not check that the two bytes are CRLF
        }
        batch.EndCommand();
        return FrameResult.Complete;
    }

    /// <summary>
    /// Reads a length line ("*3" / "$5", marker included) up to '\r' and the byte after it, which is not checked,
    /// as in Redis. Null when incomplete; <paramref name="tooBig"/> when no '\r' came within
    /// <see cref="ParserLimits.InlineMaxSize"/> bytes of the line start. Redis looks for the '\r' with strchr,
    /// which stops at a NUL byte: a NUL before the '\r' hides the line end, so the line stays "incomplete"
    /// until the limit turns it into a "too big" error. The parser does the same. On null the reader's position
    /// is unspecified (the caller abandons the frame).
    /// </summary>
    private static ReadOnlyMemory<byte>? ReadLengthLine(ref SequenceReader<byte> reader, out bool tooBig)
    {
        long remainingAtStart = reader.Remaining;
        tooBig = false;
        if (!reader.TryReadToAny(out ReadOnlySequence<byte> line, "\r\0"u8, advancePastDelimiter: false)
            || !reader.TryPeek(out byte delimiter) || delimiter == 0)
        {
            tooBig = remainingAtStart > ParserLimits.InlineMaxSize;
            return null;
        }
        if (reader.Remaining < 2) return null; // the byte after '\r' has not arrived yet
        reader.Advance(2);
        return line.IsSingleSegment ? line.First : line.ToArray();
    }

    private static FrameResult ParseInline(ref SequenceReader<byte> reader, CommandBatch batch, out string? error)
    {
        error = null;
        long remainingAtStart = reader.Remaining;
        // strchr(querybuf, '\n') in Redis stops at a NUL byte: a NUL before the newline hides it.
        if (!reader.TryReadToAny(out ReadOnlySequence<byte> lineSeq, "\n\0"u8, advancePastDelimiter: false)
            || !reader.TryPeek(out byte delimiter) || delimiter == 0)
        {
            if (remainingAtStart > ParserLimits.InlineMaxSize)
            {
                error = "Protocol error: too big inline request";
                return FrameResult.Error;
            }
            return FrameResult.Incomplete;
        }
        reader.Advance(1); // the '\n'
        ReadOnlySpan<byte> line = lineSeq.IsSingleSegment ? lineSeq.FirstSpan : lineSeq.ToArray();
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        int argsBefore = batch.ArgCount;
        batch.BeginCommand();
        if (!InlineSplitter.Split(line, batch))
        {
            error = "Protocol error: unbalanced quotes in request";
            return FrameResult.Error;
        }
        if (batch.ArgCount == argsBefore)
        {
            batch.AbortCommand(argsBefore, batch.ArenaBytes);
            return FrameResult.Complete; // an empty line is ignored
        }
        batch.EndCommand();
        return FrameResult.Complete;
    }

    /// <summary>Redis's string2ll: optional '-', digits, no leading zeros, no '+', no spaces, fits in 64 bits.</summary>
    public static bool TryParseLong(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 20) return false;
        if (s.Length == 1 && s[0] == (byte)'0') return true;
        int i = 0;
        bool negative = false;
        if (s[0] == (byte)'-')
        {
            negative = true;
            i = 1;
            if (s.Length == 1) return false;
        }
        if (s[i] < (byte)'1' || s[i] > (byte)'9') return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) return false;
            if (v > (ulong.MaxValue - d) / 10) return false;
            v = v * 10 + d;
        }
        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1) return false;
            value = (long)(0 - v);
        }
        else
        {
            if (v > long.MaxValue) return false;
            value = (long)v;
        }
        return true;
    }
}
