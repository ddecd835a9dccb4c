// Bitmap family (Redis's "bitmap" group, src/bitops.c of 7.0): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD, BITFIELD_RO. Bits are numbered from the most significant bit of byte 0, as in Redis. Writes grow
// the string in place through MutableString (zero padded, like sdsgrowzero).
using System.Numerics;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static class BitmapCommands
{
    private const string Group = "bitmap";
    private const string BadOffset = "ERR bit offset is not an integer or out of range";
    private const string BadBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    public static void Register(CommandTable t)
    {
        const CommandFlags W = CommandFlags.Write, R = CommandFlags.ReadOnly, F = CommandFlags.Fast, D = CommandFlags.DenyOom;
        t.Add("setbit", 4, W | D, SetBit, (1, 1, 1), Group);
        t.Add("getbit", 3, R | F, GetBit, (1, 1, 1), Group);
        t.Add("bitcount", -2, R, BitCount, (1, 1, 1), Group);
        t.Add("bitpos", -3, R, BitPos, (1, 1, 1), Group);
        t.Add("bitop", -4, W | D, BitOp, (2, -1, 1), Group);
        t.Add("bitfield", -2, W | D, ctx => BitFieldCore(ctx, readOnly: false), (1, 1, 1), Group);
        t.Add("bitfield_ro", -2, R | F, ctx => BitFieldCore(ctx, readOnly: true), (1, 1, 1), Group);
    }

    /// <summary>Redis's getBitOffsetFromArgument: non-negative, below proto-max-bulk-len bytes; "#n" means n*bits in BITFIELD.</summary>
    private static bool TryGetBitOffset(CommandContext ctx, int index, bool hash, int bits, out long offset)
    {
        var p = ctx.Args[index];
        bool useHash = hash && bits > 0 && p.Length > 0 && p[0] == (byte)'#';
        if (!RespParser.TryParseLong(useHash ? p[1..] : p, out offset))
        {
            ctx.Reply.Error(BadOffset);
            return false;
        }
        if (useHash) offset = unchecked(offset * bits);
        bool obeyClient = ctx.Client.Has(ClientFlags.Master) || ctx.Client.Has(ClientFlags.Internal);
        if (offset < 0 || (!obeyClient && (offset >> 3) >= ctx.Engine.Config.ProtoMaxBulkLen))
        {
            ctx.Reply.Error(BadOffset);
            return false;
        }
        return true;
    }

    /// <summary>A read-only view of a string key: false after replying WRONGTYPE; empty span when absent.</summary>
    private static bool TryRead(CommandContext ctx, ReadOnlySpan<byte> key, out object? value)
    {
        value = ctx.Db.Get(key);
        if (value is null)
        {
            ctx.Engine.Stats.KeyspaceMisses++;
            return true;
        }
        ctx.Engine.Stats.KeyspaceHits++;
        if (StringValue.IsString(value)) return true;
        ctx.Reply.Error(Errors.WrongType);
        return false;
    }

    /// <summary>
    /// Redis's lookupStringForBitCommand: the string at args[1] as a MutableString at least maxBit/8+1 bytes long
    /// (created or zero-padded). <paramref name="grew"/> tells whether it was created or lengthened.
    /// </summary>
    private static MutableString? WritableString(CommandContext ctx, long maxBit, out bool grew)
    {
        grew = false;
        var key = ctx.Args[1];
        int bytes = checked((int)((maxBit >> 3) + 1));
        var value = ctx.Db.Get(key);
        if (value is null)
        {
            var created = new MutableString([], bytes);
            created.EnsureLength(bytes);
            ctx.Db.Set(key, created);
            grew = true;
            return created;
        }
        if (!StringValue.IsString(value))
        {
            ctx.Reply.Error(Errors.WrongType);
            return null;
        }
        if (value is not MutableString ms)
        {
            ms = new MutableString((byte[])value);
            // Same key, same TTL: only the representation changes, so no modification is signalled here.
            ctx.Db.Main.Find(key).Value = ms;
        }
        if (ms.Length < bytes)
        {
            ms.EnsureLength(bytes);
            grew = true;
        }
        return ms;
    }

    private static void SetBit(CommandContext ctx)
    {
        if (!TryGetBitOffset(ctx, 2, false, 0, out long offset)) return;
        if (!RespParser.TryParseLong(ctx.Args[3], out long on) || (on & ~1L) != 0)
        {
            ctx.Reply.Error("ERR bit is not an integer or out of range");
            return;
        }
        var s = WritableString(ctx, offset, out bool grew);
        if (s is null) return;
        long byteIndex = offset >> 3;
        int bit = 7 - (int)(offset & 7);
        int old = (s.Buffer[byteIndex] >> bit) & 1;
        if (grew || old != on)
        {
            s.Buffer[byteIndex] = (byte)((s.Buffer[byteIndex] & ~(1 << bit)) | ((int)on << bit));
            ctx.SignalModified(ctx.Args[1]);
            ctx.MarkDirty();
        }
        ctx.Reply.Integer(old);
    }

    private static void GetBit(CommandContext ctx)
    {
        if (!TryGetBitOffset(ctx, 2, false, 0, out long offset)) return;
        if (!TryRead(ctx, ctx.Args[1], out var value)) return;
        int bit = 0;
        if (value is not null)
        {
            var s = StringValue.AsSpan(value);
            long byteIndex = offset >> 3;
            if (byteIndex < s.Length) bit = (s[(int)byteIndex] >> (7 - (int)(offset & 7))) & 1;
        }
        ctx.Reply.Integer(bit);
    }

    /// <summary>Redis's BITCOUNT/BITPOS index rules: negative indexes count from the end, then clamp to [0, len-1].</summary>
    private static void ClampRange(ref long start, ref long end, long totlen)
    {
        if (start < 0) start = totlen + start;
        if (end < 0) end = totlen + end;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= totlen) end = totlen - 1;
    }

    private static void BitCount(CommandContext ctx)
    {
        var args = ctx.Args;
        if (!TryRead(ctx, args[1], out var value)) return;
        if (value is null)
        {
            ctx.Reply.Integer(0);
            return;
        }
        var p = StringValue.AsSpan(value);
        long start, end;
        bool isBit = false;
        if (args.Count is 4 or 5)
        {
            long totlen = p.Length;
            if (!ctx.TryGetLong(2, out start) || !ctx.TryGetLong(3, out end)) return;
            if (start < 0 && end < 0 && start > end)
            {
                ctx.Reply.Integer(0);
                return;
            }
            if (args.Count == 5)
            {
                if (args.Is(4, "bit")) isBit = true;
                else if (!args.Is(4, "byte"))
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }
            }
            if (isBit) totlen <<= 3;
            ClampRange(ref start, ref end, totlen);
        }
        else if (args.Count == 2)
        {
            start = 0;
            end = p.Length - 1;
        }
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        if (start > end)
        {
            ctx.Reply.Integer(0);
            return;
        }
        long count;
        if (!isBit) count = PopCount(p[(int)start..(int)(end + 1)]);
        else
        {
            // Whole bytes between the edges, plus the partial edge bytes bit by bit.
            count = 0;
            long firstFull = (start + 7) >> 3, lastFull = ((end + 1) >> 3) - 1;
            if (firstFull <= lastFull)
            {
                count += PopCount(p[(int)firstFull..(int)(lastFull + 1)]);
                for (long b = start; b < firstFull * 8; b++) count += BitAt(p, b);
                for (long b = (lastFull + 1) * 8; b <= end; b++) count += BitAt(p, b);
            }
            else
                for (long b = start; b <= end; b++) count += BitAt(p, b);
        }
        ctx.Reply.Integer(count);
    }

    private static int BitAt(ReadOnlySpan<byte> p, long bit) => (p[(int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1;

    private static long PopCount(ReadOnlySpan<byte> s)
    {
        long n = 0;
        int i = 0;
        for (; i + 8 <= s.Length; i += 8) n += BitOperations.PopCount(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(s[i..]));
        for (; i < s.Length; i++) n += BitOperations.PopCount(s[i]);
        return n;
    }

    private static void BitPos(CommandContext ctx)
    {
        var args = ctx.Args;
        if (!ctx.TryGetLong(2, out long bit)) return;
        if (bit != 0 && bit != 1)
        {
            ctx.Reply.Error("ERR The bit argument must be 1 or 0.");
            return;
        }
        if (!TryRead(ctx, args[1], out var value)) return;
        if (value is null)
        {
            ctx.Reply.Integer(bit == 1 ? -1 : 0);
            return;
        }
        var p = StringValue.AsSpan(value);
        long start, end;
        bool isBit = false, endGiven = false;
        if (args.Count is 4 or 5 or 6)
        {
            long totlen = p.Length;
            if (!ctx.TryGetLong(3, out start)) return;
            if (args.Count == 6)
            {
                if (args.Is(5, "bit")) isBit = true;
                else if (!args.Is(5, "byte"))
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }
            }
            if (args.Count >= 5)
            {
                if (!ctx.TryGetLong(4, out end)) return;
                endGiven = true;
            }
            else end = isBit ? (totlen << 3) + 7 : totlen - 1;
            if (isBit) totlen <<= 3;
            ClampRange(ref start, ref end, totlen);
        }
        else if (args.Count == 3)
        {
            start = 0;
            end = p.Length - 1;
        }
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        if (start > end)
        {
            ctx.Reply.Integer(-1);
            return;
        }
        long firstBit = isBit ? start : start * 8;
        long lastBit = isBit ? end : end * 8 + 7;
        long found = FindBit(p, firstBit, lastBit, (int)bit);
        if (found >= 0)
        {
            ctx.Reply.Integer(found);
            return;
        }
        // No such bit in range: a clear bit is assumed just past the string unless an end was given.
        if (bit == 1 || endGiven) ctx.Reply.Integer(-1);
        else ctx.Reply.Integer(((lastBit >> 3) + 1) * 8);
    }

    private static long FindBit(ReadOnlySpan<byte> p, long firstBit, long lastBit, int bit)
    {
        long b = firstBit;
        while (b <= lastBit && (b & 7) != 0)
        {
            if (BitAt(p, b) == bit) return b;
            b++;
        }
        byte skip = bit == 1 ? (byte)0 : (byte)0xFF;
        while (b + 7 <= lastBit)
        {
            byte v = p[(int)(b >> 3)];
            if (v != skip)
            {
                int lead = bit == 1 ? BitOperations.LeadingZeroCount((uint)v) - 24 : BitOperations.LeadingZeroCount((uint)(byte)~v) - 24;
                return b + lead;
            }
            b += 8;
        }
        for (; b <= lastBit; b++)
            if (BitAt(p, b) == bit) return b;
        return -1;
    }

    private static void BitOp(CommandContext ctx)
    {
        var args = ctx.Args;
        int op;
        if (args.Is(1, "and")) op = 0;
        else if (args.Is(1, "or")) op = 1;
        else if (args.Is(1, "xor")) op = 2;
        else if (args.Is(1, "not")) op = 3;
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }
        if (op == 3 && args.Count != 4)
        {
            ctx.Reply.Error("ERR BITOP NOT must be called with a single source key.");
            return;
        }
        int numKeys = args.Count - 3;
        var sources = new byte[numKeys][];
        int maxLen = 0;
        for (int j = 0; j < numKeys; j++)
        {
            if (!TryRead(ctx, args[j + 3], out var value)) return;
            sources[j] = value is null ? [] : StringValue.AsSpan(value).ToArray();
            maxLen = Math.Max(maxLen, sources[j].Length);
        }
        var target = args[2];
        if (maxLen > 0)
        {
            var res = new byte[maxLen];
            for (int i = 0; i < maxLen; i++)
            {
                int output = i < sources[0].Length ? sources[0][i] : 0;
                if (op == 3) output = ~output;
                for (int j = 1; j < numKeys; j++)
                {
                    int b = i < sources[j].Length ? sources[j][i] : 0;
                    output = op switch { 0 => output & b, 1 => output | b, _ => output ^ b };
                }
                res[i] = (byte)output;
            }
            // Redis stores BITOP's result as a raw sds object (no int/embstr attempt): OBJECT ENCODING says "raw".
            ctx.Db.Set(target, new MutableString(res));
            ctx.MarkDirty();
        }
        else if (ctx.Db.Remove(target)) ctx.MarkDirty();
        ctx.Reply.Integer(maxLen);
    }

    private enum Overflow { Wrap, Sat, Fail }

    private readonly record struct FieldOp(int Opcode, long Offset, long Value, Overflow Overflow, int Bits, bool Signed);

    private static void BitFieldCore(CommandContext ctx, bool readOnly)
    {
        var args = ctx.Args;
        var ops = new List<FieldOp>();
        var overflow = Overflow.Wrap;
        bool onlyReads = true;
        long highestWrite = 0;
        for (int j = 2; j < args.Count; j++)
        {
            int rem = args.Count - j - 1;
            int opcode;
            if (args.Is(j, "get") && rem >= 2) opcode = 0;
            else if (args.Is(j, "set") && rem >= 3) opcode = 1;
            else if (args.Is(j, "incrby") && rem >= 3) opcode = 2;
            else if (args.Is(j, "overflow") && rem >= 1)
            {
                j++;
                if (args.Is(j, "wrap")) overflow = Overflow.Wrap;
                else if (args.Is(j, "sat")) overflow = Overflow.Sat;
                else if (args.Is(j, "fail")) overflow = Overflow.Fail;
                else
                {
                    ctx.Reply.Error("ERR Invalid OVERFLOW type specified");
                    return;
                }
                continue;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
            var type = args[j + 1];
            bool signed;
            if (type.Length > 0 && type[0] == (byte)'i') signed = true;
            else if (type.Length > 0 && type[0] == (byte)'u') signed = false;
            else
            {
                ctx.Reply.Error(BadBitfieldType);
                return;
            }
            if (!RespParser.TryParseLong(type[1..], out long bits) || bits < 1 || (signed && bits > 64) || (!signed && bits > 63))
            {
                ctx.Reply.Error(BadBitfieldType);
                return;
            }
            if (!TryGetBitOffset(ctx, j + 2, true, (int)bits, out long offset)) return;
            long value = 0;
            if (opcode != 0)
            {
                onlyReads = false;
                highestWrite = Math.Max(highestWrite, offset + bits - 1);
                if (!ctx.TryGetLong(j + 3, out value)) return;
            }
            ops.Add(new FieldOp(opcode, offset, value, overflow, (int)bits, signed));
            j += opcode == 0 ? 2 : 3;
        }

        MutableString? target = null;
        ReadOnlySpan<byte> src = default;
        bool grew = false;
        if (onlyReads)
        {
            if (!TryRead(ctx, args[1], out var value)) return;
            if (value is not null) src = StringValue.AsSpan(value);
        }
        else
        {
            if (readOnly)
            {
                ctx.Reply.Error("ERR BITFIELD_RO only supports the GET subcommand");
                return;
            }
            target = WritableString(ctx, highestWrite, out grew);
            if (target is null) return;
        }
        var reply = ctx.Reply;
        reply.ArrayHeader(ops.Count);
        long changes = 0;
        foreach (var op in ops)
        {
            if (op.Opcode == 0)
            {
                ReadOnlySpan<byte> data = target is not null ? target.Span : src;
                ulong raw = GetBits(data, op.Offset, op.Bits);
                reply.Integer(op.Signed ? SignExtend(raw, op.Bits) : (long)raw);
                continue;
            }
            var buf = target!.Buffer;
            ulong oldRaw = GetBits(target.Span, op.Offset, op.Bits);
            bool failed;
            ulong newRaw;
            long replyValue;
            if (op.Signed)
            {
                long oldVal = SignExtend(oldRaw, op.Bits);
                long newVal;
                if (op.Opcode == 2)
                {
                    int of = CheckSignedOverflow(oldVal, op.Value, op.Bits, op.Overflow, out long limit);
                    newVal = of != 0 ? limit : unchecked(oldVal + op.Value);
                    replyValue = newVal;
                    failed = of != 0 && op.Overflow == Overflow.Fail;
                }
                else
                {
                    newVal = op.Value;
                    int of = CheckSignedOverflow(newVal, 0, op.Bits, op.Overflow, out long limit);
                    if (of != 0) newVal = limit;
                    replyValue = oldVal;
                    failed = of != 0 && op.Overflow == Overflow.Fail;
                }
                newRaw = (ulong)newVal;
                if (!failed && (grew || oldVal != newVal)) changes++;
            }
            else
            {
                ulong newVal;
                if (op.Opcode == 2)
                {
                    newVal = unchecked(oldRaw + (ulong)op.Value);
                    int of = CheckUnsignedOverflow(oldRaw, op.Value, op.Bits, op.Overflow, out ulong limit);
                    if (of != 0) newVal = limit;
                    replyValue = (long)newVal;
                    failed = of != 0 && op.Overflow == Overflow.Fail;
                }
                else
                {
                    newVal = (ulong)op.Value;
                    int of = CheckUnsignedOverflow(newVal, 0, op.Bits, op.Overflow, out ulong limit);
                    if (of != 0) newVal = limit;
                    replyValue = (long)oldRaw;
                    failed = of != 0 && op.Overflow == Overflow.Fail;
                }
                newRaw = newVal;
                if (!failed && (grew || oldRaw != newVal)) changes++;
            }
            if (failed)
            {
                reply.Null();
                continue;
            }
            reply.Integer(replyValue);
            SetBits(buf, op.Offset, op.Bits, newRaw);
        }
        if (changes > 0)
        {
            ctx.SignalModified(args[1]);
            ctx.MarkDirty(changes);
        }
    }

    private static ulong GetBits(ReadOnlySpan<byte> p, long offset, int bits)
    {
        ulong value = 0;
        for (int j = 0; j < bits; j++, offset++)
        {
            long byteIndex = offset >> 3;
            int bit = byteIndex < p.Length ? (p[(int)byteIndex] >> (7 - (int)(offset & 7))) & 1 : 0;
            value = (value << 1) | (uint)bit;
        }
        return value;
    }

    private static void SetBits(byte[] p, long offset, int bits, ulong value)
    {
        for (int j = 0; j < bits; j++, offset++)
        {
            int bitVal = (value & (1UL << (bits - 1 - j))) != 0 ? 1 : 0;
            int shift = 7 - (int)(offset & 7);
            ref byte b = ref p[offset >> 3];
            b = (byte)((b & ~(1 << shift)) | (bitVal << shift));
        }
    }

    private static long SignExtend(ulong raw, int bits)
    {
        long v = (long)raw;
        if (bits < 64 && (v & (1L << (bits - 1))) != 0) v |= -1L << bits;
        return v;
    }

    /// <summary>Redis's checkUnsignedBitfieldOverflow: 1 overflow, -1 underflow, 0 fits; limit is the wrapped/saturated value.</summary>
    private static int CheckUnsignedOverflow(ulong value, long incr, int bits, Overflow ow, out ulong limit)
    {
        ulong max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        long maxIncr = unchecked((long)(max - value));
        long minIncr = unchecked(-(long)value);
        limit = 0;
        int result;
        if (value > max || (incr > 0 && incr > maxIncr)) result = 1;
        else if (incr < 0 && incr < minIncr) result = -1;
        else return 0;
        if (ow == Overflow.Wrap)
        {
            ulong mask = bits == 64 ? 0 : ulong.MaxValue << bits;
            limit = unchecked(value + (ulong)incr) & ~mask;
            return 1;
        }
        if (ow == Overflow.Sat) limit = result == 1 ? max : 0;
        return result;
    }

    /// <summary>Redis's checkSignedBitfieldOverflow.</summary>
    private static int CheckSignedOverflow(long value, long incr, int bits, Overflow ow, out long limit)
    {
        long max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxIncr = unchecked((long)((ulong)max - (ulong)value));
        long minIncr = unchecked(min - value);
        limit = 0;
        int result;
        if (value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)) result = 1;
        else if (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr)) result = -1;
        else return 0;
        if (ow == Overflow.Wrap)
        {
            ulong msb = 1UL << (bits - 1);
            ulong c = unchecked((ulong)value + (ulong)incr);
            if (bits < 64)
            {
                ulong mask = ulong.MaxValue << bits;
                c = (c & msb) != 0 ? c | mask : c & ~mask;
            }
            limit = (long)c;
            return 1;
        }
        if (ow == Overflow.Sat) limit = result == 1 ? max : min;
        return result;
    }
}
