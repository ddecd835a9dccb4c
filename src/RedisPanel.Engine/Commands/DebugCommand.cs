// DEBUG (the subset tests and tools use) and MEMORY (USAGE, DOCTOR, PURGE, MALLOC-STATS, HELP), after Redis
// 7.0.15's src/debug.c and src/object.c. Whether DEBUG may run at all is enable-debug-command, checked by the
// dispatcher (ClientSession.AllowsProtectedAction); its default here is yes (see ServerConfig.EnableDebugCommand).
using System.Globalization;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class ServerCommands
{
    private static void RegisterDebug(CommandTable t)
    {
        t.Add("debug", -2, CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Protected, Debug, group: "server");
        var memory = t.AddContainer("memory", -2, CommandFlags.None, "server");
        t.AddSub(memory, "usage", -3, CommandFlags.ReadOnly, MemoryUsage, (2, 2, 1));
        t.AddSub(memory, "doctor", 2, CommandFlags.None, MemoryDoctor);
        t.AddSub(memory, "purge", 2, CommandFlags.None, MemoryPurge);
        t.AddSub(memory, "malloc-stats", 2, CommandFlags.None, ctx => ctx.Reply.Bulk("Stats not supported for the current allocator"u8));
        t.AddSub(memory, "help", 2, CommandFlags.Loading | CommandFlags.Stale, ctx => ReplyHelp(ctx, MemoryHelp));
    }

    /// <summary>
    /// MEMORY PURGE: Redis asks jemalloc to give dirty pages back to the OS. Our equivalent is a full, blocking,
    /// compacting collection that also decommits the freed memory (tools/measure-memory.sh reads RSS after it),
    /// then the same for the native heap: glibc keeps freed blocks of the runtime's own allocations (the JIT's,
    /// the socket engine's) in per-thread arenas, about 5 MB after loading 1M keys, until malloc_trim.
    /// </summary>
    private static void MemoryPurge(CommandContext ctx)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux()) TrimNativeHeap();
        ctx.Reply.Ok();
    }

    private static void TrimNativeHeap()
    {
        try
        {
            MallocTrim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): nothing to trim.
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    private static readonly string[] MemoryHelp =
    [
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
    ];

    private static readonly string[] DebugHelp =
    [
        "AOF-FLUSH-SLEEP <microsec>",
        "    Server will sleep before flushing the AOF, this is used for testing.",
        "ASSERT",
        "    Crash by assertion failed.",
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "CONFIG-REWRITE-FORCE-ALL",
        "    Like CONFIG REWRITE but writes all configuration options, including",
        "    keywords not listed in original configuration file or default values.",
        "CRASH-AND-RECOVER [<milliseconds>]",
        "    Hard crash and restart after a <milliseconds> delay (default 0).",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LEAK <string>",
        "    Create a memory leak of the input string.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "HTSTATS <dbid>",
        "    Return hash table statistics of the specified Redis database.",
        "HTSTATS-KEY <key>",
        "    Like HTSTATS but for the hash table stored at <key>'s value.",
        "LOADAOF",
        "    Flush the AOF buffers on disk and reload the AOF in memory.",
        "REPLICATE <string>",
        "    Replicates the provided string to replicas, allowing data divergence.",
        "MALLCTL <key> [<val>]",
        "    Get or set a malloc tuning integer.",
        "MALLCTL-STR <key> [<val>]",
        "    Get or set a malloc tuning string.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "DROP-CLUSTER-PACKET-FILTER <packet-type>",
        "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
        "OOM",
        "    Crash the server simulating an out-of-memory error.",
        "PANIC",
        "    Crash the server simulating a panic.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "RESTART [<milliseconds>]",
        "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
        "SDSLEN <key>",
        "    Show low level SDS string info representing `key` and value.",
        "SEGFAULT",
        "    Crash the server with sigsegv.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
        "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "STRINGMATCH-TEST",
        "    Run a fuzz tester against the stringmatchlen() function.",
        "STRUCTSIZE",
        "    Return the size of different Redis core C structures.",
        "LISTPACK <key>",
        "    Show low level info about the listpack encoding of <key>.",
        "QUICKLIST <key> [<0|1>]",
        "    Show low level info about the quicklist encoding of <key>.",
        "    The optional argument (0 by default) sets the level of detail",
        "CLIENT-EVICTION",
        "    Show low level client eviction pools info (maxmemory-clients).",
        "PAUSE-CRON <0|1>",
        "    Stop periodic cron job processing.",
        "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
        "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
        "    In case NEVER is provided the last observed peak will never be reset",
        "    In case RESET is provided the peak reset time will be restored to the default value",
        "REPLYBUFFER RESIZING <0|1>",
        "    Enable or disable the reply buffer resize cron job",
        "CLUSTERLINK KILL <to|from|all> <node-id>",
        "    Kills the link based on the direction to/from (both) with the provided node.",
    ];

    private static void Debug(CommandContext ctx)
    {
        var a = ctx.Args;
        if (a.Count == 2 && a.Is(1, "help"))
        {
            ReplyHelp(ctx, DebugHelp);
        }
        else if (a.Is(1, "sleep") && a.Count == 3)
        {
            // Like Redis, the whole node stops: we sleep holding the node's ordering lock. strtod semantics:
            // garbage parses as 0.
            CommandContext.TryParseDouble(a[2], out double seconds);
            if (seconds > 0) Thread.Sleep(TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue / 1000.0)));
            ctx.Reply.Ok();
        }
        else if (a.Is(1, "set-active-expire") && a.Count == 3)
        {
            // atoi: any non-zero number enables.
            ctx.Engine.ActiveExpireEnabled = Atoi(a[2]) != 0;
            ctx.Reply.Ok();
        }
        else if (a.Is(1, "object") && a.Count == 3)
        {
            ref ValueSlot slot = ref ctx.Db.Main.Find(a[2]);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
            {
                ctx.Reply.Error(Errors.NoSuchKey);
                return;
            }
            var value = slot.Value;
            ctx.Db.TryGetAccessClock(a[2], out uint lru);
            long idle = RedisDatabase.IdleSeconds(ctx.Keyspace.LruClock, lru);
            // "Value at" is a C pointer in Redis; we print a stable per-object identity in the same shape.
            ctx.Reply.SimpleString(string.Create(CultureInfo.InvariantCulture,
                $"Value at:0x{0x7f0000000000L + (uint)System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value) * 16L:x} refcount:1 encoding:{ValueTypes.EncodingOf(value)} serializedlength:{SerializedLength(value)} lru:{lru} lru_seconds_idle:{idle}"));
        }
        else if (a.Is(1, "populate") && a.Count is >= 3 and <= 5)
        {
            Populate(ctx);
        }
        else if (a.Is(1, "change-repl-id") && a.Count == 2)
        {
            ctx.Engine.ReplId2 = ctx.Engine.ReplId;
            ctx.Engine.SecondReplOffset = ctx.Engine.ReplOffset + 1;
            ctx.Engine.ReplId = ctx.Engine.NewRandomId();
            ctx.Reply.Ok();
        }
        else if (!PersistenceCommands.TryDebug(ctx)) SubcommandSyntaxError(ctx);
    }

    /// <summary>
    /// DEBUG POPULATE count [prefix] [size]: adds "prefix:N" = "value:N" (or that text zero-padded or cut to size
    /// bytes) for N below count, skipping keys that exist, as Redis's debug.c: nothing is propagated, counted as a
    /// change or notified, and WATCH sees the keys. Redis formats the key into a 128-byte C buffer, so the prefix
    /// ends at a NUL and a key is at most 127 bytes; so here. Where Redis would abort on a failed allocation (a
    /// count its dict cannot expand to, a value of gigabytes) the node replies with an error instead.
    /// </summary>
    private static void Populate(CommandContext ctx)
    {
        var a = ctx.Args;
        if (!ctx.TryGetLong(2, 0, long.MaxValue, out long count, Errors.OutOfRangePositive)) return;
        if (count > int.MaxValue)
        {
            ctx.Reply.Error("ERR OOM in dictTryExpand");
            return;
        }
        long size = 0;
        if (a.Count == 5 && !ctx.TryGetLong(4, 0, long.MaxValue, out size, Errors.OutOfRangePositive)) return;
        if (size > ctx.Engine.Config.ProtoMaxBulkLen || size > Array.MaxLength)
        {
            ctx.Reply.Error("ERR value size is larger than proto-max-bulk-len");
            return;
        }
        var prefix = a.Count == 3 ? "key"u8 : a[3];
        int nul = prefix.IndexOf((byte)0);
        if (nul >= 0) prefix = prefix[..nul];
        Span<byte> keyBuffer = stackalloc byte[127];
        Span<byte> text = stackalloc byte[32];
        Span<byte> digits = stackalloc byte[20];
        "value:"u8.CopyTo(text);
        var db = ctx.Db;
        for (long j = 0; j < count; j++)
        {
            int n = Math.Min(prefix.Length, keyBuffer.Length);
            prefix[..n].CopyTo(keyBuffer);
            if (n < keyBuffer.Length) keyBuffer[n++] = (byte)':';
            j.TryFormat(digits, out int d, provider: CultureInfo.InvariantCulture);
            int take = Math.Min(d, keyBuffer.Length - n);
            digits[..take].CopyTo(keyBuffer[n..]);
            var key = keyBuffer[..(n + take)];
            if (ctx.LookupWrite(key) is not null) continue;
            digits[..d].CopyTo(text[6..]);
            var value = text[..(6 + d)];
            byte[] stored;
            if (size == 0) stored = StringValue.NewArray(value);
            else
            {
                stored = new byte[size];
                value[..(int)Math.Min(size, value.Length)].CopyTo(stored);
            }
            db.Add(key, stored);
        }
        ctx.Reply.Ok();
    }

    private static long Atoi(ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t') i++;
        bool neg = i < s.Length && s[i] == '-';
        if (i < s.Length && s[i] is (byte)'-' or (byte)'+') i++;
        long v = 0;
        for (; i < s.Length && s[i] >= '0' && s[i] <= '9' && v < int.MaxValue; i++) v = v * 10 + (s[i] - '0');
        return neg ? -v : v;
    }

    /// <summary>An estimate of the RDB-serialised length (DEBUG OBJECT's serializedlength).</summary>
    private static long SerializedLength(object value)
    {
        if (StringValue.IsString(value))
        {
            var s = StringValue.AsSpan(value);
            if (s.Length <= 11 && RespParser.TryParseLong(s, out long n) && StringValue.IsCanonicalInteger(s))
                return n is >= sbyte.MinValue and <= sbyte.MaxValue ? 2 : n is >= short.MinValue and <= short.MaxValue ? 3 : n is >= int.MinValue and <= int.MaxValue ? 5 : 1 + s.Length;
            return (s.Length < 64 ? 1 : s.Length < 16384 ? 2 : 5) + s.Length;
        }
        return value is RedisCollection c ? c.EstimateBytes() / 2 : 1;
    }

    private static void MemoryUsage(CommandContext ctx)
    {
        var a = ctx.Args;
        for (int j = 3; j < a.Count; j++)
        {
            if (a.Is(j, "samples") && j + 1 < a.Count)
            {
                if (!ctx.TryGetLong(j + 1, out long samples)) return;
                if (samples < 0)
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }
                j++;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }
        // dictFind: no expiry check and no access-time update, as Redis's MEMORY USAGE.
        ref ValueSlot slot = ref ctx.Db.Main.Find(a[2]);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            ctx.Reply.Null();
            return;
        }
        ctx.Reply.Integer(EstimateKeyBytes(a[2].Length, slot.Value));
    }

    /// <summary>
    /// What Redis's MEMORY USAGE would report for a key: dictEntry (24) + the key's sds + the value object,
    /// with jemalloc size classes. Strings follow Redis's encodings (int 16 bytes, embstr up to 44 bytes, raw);
    /// collections use their own estimate plus the object header. Used by INFO's used_memory too.
    /// </summary>
    public static long EstimateKeyBytes(int keyLength, object value)
    {
        long bytes = 24 + JemallocSize(keyLength + 4);
        if (StringValue.IsString(value))
        {
            var s = StringValue.AsSpan(value);
            if (s.Length <= 20 && StringValue.IsCanonicalInteger(s)) bytes += 16;
            else if (s.Length <= 44) bytes += Math.Max(32, JemallocSize(16 + 3 + s.Length + 1));
            else bytes += 16 + JemallocSize(s.Length + 9);
        }
        else if (value is RedisCollection c) bytes += 16 + c.EstimateBytes();
        else bytes += 16;
        return bytes;
    }

    /// <summary>jemalloc's size class for an allocation (8, 16, 32, 48 ... then four classes per power of two).</summary>
    internal static long JemallocSize(long n)
    {
        if (n <= 8) return 8;
        if (n <= 128) return (n + 15) / 16 * 16;
        long pow = 1L << (int)(63 - long.LeadingZeroCount(n - 1)); // largest power of two below n
        long step = pow / 4;
        return (n + step - 1) / step * step;
    }

    private static void MemoryDoctor(CommandContext ctx)
    {
        // Redis's getMemoryDoctorReport: below 5 MB of data it has nothing to say; we judge by our estimate.
        string report = InfoCommand.EstimateUsedMemory(ctx.Engine) < 5 * 1024 * 1024
            ? "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
            : "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
        ctx.Reply.Verbatim(report);
    }
}
