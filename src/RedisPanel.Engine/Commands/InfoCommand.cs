// INFO [section ...] with Redis 7.0.15's sections, field names, order and number formats (src/server.c
// genRedisInfoString). Values come from this node's real state; where Redis reports something we do not have
// (fork, jemalloc, Lua, io threads) the field keeps Redis's idle value so parsers and dashboards keep working.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class ServerCommands
{
    private static void Info(CommandContext ctx)
    {
        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool all = false, everything = false;
        if (ctx.Args.Count == 1) sections.UnionWith(InfoCommand.DefaultSections);
        for (int i = 1; i < ctx.Args.Count; i++)
        {
            string s = ctx.Args.GetString(i);
            if (s.Equals("default", StringComparison.OrdinalIgnoreCase)) sections.UnionWith(InfoCommand.DefaultSections);
            else if (s.Equals("all", StringComparison.OrdinalIgnoreCase)) all = true;
            else if (s.Equals("everything", StringComparison.OrdinalIgnoreCase)) everything = all = true;
            else sections.Add(s);
        }
        ctx.Reply.Verbatim(InfoCommand.Generate(ctx.Engine, sections, all || everything));
    }
}

/// <summary>Builds the INFO text. Runs under the node lock.</summary>
public static class InfoCommand
{
    /// <summary>Redis's default_sections (INFO and INFO default).</summary>
    public static readonly string[] DefaultSections =
        ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "module_list", "errorstats", "cluster", "keyspace"];

    private static readonly string BuildId = typeof(InfoCommand).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..16];
    private static readonly Lazy<string> Os = new(() =>
    {
        string release = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.Version.ToString();
        string sys = OperatingSystem.IsLinux() ? "Linux" : OperatingSystem.IsMacOS() ? "Darwin" : OperatingSystem.IsWindows() ? "Windows" : "Unknown";
        string machine = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x86_64",
            Architecture.Arm64 => "aarch64",
            var a => a.ToString().ToLowerInvariant(),
        };
        return $"{sys} {release} {machine}";
    });
    private static readonly Lazy<long> TotalSystemMemory = new(() =>
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    });

    public static string Generate(RedisEngine e, HashSet<string> sections, bool all)
    {
        var sb = new StringBuilder(4096);
        int count = 0;
        bool Want(string name) => all || sections.Contains(name);
        void Header(string title)
        {
            if (count++ > 0) sb.Append("\r\n");
            sb.Append("# ").Append(title).Append("\r\n");
        }
        long nowMs = e.Keyspace.NowMs;
        long uptime = (nowMs - e.StartTimeMs) / 1000;

        if (Want("server"))
        {
            Header("Server");
            Line(sb, "redis_version", ConnectionCommands.RedisVersion);
            Line(sb, "redis_git_sha1", "00000000");
            Line(sb, "redis_git_dirty", "0");
            Line(sb, "redis_build_id", BuildId);
            Line(sb, "redis_mode", "standalone");
            Line(sb, "os", Os.Value);
            Line(sb, "arch_bits", Environment.Is64BitProcess ? "64" : "32");
            // Stopwatch reads CLOCK_MONOTONIC through clock_gettime on Linux; sockets are Kestrel's epoll transport.
            Line(sb, "monotonic_clock", "POSIX clock_gettime");
            Line(sb, "multiplexing_api", OperatingSystem.IsLinux() ? "epoll" : OperatingSystem.IsWindows() ? "iocp" : "kqueue");
            Line(sb, "atomicvar_api", "c11-builtin");
            Line(sb, "gcc_version", "0.0.0"); // what Redis prints when not built by GCC
            Line(sb, "process_id", Environment.ProcessId);
            Line(sb, "process_supervised", "no");
            Line(sb, "run_id", e.RunId);
            Line(sb, "tcp_port", e.TcpPort);
            var utc = e.Time.GetUtcNow();
            Line(sb, "server_time_usec", (utc - DateTimeOffset.UnixEpoch).Ticks / 10);
            Line(sb, "uptime_in_seconds", uptime);
            Line(sb, "uptime_in_days", uptime / (3600 * 24));
            Line(sb, "hz", e.Config.Hz);
            Line(sb, "configured_hz", e.Config.Hz);
            Line(sb, "lru_clock", (nowMs / 1000) & ((1 << 24) - 1));
            Line(sb, "executable", Environment.ProcessPath ?? "");
            Line(sb, "config_file", e.Config.ConfigFile ?? "");
            Line(sb, "io_threads_active", 0);
        }

        if (Want("clients"))
        {
            Header("Clients");
            int replicas = 0, blocked = 0;
            long maxIn = 0, maxOut = 0;
            foreach (var c in e.Clients.Values)
            {
                if (c.Has(ClientFlags.Replica) && !c.Has(ClientFlags.Monitor)) replicas++;
                if (c.Has(ClientFlags.Blocked)) blocked++;
                maxIn = Math.Max(maxIn, c.QueryBufferBytes);
                maxOut = Math.Max(maxOut, c.PendingOutput);
            }
            Line(sb, "connected_clients", e.Clients.Count - replicas);
            Line(sb, "cluster_connections", 0);
            Line(sb, "maxclients", e.Config.MaxClients);
            Line(sb, "client_recent_max_input_buffer", maxIn);
            Line(sb, "client_recent_max_output_buffer", maxOut);
            Line(sb, "blocked_clients", blocked);
            Line(sb, "tracking_clients", 0);
            Line(sb, "clients_in_timeout_table", e.BlockingIfCreated?.ClientsWithTimeout ?? 0);
        }

        if (Want("memory"))
        {
            Header("Memory");
            AppendMemory(sb, e);
        }

        if (Want("persistence"))
        {
            Header("Persistence");
            Line(sb, "loading", e.Loading ? 1 : 0);
            Line(sb, "async_loading", 0);
            Line(sb, "current_cow_peak", 0);
            Line(sb, "current_cow_size", 0);
            Line(sb, "current_cow_size_age", 0);
            Line(sb, "current_fork_perc", "0.00");
            var (saveDone, saveTotal) = e.CurrentSaveProgress;
            Line(sb, "current_save_keys_processed", saveDone);
            Line(sb, "current_save_keys_total", saveTotal);
            Line(sb, "rdb_changes_since_last_save", e.Dirty);
            Line(sb, "rdb_bgsave_in_progress", e.BgsaveInProgress || e.ReplicationSavesInProgress > 0 ? 1 : 0);
            Line(sb, "rdb_last_save_time", e.LastSaveUnixSeconds);
            Line(sb, "rdb_last_bgsave_status", e.LastBgsaveOk ? "ok" : "err");
            Line(sb, "rdb_last_bgsave_time_sec", e.LastBgsaveSeconds);
            Line(sb, "rdb_current_bgsave_time_sec", e.CurrentBgsaveSeconds);
            Line(sb, "rdb_saves", e.RdbSaves);
            Line(sb, "rdb_last_cow_size", 0);
            Line(sb, "rdb_last_load_keys_expired", e.LastLoadKeysExpired);
            Line(sb, "rdb_last_load_keys_loaded", e.LastLoadKeysLoaded);
            Line(sb, "aof_enabled", e.Config.AppendOnly ? 1 : 0);
            Line(sb, "aof_rewrite_in_progress", e.AofRewriteInProgress ? 1 : 0);
            Line(sb, "aof_rewrite_scheduled", e.AofRewriteScheduled ? 1 : 0);
            Line(sb, "aof_last_rewrite_time_sec", e.AofLastRewriteSeconds);
            Line(sb, "aof_current_rewrite_time_sec", e.AofCurrentRewriteSeconds);
            Line(sb, "aof_last_bgrewrite_status", e.AofLastBgrewriteOk ? "ok" : "err");
            Line(sb, "aof_rewrites", e.AofRewrites);
            Line(sb, "aof_rewrites_consecutive_failures", e.AofRewritesConsecutiveFailures);
            Line(sb, "aof_last_write_status", e.AofLastWriteOk ? "ok" : "err");
            Line(sb, "aof_last_cow_size", 0);
            Line(sb, "module_fork_in_progress", 0);
            Line(sb, "module_fork_last_cow_size", 0);
            if (e.Config.AppendOnly)
            {
                // Shown while the AOF is on, as Redis's genRedisInfoString (aof_state != AOF_OFF).
                Line(sb, "aof_current_size", e.AofCurrentSize);
                Line(sb, "aof_base_size", e.AofBaseSize);
                Line(sb, "aof_pending_rewrite", e.AofRewriteScheduled ? 1 : 0);
                Line(sb, "aof_buffer_length", e.AofBufferLength);
                Line(sb, "aof_pending_bio_fsync", 0);
                Line(sb, "aof_delayed_fsync", 0);
            }
        }

        if (Want("stats"))
        {
            Header("Stats");
            var s = e.Stats;
            var (channels, patterns) = e.PubSubCounts?.Invoke() ?? (0, 0);
            Line(sb, "total_connections_received", s.TotalConnectionsReceived);
            Line(sb, "total_commands_processed", s.TotalCommandsProcessed);
            Line(sb, "instantaneous_ops_per_sec", s.InstantaneousOpsPerSec);
            Line(sb, "total_net_input_bytes", Interlocked.Read(ref s.NetInputBytes));
            Line(sb, "total_net_output_bytes", Interlocked.Read(ref s.NetOutputBytes));
            Line(sb, "total_net_repl_input_bytes", 0);
            Line(sb, "total_net_repl_output_bytes", 0);
            Line(sb, "instantaneous_input_kbps", "0.00");
            Line(sb, "instantaneous_output_kbps", "0.00");
            Line(sb, "instantaneous_input_repl_kbps", "0.00");
            Line(sb, "instantaneous_output_repl_kbps", "0.00");
            Line(sb, "rejected_connections", s.RejectedConnections);
            Line(sb, "sync_full", s.SyncFull);
            Line(sb, "sync_partial_ok", s.SyncPartialOk);
            Line(sb, "sync_partial_err", s.SyncPartialErr);
            Line(sb, "expired_keys", e.Keyspace.ExpiredKeys);
            Line(sb, "expired_stale_perc", "0.00");
            Line(sb, "expired_time_cap_reached_count", 0);
            Line(sb, "expire_cycle_cpu_milliseconds", 0);
            Line(sb, "evicted_keys", 0);
            Line(sb, "evicted_clients", 0);
            Line(sb, "total_eviction_exceeded_time", 0);
            Line(sb, "current_eviction_exceeded_time", 0);
            Line(sb, "keyspace_hits", s.KeyspaceHits);
            Line(sb, "keyspace_misses", s.KeyspaceMisses);
            Line(sb, "pubsub_channels", channels);
            Line(sb, "pubsub_patterns", patterns);
            Line(sb, "pubsubshard_channels", 0);
            Line(sb, "latest_fork_usec", 0);
            Line(sb, "total_forks", 0);
            Line(sb, "migrate_cached_sockets", 0);
            Line(sb, "slave_expires_tracked_keys", 0);
            Line(sb, "active_defrag_hits", 0);
            Line(sb, "active_defrag_misses", 0);
            Line(sb, "active_defrag_key_hits", 0);
            Line(sb, "active_defrag_key_misses", 0);
            Line(sb, "total_active_defrag_time", 0);
            Line(sb, "current_active_defrag_time", 0);
            Line(sb, "tracking_total_keys", 0);
            Line(sb, "tracking_total_items", 0);
            Line(sb, "tracking_total_prefixes", 0);
            Line(sb, "unexpected_error_replies", s.UnexpectedErrorReplies);
            Line(sb, "total_error_replies", s.TotalErrorReplies);
            Line(sb, "dump_payload_sanitizations", 0);
            // Reads/writes are batched per connection here; we count commands in and replies out instead.
            Line(sb, "total_reads_processed", s.TotalCommandsProcessed);
            Line(sb, "total_writes_processed", s.TotalCommandsProcessed);
            Line(sb, "io_threaded_reads_processed", 0);
            Line(sb, "io_threaded_writes_processed", 0);
            Line(sb, "reply_buffer_shrinks", 0);
            Line(sb, "reply_buffer_expands", 0);
        }

        if (Want("replication"))
        {
            Header("Replication");
            if (e.ReplicationInfo is { } provider) sb.Append(provider());
            else
            {
                Line(sb, "role", "master");
                Line(sb, "connected_slaves", 0);
                Line(sb, "master_failover_state", "no-failover");
                Line(sb, "master_replid", e.ReplId);
                Line(sb, "master_replid2", e.ReplId2);
                Line(sb, "master_repl_offset", e.ReplOffset);
                Line(sb, "second_repl_offset", e.SecondReplOffset);
                Line(sb, "repl_backlog_active", 0);
                Line(sb, "repl_backlog_size", e.Config.ReplBacklogSize);
                Line(sb, "repl_backlog_first_byte_offset", 0);
                Line(sb, "repl_backlog_histlen", 0);
            }
        }

        if (Want("cpu"))
        {
            Header("CPU");
            using var p = Process.GetCurrentProcess();
            Line(sb, "used_cpu_sys", Seconds(p.PrivilegedProcessorTime));
            Line(sb, "used_cpu_user", Seconds(p.UserProcessorTime));
            Line(sb, "used_cpu_sys_children", "0.000000");
            Line(sb, "used_cpu_user_children", "0.000000");
            // No single main thread here: the node's work spreads over the thread pool, so report the process.
            Line(sb, "used_cpu_sys_main_thread", Seconds(p.PrivilegedProcessorTime));
            Line(sb, "used_cpu_user_main_thread", Seconds(p.UserProcessorTime));
        }

        if (all || sections.Contains("module_list") || sections.Contains("modules")) Header("Modules");

        if (Want("commandstats"))
        {
            Header("Commandstats");
            foreach (var def in e.Table.All) AppendCommandStats(sb, def);
        }

        if (Want("errorstats"))
        {
            Header("Errorstats");
            foreach (var (code, n) in e.Stats.ErrorCodes)
                sb.Append("errorstat_").Append(SafeInfo(code)).Append(":count=").Append(n).Append("\r\n");
        }

        // Latency histograms are not tracked (as Redis with latency-tracking no): the section stays empty.
        if (Want("latencystats")) Header("Latencystats");

        if (Want("cluster"))
        {
            Header("Cluster");
            Line(sb, "cluster_enabled", 0);
        }

        if (Want("keyspace"))
        {
            Header("Keyspace");
            for (int i = 0; i < e.Keyspace.DatabaseCount; i++)
            {
                var db = e.Keyspace[i];
                if (db.Count == 0 && db.ExpiresCount == 0) continue;
                sb.Append("db").Append(i).Append(":keys=").Append(db.Count).Append(",expires=").Append(db.ExpiresCount)
                  .Append(",avg_ttl=").Append(AverageTtl(db, nowMs, e.Random)).Append("\r\n");
            }
        }
        return sb.ToString();
    }

    private static void AppendCommandStats(StringBuilder sb, CommandDef def)
    {
        if (def.Calls != 0 || def.FailedCalls != 0 || def.RejectedCalls != 0)
        {
            double perCall = def.Calls == 0 ? 0 : (float)def.Microseconds / def.Calls;
            sb.Append("cmdstat_").Append(SafeInfo(def.FullName)).Append(":calls=").Append(def.Calls)
              .Append(",usec=").Append(def.Microseconds)
              .Append(",usec_per_call=").Append(perCall.ToString("F2", CultureInfo.InvariantCulture))
              .Append(",rejected_calls=").Append(def.RejectedCalls)
              .Append(",failed_calls=").Append(def.FailedCalls).Append("\r\n");
        }
        if (def.Subcommands is not null)
            foreach (var sub in def.Subcommands.Values) AppendCommandStats(sb, sub);
    }

    /// <summary>Redis's getSafeInfoString: '#', ':', CR and LF become '_'.</summary>
    private static string SafeInfo(string s) =>
        s.AsSpan().IndexOfAny("#:\r\n") < 0 ? s : s.Replace('#', '_').Replace(':', '_').Replace('\r', '_').Replace('\n', '_');

    private static void AppendMemory(StringBuilder sb, RedisEngine e)
    {
        long used = EstimateUsedMemory(e);
        long startup = StartupMemory(e);
        e.UsedMemoryPeak = Math.Max(e.UsedMemoryPeak, used);
        long peak = e.UsedMemoryPeak;
        var gc = GC.GetGCMemoryInfo();
        long allocated = GC.GetTotalMemory(false);
        long active = Math.Max(allocated, gc.HeapSizeBytes);
        long resident = Math.Max(active, gc.TotalCommittedBytes);
        using var p = Process.GetCurrentProcess();
        long rss = p.WorkingSet64;
        long overhead = startup + ClientsMemory(e);
        long dataset = Math.Max(0, used - overhead);
        long netUsed = Math.Max(1, used - startup);
        long systemMemory = TotalSystemMemory.Value;
        Line(sb, "used_memory", used);
        Line(sb, "used_memory_human", Human(used));
        Line(sb, "used_memory_rss", rss);
        Line(sb, "used_memory_rss_human", Human(rss));
        Line(sb, "used_memory_peak", peak);
        Line(sb, "used_memory_peak_human", Human(peak));
        Line(sb, "used_memory_peak_perc", Ratio(100.0 * used / Math.Max(1, peak)) + "%");
        Line(sb, "used_memory_overhead", overhead);
        Line(sb, "used_memory_startup", startup);
        Line(sb, "used_memory_dataset", dataset);
        Line(sb, "used_memory_dataset_perc", Ratio(100.0 * dataset / netUsed) + "%");
        Line(sb, "allocator_allocated", allocated);
        Line(sb, "allocator_active", active);
        Line(sb, "allocator_resident", resident);
        Line(sb, "total_system_memory", systemMemory);
        Line(sb, "total_system_memory_human", Human(systemMemory));
        Line(sb, "used_memory_lua", 0);
        Line(sb, "used_memory_vm_eval", 0);
        Line(sb, "used_memory_lua_human", "0B");
        Line(sb, "used_memory_scripts_eval", 0);
        Line(sb, "number_of_cached_scripts", 0);
        Line(sb, "number_of_functions", 0);
        Line(sb, "number_of_libraries", 0);
        Line(sb, "used_memory_vm_functions", 0);
        Line(sb, "used_memory_vm_total", 0);
        Line(sb, "used_memory_vm_total_human", "0B");
        Line(sb, "used_memory_functions", 0);
        Line(sb, "used_memory_scripts", 0);
        Line(sb, "used_memory_scripts_human", "0B");
        Line(sb, "maxmemory", e.Config.MaxMemory);
        Line(sb, "maxmemory_human", Human(e.Config.MaxMemory));
        Line(sb, "maxmemory_policy", e.Config.MaxMemoryPolicy);
        Line(sb, "allocator_frag_ratio", Ratio((double)active / Math.Max(1, allocated)));
        Line(sb, "allocator_frag_bytes", active - allocated);
        Line(sb, "allocator_rss_ratio", Ratio((double)resident / Math.Max(1, active)));
        Line(sb, "allocator_rss_bytes", resident - active);
        Line(sb, "rss_overhead_ratio", Ratio((double)rss / Math.Max(1, resident)));
        Line(sb, "rss_overhead_bytes", rss - resident);
        Line(sb, "mem_fragmentation_ratio", Ratio((double)rss / Math.Max(1, used)));
        Line(sb, "mem_fragmentation_bytes", rss - used);
        Line(sb, "mem_not_counted_for_evict", 0);
        Line(sb, "mem_replication_backlog", 0);
        Line(sb, "mem_total_replication_buffers", 0);
        Line(sb, "mem_clients_slaves", 0);
        Line(sb, "mem_clients_normal", ClientsMemory(e));
        Line(sb, "mem_cluster_links", 0);
        Line(sb, "mem_aof_buffer", 0);
        // Redis names its allocator here; ours is the .NET garbage collector.
        Line(sb, "mem_allocator", "dotnet-gc");
        Line(sb, "active_defrag_running", 0);
        Line(sb, "lazyfree_pending_objects", 0);
        Line(sb, "lazyfreed_objects", 0);
    }

    /// <summary>The fixed overhead of an empty node: the database tables (Redis's used_memory_startup analogue).</summary>
    private static long StartupMemory(RedisEngine e) => 64 * 1024 + e.Keyspace.DatabaseCount * 96L;

    private static long ClientsMemory(RedisEngine e)
    {
        long n = 0;
        foreach (var c in e.Clients.Values) n += 1024 + c.PendingOutput + c.QueryBufferBytes;
        return n;
    }

    /// <summary>
    /// used_memory: the startup overhead, client buffers, and the dataset estimated as Redis's MEMORY USAGE
    /// would count it (<see cref="ServerCommands.EstimateKeyBytes"/>). Databases up to 1024 keys are summed
    /// exactly; bigger ones from 1024 random keys scaled by the key count, plus 24 bytes per TTL entry.
    /// </summary>
    public static long EstimateUsedMemory(RedisEngine e)
    {
        long total = StartupMemory(e) + ClientsMemory(e);
        const int sample = 1024;
        for (int i = 0; i < e.Keyspace.DatabaseCount; i++)
        {
            var db = e.Keyspace[i];
            if (db.Count == 0) continue;
            var main = db.Main;
            total += 8L * main.BucketCount + 32L * db.ExpiresCount;
            if (db.Count <= sample)
            {
                foreach (var kv in main.Entries()) total += ServerCommands.EstimateKeyBytes(kv.Key.Length, kv.Value.Value);
            }
            else
            {
                long sum = 0;
                int n = 0;
                for (int k = 0; k < sample; k++)
                {
                    if (!main.TryGetRandom(e.Random, out var key, out var slot)) break;
                    sum += ServerCommands.EstimateKeyBytes(key.Length, slot.Value);
                    n++;
                }
                if (n > 0) total += sum * db.Count / n;
            }
        }
        return total;
    }

    /// <summary>avg_ttl in ms over the keys with a TTL (exact up to 1024 keys, else sampled), 0 when none.</summary>
    private static long AverageTtl(RedisDatabase db, long nowMs, Random random)
    {
        if (db.ExpiresCount == 0) return 0;
        long sum = 0, n = 0;
        if (db.ExpiresCount <= 1024)
        {
            foreach (var kv in db.Expires.Entries())
            {
                if (kv.Value > nowMs) sum += kv.Value - nowMs;
                n++;
            }
        }
        else
        {
            for (int k = 0; k < 1024; k++)
            {
                if (!db.Expires.TryGetRandom(random, out _, out long at)) break;
                if (at > nowMs) sum += at - nowMs;
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    private static void Line(StringBuilder sb, string name, string value) => sb.Append(name).Append(':').Append(value).Append("\r\n");

    private static void Line(StringBuilder sb, string name, long value) => sb.Append(name).Append(':').Append(value).Append("\r\n");

    private static string Seconds(TimeSpan t)
    {
        long micros = t.Ticks / 10;
        return string.Create(CultureInfo.InvariantCulture, $"{micros / 1_000_000}.{micros % 1_000_000:D6}");
    }

    private static string Ratio(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Redis's bytesToHuman: "%lluB" below 1K, then "%.2fK/M/G/T/P".</summary>
    public static string Human(long n)
    {
        if (n < 1024) return n.ToString(CultureInfo.InvariantCulture) + "B";
        string[] units = ["K", "M", "G", "T", "P"];
        double d = n;
        foreach (var u in units)
        {
            d /= 1024;
            if (d < 1024 || u == "P") return d.ToString("F2", CultureInfo.InvariantCulture) + u;
        }
        return n + "B";
    }
}
