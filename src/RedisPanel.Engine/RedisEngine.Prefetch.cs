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

    /// <summary>
    /// Cache lines prefetched from a value's start: its header and, for a string (byte[]), its first bytes; the copy
    /// into the reply streams the rest. The lines are taken by address, without reading the value (which would wait
    /// for its miss); for a small object the extra lines are merely wasted.
    /// </summary>
    private const int PrefetchValueLines = 4;

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
            if (!Unsafe.IsNullRef(in slot) && slot.Value is { } value) PrefetchObject(value);
        }
    }

    /// <summary>The first <see cref="PrefetchValueLines"/> cache lines of an object.</summary>
    private static unsafe void PrefetchObject(object o)
    {
        // An unmanaged pointer, so no reference past the object's end is ever reported to the GC; if the object
        // moves meanwhile the hint is merely wasted.
        byte* start = (byte*)Unsafe.As<object, nint>(ref o);
        for (int l = 0; l < PrefetchValueLines; l++) Sse.Prefetch0(start + l * 64);
    }
}
