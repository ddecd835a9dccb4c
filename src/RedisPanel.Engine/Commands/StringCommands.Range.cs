// APPEND, STRLEN, GETRANGE/SUBSTR, SETRANGE and LCS. APPEND and SETRANGE grow a MutableString in place
// (Redis's raw sds with free space), so repeated appends are amortised O(1).
using System.Runtime.CompilerServices;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class StringCommands
{
    /// <summary>Redis's checkStringLength: refuses results longer than proto-max-bulk-len (the master link is exempt).</summary>
    private static bool CheckStringLength(CommandContext ctx, long size, long append)
    {
        if (ctx.Client.Has(ClientFlags.Master)) return true;
        long total = unchecked(size + append);
        // .NET arrays stop short of 2 GB, whatever proto-max-bulk-len says.
        long limit = Math.Min(ctx.Engine.Config.ProtoMaxBulkLen, Array.MaxLength);
        if (total > limit || total < size || total < append)
        {
            ctx.Reply.Error(Errors.StringTooLong);
            return false;
        }
        return true;
    }

    private static void Append(CommandContext ctx)
    {
        var key = ctx.Args[1];
        var data = ctx.Args[2];
        var db = ctx.Db;
        ref ValueSlot slot = ref db.GetSlot(key);
        long total;
        if (Unsafe.IsNullRef(ref slot))
        {
            db.Add(key, data.ToArray());
            total = data.Length;
        }
        else
        {
            if (!TryGetString(slot.Value, out var current))
            {
                ctx.Reply.Error(Errors.WrongType);
                return;
            }
            if (!CheckStringLength(ctx, current.Length, data.Length)) return;
            if (slot.Value is not MutableString m)
            {
                m = new MutableString(current, data.Length);
                slot.Value = m;
            }
            m.Append(data);
            total = m.Length;
            db.SignalModified(key);
        }
        ctx.MarkDirty();
        ctx.Reply.Integer(total);
    }

    private static void Strlen(CommandContext ctx)
    {
        var value = ctx.LookupRead(ctx.Args[1]);
        if (value is null) ctx.Reply.Integer(0);
        else if (TryGetString(value, out var bytes)) ctx.Reply.Integer(bytes.Length);
        else ctx.Reply.Error(Errors.WrongType);
    }

    private static void GetRange(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long start) || !ctx.TryGetLong(3, out long end)) return;
        var value = ctx.LookupRead(ctx.Args[1]);
        if (value is null)
        {
            ctx.Reply.Bulk(ReadOnlySpan<byte>.Empty);
            return;
        }
        if (!TryGetString(value, out var s))
        {
            ctx.Reply.Error(Errors.WrongType);
            return;
        }
        long len = s.Length;
        if (start < 0 && end < 0 && start > end)
        {
            ctx.Reply.Bulk(ReadOnlySpan<byte>.Empty);
            return;
        }
        if (start < 0) start = len + start;
        if (end < 0) end = len + end;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if ((ulong)end >= (ulong)len) end = len - 1;
        if (start > end || len == 0) ctx.Reply.Bulk(ReadOnlySpan<byte>.Empty);
        else ctx.Reply.Bulk(s.Slice((int)start, (int)(end - start + 1)));
    }

    private static void SetRange(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long offset)) return;
        if (offset < 0)
        {
            ctx.Reply.Error("ERR offset is out of range");
            return;
        }
        var key = ctx.Args[1];
        var data = ctx.Args[3];
        var db = ctx.Db;
        ref ValueSlot slot = ref db.GetSlot(key);
        MutableString m;
        if (Unsafe.IsNullRef(ref slot))
        {
            // Setting nothing on a missing key creates nothing.
            if (data.Length == 0)
            {
                ctx.Reply.Integer(0);
                return;
            }
            if (!CheckStringLength(ctx, offset, data.Length)) return;
            m = new MutableString(ReadOnlySpan<byte>.Empty, (int)offset + data.Length);
            db.Add(key, m);
        }
        else
        {
            if (!TryGetString(slot.Value, out var current))
            {
                ctx.Reply.Error(Errors.WrongType);
                return;
            }
            if (data.Length == 0)
            {
                ctx.Reply.Integer(current.Length);
                return;
            }
            if (!CheckStringLength(ctx, offset, data.Length)) return;
            if (slot.Value is MutableString existing) m = existing;
            else
            {
                m = new MutableString(current, Math.Max(0, (int)offset + data.Length - current.Length));
                slot.Value = m;
            }
        }
        m.EnsureLength((int)offset + data.Length);
        data.CopyTo(m.Buffer.AsSpan((int)offset));
        db.SignalModified(key);
        ctx.MarkDirty();
        ctx.Reply.Integer(m.Length);
    }

    /// <summary>LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] (Redis's dynamic-programming table).</summary>
    private static void Lcs(CommandContext ctx)
    {
        var objA = ctx.LookupRead(ctx.Args[1]);
        var objB = ctx.LookupRead(ctx.Args[2]);
        ReadOnlySpan<byte> a = default, b = default;
        if ((objA is not null && !TryGetString(objA, out a)) || (objB is not null && !TryGetString(objB, out b)))
        {
            ctx.Reply.Error("ERR The specified keys must contain string values");
            return;
        }
        bool getLen = false, getIdx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < ctx.Args.Count; j++)
        {
            bool moreArgs = ctx.Args.Count - 1 - j > 0;
            if (ctx.Args.Is(j, "idx")) getIdx = true;
            else if (ctx.Args.Is(j, "len")) getLen = true;
            else if (ctx.Args.Is(j, "withmatchlen")) withMatchLen = true;
            else if (ctx.Args.Is(j, "minmatchlen") && moreArgs)
            {
                if (!ctx.TryGetLong(j + 1, out minMatchLen)) return;
                if (minMatchLen < 0) minMatchLen = 0;
                j++;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        if (getLen && getIdx)
        {
            ctx.Reply.Error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        int alen = a.Length, blen = b.Length;
        long cells = (long)(alen + 1) * (blen + 1);
        if (cells * sizeof(uint) > ctx.Engine.Config.ProtoMaxBulkLen || cells > Array.MaxLength)
        {
            ctx.Reply.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        var lcs = new uint[cells];
        int stride = blen + 1;
        for (int i = 1; i <= alen; i++)
        {
            for (int j = 1; j <= blen; j++)
            {
                if (a[i - 1] == b[j - 1]) lcs[i * stride + j] = lcs[(i - 1) * stride + j - 1] + 1;
                else
                {
                    uint l1 = lcs[(i - 1) * stride + j], l2 = lcs[i * stride + j - 1];
                    lcs[i * stride + j] = l1 > l2 ? l1 : l2;
                }
            }
        }
        uint total = lcs[alen * stride + blen];
        bool computeLcs = getIdx || !getLen;
        var result = computeLcs ? new byte[total] : null;
        var ranges = getIdx ? new List<(int AStart, int AEnd, int BStart, int BEnd)>() : null;

        // Walk back from the end, emitting contiguous match ranges as Redis does (last match first).
        int idx = (int)total;
        int ai = alen, bi = blen;
        int aStart = alen, aEnd = 0, bStart = 0, bEnd = 0; // aStart == alen: no range open
        while (computeLcs && ai > 0 && bi > 0)
        {
            bool emit = false;
            if (a[ai - 1] == b[bi - 1])
            {
                result![idx - 1] = a[ai - 1];
                if (aStart == alen)
                {
                    aStart = aEnd = ai - 1;
                    bStart = bEnd = bi - 1;
                }
                else if (aStart == ai && bStart == bi)
                {
                    aStart--;
                    bStart--;
                }
                else emit = true;
                if (aStart == 0 || bStart == 0) emit = true;
                idx--;
                ai--;
                bi--;
            }
            else
            {
                uint l1 = lcs[(ai - 1) * stride + bi], l2 = lcs[ai * stride + bi - 1];
                if (l1 > l2) ai--;
                else bi--;
                if (aStart != alen) emit = true;
            }
            if (emit)
            {
                int matchLen = aEnd - aStart + 1;
                if (ranges is not null && (minMatchLen == 0 || matchLen >= minMatchLen))
                    ranges.Add((aStart, aEnd, bStart, bEnd));
                aStart = alen;
            }
        }

        var reply = ctx.Reply;
        if (ranges is not null)
        {
            reply.MapHeader(2);
            reply.Bulk("matches"u8);
            reply.ArrayHeader(ranges.Count);
            foreach (var (as_, ae, bs, be) in ranges)
            {
                reply.ArrayHeader(withMatchLen ? 3 : 2);
                reply.ArrayHeader(2);
                reply.Integer(as_);
                reply.Integer(ae);
                reply.ArrayHeader(2);
                reply.Integer(bs);
                reply.Integer(be);
                if (withMatchLen) reply.Integer(ae - as_ + 1);
            }
            reply.Bulk("len"u8);
            reply.Integer(total);
        }
        else if (getLen) reply.Integer(total);
        else reply.Bulk(result);
    }
}
