// Group prefetch of a pipelined batch's keys before it runs (see KeyTable's "Group prefetch").
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine;

public sealed partial class RedisEngine
{
    /// <summary>Commands whose keys are prefetched together; a longer batch is prefetched group by group.</summary>
    public const int PrefetchGroup = 16;

    /// <summary>At most this many bytes of a string value are prefetched (the copy into the reply streams the rest).</summary>
    private const int PrefetchValueBytes = 1024;

    /// <summary>
    /// Prefetches what executing commands <paramref name="start"/>.. of <paramref name="batch"/> (at most
    /// <see cref="PrefetchGroup"/>) will read first: for every command whose first key is argument 1, the key's
    /// bucket, entry, stored key and value, one step for the whole group before the next, so their cache misses
    /// overlap instead of stalling each lookup in turn. A pure hint: it changes nothing (no statistics, no access
    /// time, no expiry), so the replies are those of plain execution. The caller holds <see cref="SyncRoot"/>;
    /// <paramref name="scratch"/> is overwritten.
    /// </summary>
    public void PrefetchKeys(ClientSession client, CommandBatch batch, int start, ArgList scratch)
    {
        if (!Sse.IsSupported) return;
        int n = Math.Min(PrefetchGroup, batch.Count - start);
        if (n < 2) return; // a single command has nothing to overlap with
        if ((uint)client.Db >= (uint)Keyspace.DatabaseCount) return;
        var table = Keyspace[client.Db].Main;
        if (table.Count < 4096) return; // a small table stays in cache anyway
        Span<int> hashes = stackalloc int[PrefetchGroup];
        int keys = 0;
        for (int i = 0; i < n; i++)
        {
            batch.GetCommand(start + i, scratch);
            if (scratch.Count < 2) continue;
            var def = Table.Find(scratch[0]);
            if (def is null || def.FirstKey != 1) continue;
            int hash = KeyTable<ValueSlot>.HashOf(scratch[1]);
            hashes[keys++] = hash;
            table.PrefetchBucket(hash);
        }
        if (keys < 2) return;
        hashes = hashes[..keys];
        foreach (int hash in hashes) table.PrefetchEntry(hash);
        foreach (int hash in hashes)
        {
            ref readonly ValueSlot slot = ref table.PrefetchKey(hash);
            if (!Unsafe.IsNullRef(in slot) && slot.Value is { } value) PrefetchBytes(value, 0, 1);
        }
        // The value's header is in cache now: a string's bytes (what the reply copies) follow.
        foreach (int hash in hashes)
        {
            ref readonly ValueSlot slot = ref table.PrefetchKey(hash);
            if (Unsafe.IsNullRef(in slot)) continue;
            if (slot.Value is byte[] bytes) PrefetchBytes(bytes, ArrayDataOffset, bytes.Length);
            else if (slot.Value is MutableString { Buffer: { } buffer } m) PrefetchBytes(buffer, ArrayDataOffset, m.Length);
        }
    }

    /// <summary>Where a byte[]'s bytes start, from the object reference (method table pointer, length).</summary>
    private const int ArrayDataOffset = 16;

    /// <summary>
    /// The cache lines holding bytes [<paramref name="offset"/>, +<paramref name="length"/>) of an object, at most
    /// <see cref="PrefetchValueBytes"/> of them.
    /// </summary>
    private static unsafe void PrefetchBytes(object o, int offset, int length)
    {
        // An unmanaged pointer, so no reference past the object's end is ever reported to the GC; if the object
        // moves meanwhile the hint is merely wasted.
        byte* p = (byte*)Unsafe.As<object, nint>(ref o) + offset;
        byte* end = p + Math.Min(Math.Max(length, 1), PrefetchValueBytes);
        for (p = (byte*)((nint)p & ~63); p < end; p += 64) Sse.Prefetch0(p);
    }
}
