// Append-only persistence in Redis 7.0's multi-part layout (aof.c): <dir>/<appenddirname>/ holds a base file
// (an RDB, as with aof-use-rdb-preamble yes), incremental AOF files receiving every propagated command, and the
// manifest naming them. Without fork, a rewrite takes a copy-on-write snapshot and switches to a new incremental
// file in the same pause, so the snapshot plus the new file is exactly the dataset. Starting up replays base then
// incr files through the dispatcher with an internal client. The manifest is always replaced atomically
// (temp file, fsync, rename), so a crash at any point leaves a loadable set of files.
using System.Diagnostics;
using RedisPanel.Engine.Aof;
using RedisPanel.Protocol;
using RedisPanel.Storage.Aof;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Engine;

/// <summary>An AOF that cannot be loaded: the message names the file and the offset.</summary>
public sealed class AofLoadException(string message) : Exception(message);

public sealed partial class RedisEngine
{
    private AofWriter? _aof;
    private AofManifest? _manifest;
    private Task? _aofRewrite;
    private long _aofRewriteStartMs;
    private int _aofGeneration; // bumped by appendonly no: a rewrite started before it is discarded

    /// <summary>dir + appenddirname.</summary>
    public string AofDirectory => Path.Combine(Config.Dir, Config.AppendDirname);

    /// <summary>True while the AOF is being written (aof_enabled reports the config, as Redis's aof_state != OFF).</summary>
    public bool AofActive => _aof is not null;

    public bool AofRewriteInProgress => _aofRewrite is not null;
    public bool AofRewriteScheduled { get; private set; }
    public long AofLastRewriteSeconds { get; private set; } = -1;
    public long AofCurrentRewriteSeconds => _aofRewrite is null ? -1 : (Keyspace.NowMs - _aofRewriteStartMs) / 1000;
    public bool AofLastBgrewriteOk { get; private set; } = true;
    public long AofRewrites { get; private set; }
    public long AofRewritesConsecutiveFailures { get; private set; }
    public bool AofLastWriteOk => _aof?.LastWriteOk ?? true;
    public long AofCurrentSize => (_aof?.FileSize ?? 0) + AofBaseSize;
    public long AofBaseSize { get; private set; }
    public int AofBufferLength => _aof?.BufferedBytes ?? 0;

    /// <summary>The running rewrite, or a completed task (await it outside the lock).</summary>
    public Task AofRewriteTask => _aofRewrite ?? Task.CompletedTask;

    private AofFsync FsyncPolicy => Config.AppendFsync switch
    {
        "always" => AofFsync.Always,
        "no" => AofFsync.No,
        _ => AofFsync.EverySec,
    };

    private bool AofLoadTruncated => !Config.Stored.TryGetValue("aof-load-truncated", out var v) || v == "yes";

    private string AofPath(string name) => Path.Combine(AofDirectory, name);

    /// <summary>Writes the buffered AOF commands (fsync with appendfsync always); called at the end of each batch and by the cron.</summary>
    private void FlushAof() => _aof?.Flush();

    /// <summary>
    /// aofUpgradePrepare: an old-style single AOF (&lt;dir&gt;/&lt;appendfilename&gt;, Redis before 7.0) and no manifest:
    /// the file moves into the AOF directory as base 1 and a manifest is written. Returns true when it did.
    /// </summary>
    public bool UpgradeLegacyAof()
    {
        string legacy = Path.Combine(Config.Dir, Config.AppendFilename);
        if (AofExists || !File.Exists(legacy)) return false;
        Directory.CreateDirectory(AofDirectory);
        var m = new AofManifest { Base = new AofFileInfo(Config.AppendFilename, 1, AofFileType.Base), CurrentBaseSeq = 1 };
        PersistManifest(m);
        File.Move(legacy, AofPath(Config.AppendFilename));
        PersistenceWarning?.Invoke($"Successfully migrated an old-style AOF file ({Config.AppendFilename}) into the AOF directory ({Config.AppendDirname}).");
        return true;
    }

    /// <summary>True when an AOF manifest exists, i.e. a start with appendonly yes loads from it.</summary>
    public bool AofExists => File.Exists(AofPath(AofManifest.ManifestName(Config.AppendFilename)));

    /// <summary>
    /// Loads the AOF named by the manifest: the base (RDB, or commands), then every incr file replayed through the
    /// dispatcher. Not under the lock (takes it in chunks). Throws <see cref="AofLoadException"/>,
    /// <see cref="AofManifestException"/> or <see cref="RdbFormatException"/> when the files cannot be loaded.
    /// Returns the number of commands replayed.
    /// </summary>
    public long LoadAppendOnlyFiles()
    {
        string manifestPath = AofPath(AofManifest.ManifestName(Config.AppendFilename));
        var manifest = AofManifest.Parse(File.ReadAllText(manifestPath));
        var files = new List<AofFileInfo>();
        if (manifest.Base is not null) files.Add(manifest.Base);
        files.AddRange(manifest.Incr);
        if (files.Count == 0) throw new AofLoadException("Found an empty AOF manifest");
        foreach (var f in files)
            if (!File.Exists(AofPath(f.Name)))
                throw new AofLoadException($"The AOF file {f.Name} doesn't exist");
        var client = CreateClient("aof", "");
        client.Authenticated = true;
        long dirtyBefore;
        lock (SyncRoot) dirtyBefore = Dirty;
        long commands = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var f = files[i];
            string path = AofPath(f.Name);
            byte[] data = File.ReadAllBytes(path);
            int start = 0;
            if (data.AsSpan().StartsWith("REDIS"u8))
            {
                // An RDB base (aof-use-rdb-preamble yes): loaded whole, then swapped in.
                var fresh = new Storage.Keyspace(Keyspace.DatabaseCount, Time);
                var result = RdbReader.Load(data, path, fresh, new RdbLoadOptions
                {
                    SkipExpired = !Keyspace.IsReplica,
                    NowMs = Keyspace.NowMs,
                    VerifyChecksum = Config.RdbChecksum,
                    Limits = EncodingLimits,
                    Warning = w => PersistenceWarning?.Invoke(w),
                });
                lock (SyncRoot) Keyspace.ReplaceContents(fresh);
                start = result.BytesRead; // an old-style preamble AOF continues with commands (none in a .rdb base)
            }
            commands += ReplayCommands(client, f.Name, path, data, start, isLast: i == files.Count - 1);
        }
        lock (SyncRoot)
        {
            Dirty = dirtyBefore;
            _manifest = manifest;
            AofBaseSize = manifest.Base is { } b ? new FileInfo(AofPath(b.Name)).Length : 0;
        }
        return commands;
    }

    /// <summary>DEBUG LOADAOF (caller holds the lock): null when reloaded, else why not.</summary>
    public string? DebugLoadAof()
    {
        _aof?.FlushAndSync();
        if (!AofExists) return "no AOF manifest in " + AofDirectory;
        Keyspace.ReplaceContents(new Storage.Keyspace(Keyspace.DatabaseCount, Time));
        try
        {
            LoadAppendOnlyFiles();
        }
        catch (Exception e) when (e is AofLoadException or AofManifestException or RdbFormatException or IOException)
        {
            PersistenceWarning?.Invoke(e.Message);
            return e.Message;
        }
        Dirty = 0; // nothing to propagate or save (debug.c sets server.dirty = 0)
        PersistenceWarning?.Invoke("Append Only File loaded by DEBUG LOADAOF");
        return null;
    }

    /// <summary>loadSingleAppendOnlyFile's command loop for one file.</summary>
    private long ReplayCommands(ClientSession client, string name, string path, byte[] data, int start, bool isLast)
    {
        var reader = new AofCommandReader(data, start);
        long validUpTo = start, validBeforeMulti = start, count = 0;
        AofReadStatus status;
        string? error = null;
        var saved = new List<IPropagationSink>();
        while (true)
        {
            lock (SyncRoot)
            {
                // Replay is not propagated (Redis loads with no replicas and the AOF closed); commands run with
                // Loading cleared only while this lock is held, so real clients still see -LOADING.
                saved.Clear();
                saved.AddRange(_sinks);
                _sinks.Clear();
                bool wasLoading = Loading;
                Loading = false;
                try
                {
                    for (int n = 0; n < 1024; n++)
                    {
                        status = reader.Next(out var args);
                        if (status != AofReadStatus.Command) goto done;
                        var def = Table.Find(args[0]);
                        if (def is null)
                        {
                            error = $"Unknown command '{System.Text.Encoding.UTF8.GetString(args[0])}' reading the append only file {name}";
                            status = AofReadStatus.Format;
                            goto done;
                        }
                        if (def.Name == "multi") validBeforeMulti = validUpTo;
                        Execute(client, args);
                        if (client.TakeOutput() is { } output) client.ReturnOutput(output);
                        validUpTo = reader.Position;
                        count++;
                    }
                    continue;
                done:
                    break;
                }
                finally
                {
                    Loading = wasLoading;
                    _sinks.AddRange(saved);
                }
            }
        }
        if (error is not null) throw new AofLoadException(error);
        if (status == AofReadStatus.End && client.MultiQueue is not null)
        {
            PersistenceWarning?.Invoke($"Revert incomplete MULTI/EXEC transaction in AOF file {name}");
            lock (SyncRoot) client.MultiQueue = null;
            validUpTo = validBeforeMulti;
            status = AofReadStatus.Truncated;
        }
        else if (status == AofReadStatus.Truncated && client.MultiQueue is not null)
        {
            lock (SyncRoot) client.MultiQueue = null;
            validUpTo = validBeforeMulti;
        }
        if (status == AofReadStatus.Format)
            throw new AofLoadException($"Bad file format reading the append only file {name} at offset {reader.ErrorOffset}: "
                + "make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>");
        if (status == AofReadStatus.Truncated)
        {
            if (!AofLoadTruncated)
                throw new AofLoadException($"Unexpected end of file reading the append only file {name} at offset {reader.ErrorOffset}");
            if (!isLast)
                throw new AofLoadException($"Fatal error: the truncated file is not the last file ({name}, offset {reader.ErrorOffset})");
            PersistenceWarning?.Invoke($"!!! Warning: short read while loading the AOF file {name}!!! Truncating the AOF {name} at offset {validUpTo} !!!");
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write)) fs.SetLength(validUpTo);
            PersistenceWarning?.Invoke($"AOF {name} loaded anyway because aof-load-truncated is enabled");
        }
        return count;
    }

    /// <summary>
    /// Starts appending (node start with appendonly yes, after loading). Caller holds the lock. With no AOF yet,
    /// writes base 1 from the current dataset and opens incr 1 (Redis creates them at start); with a manifest,
    /// continues the last incr file (a new one when the manifest has none).
    /// </summary>
    public void OpenAppendOnlyOnStart()
    {
        if (_aof is not null) return;
        Directory.CreateDirectory(AofDirectory);
        string fn = Config.AppendFilename;
        if (_manifest is null && AofExists)
            _manifest = AofManifest.Parse(File.ReadAllText(AofPath(AofManifest.ManifestName(fn))));
        if (_manifest is null)
        {
            var m = new AofManifest();
            var b = m.NewBase(fn);
            using (var snap = TakeSnapshot())
                RdbFile.Save(AofPath(b.Name), snap, CreateSaveInfo() with { AofBase = true }, Config.RdbCompression, Config.RdbChecksum);
            AofBaseSize = new FileInfo(AofPath(b.Name)).Length;
            m.NewIncr(fn);
            _manifest = m;
            PersistManifest(m);
        }
        else if (_manifest.Incr.Count == 0)
        {
            _manifest.NewIncr(fn);
            PersistManifest(_manifest);
        }
        AttachWriter(AofPath(_manifest.Incr[^1].Name));
        _aofRewriteBaseSize = AofCurrentSize;
    }

    private void AttachWriter(string path)
    {
        var w = new AofWriter(path, () => FsyncPolicy) { OutsideBatch = () => _batchClock == 0 };
        w.WriteFailed += e => PersistenceWarning?.Invoke($"Error writing to the AOF file: {e}");
        _aof = w;
        _sinks.Add(w);
    }

    /// <summary>Stops appending: flush, fsync, close (appendonly no, node disposal). Caller holds the lock.</summary>
    public void CloseAppendOnly()
    {
        // A rewrite still running is abandoned (Redis kills the child): finishing it without the writer would
        // drop the incr file holding the writes made since its snapshot.
        _aofGeneration++;
        if (_aof is null) return;
        _sinks.Remove(_aof);
        _aof.Dispose();
        _aof = null;
    }

    /// <summary>Writes the manifest atomically: temp-<appendfilename>.manifest, fsync, rename (persistAofManifest).</summary>
    private void PersistManifest(AofManifest m)
    {
        string tmp = AofPath(AofManifest.TempPrefix + AofManifest.ManifestName(Config.AppendFilename));
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            fs.Write(System.Text.Encoding.UTF8.GetBytes(m.Format()));
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, AofPath(AofManifest.ManifestName(Config.AppendFilename)), overwrite: true);
    }

    /// <summary>BGREWRITEAOF: null when started, "scheduled" when it waits for a BGSAVE, else Redis's error text. Caller holds the lock.</summary>
    public string? StartAofRewrite()
    {
        if (_aofRewrite is not null) return "ERR Background append only file rewriting already in progress";
        if (BgsaveInProgress || _callDepth > 1)
        {
            // Behind a running BGSAVE or inside EXEC the cron starts it; a manual request resets the failure count.
            AofRewriteScheduled = true;
            AofRewritesConsecutiveFailures = 0;
            return "scheduled";
        }
        try
        {
            BeginAofRewrite(turningOn: false);
        }
        catch (IOException e)
        {
            AofLastBgrewriteOk = false;
            return "ERR Can't execute an AOF background rewriting. Please check the server logs for more information. " + e.Message;
        }
        return null;
    }

    /// <summary>CONFIG SET appendonly yes/no (startAppendOnly / stopAppendOnly). Caller holds the lock.</summary>
    public string? ApplyAppendOnlyConfig()
    {
        if (!Config.AppendOnly)
        {
            AofRewriteScheduled = false;
            CloseAppendOnly();
            return null;
        }
        if (_aof is not null) return null;
        try
        {
            if (_aofRewrite is not null || BgsaveInProgress) AofRewriteScheduled = true; // started by the cron
            else BeginAofRewrite(turningOn: true);
        }
        catch (IOException e)
        {
            return "Failed to start AOF: " + e.Message;
        }
        return null;
    }

    /// <summary>
    /// rewriteAppendOnlyFileBackground without fork: in one pause, the snapshot is taken and appends move to a new
    /// incr file (listed in the manifest at once when the AOF is on; a temp file when it is being turned on). The
    /// base is written in the background, then the manifest switches to the new base and the old files go.
    /// </summary>
    private void BeginAofRewrite(bool turningOn)
    {
        Directory.CreateDirectory(AofDirectory);
        string fn = Config.AppendFilename;
        if (_manifest is null && AofExists) _manifest = AofManifest.Parse(File.ReadAllText(AofPath(AofManifest.ManifestName(fn))));
        _manifest ??= new AofManifest();
        turningOn |= _aof is null && Config.AppendOnly;
        string? tempIncr = null;
        if (_aof is not null)
        {
            var incr = _manifest.NewIncr(fn);
            PersistManifest(_manifest);
            _aof.SwitchTo(AofPath(incr.Name));
        }
        else if (turningOn)
        {
            tempIncr = AofPath(AofManifest.TempPrefix + fn + AofManifest.IncrSuffix);
            File.Delete(tempIncr);
            AttachWriter(tempIncr);
        }
        var snap = TakeSnapshot();
        var info = CreateSaveInfo() with { AofBase = true };
        bool compress = Config.RdbCompression, checksum = Config.RdbChecksum;
        int generation = _aofGeneration;
        string tempBase = AofPath($"temp-rewriteaof-bg-{Environment.ProcessId}.aof");
        _aofRewriteStartMs = Keyspace.NowMs;
        AofRewriteScheduled = false;
        // Asynchronous continuations: the rewrite must never run inline on the thread that starts it (which holds the lock).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _aofRewrite = Task.Run(async () =>
        {
            await started.Task;
            string? error = null;
            try
            {
                RdbFile.Save(tempBase, snap, info, compress, checksum);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = e.Message;
            }
            finally
            {
                snap.Dispose();
            }
            lock (SyncRoot)
            {
                _aofRewrite = null;
                AofLastRewriteSeconds = (Keyspace.NowMs - _aofRewriteStartMs) / 1000;
                if (error is null && generation != _aofGeneration) error = "AOF was turned off during the rewrite";
                if (error is null)
                {
                    try
                    {
                        FinishAofRewrite(tempBase, tempIncr);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        error = e.Message;
                    }
                }
                if (error is null)
                {
                    AofRewrites++;
                    AofRewritesConsecutiveFailures = 0;
                    AofLastBgrewriteOk = true;
                }
                else
                {
                    AofRewritesConsecutiveFailures++;
                    AofLastBgrewriteOk = false;
                    TryDelete(tempBase);
                    if (tempIncr is not null && generation != _aofGeneration) TryDelete(tempIncr);
                    PersistenceWarning?.Invoke($"Background AOF rewrite failed: {error}");
                }
            }
        });
        started.SetResult();
    }

    /// <summary>backgroundRewriteDoneHandler: new base in, old base and rewritten incr files to history, deleted.</summary>
    private void FinishAofRewrite(string tempBase, string? tempIncr)
    {
        string fn = Config.AppendFilename;
        var m = _manifest!.Clone();
        var b = m.NewBase(fn);
        File.Move(tempBase, AofPath(b.Name), overwrite: true);
        if (tempIncr is not null)
        {
            var incr = m.NewIncr(fn);
            File.Move(tempIncr, AofPath(incr.Name), overwrite: true);
            _aof?.Renamed(incr.Name);
        }
        // With the AOF on, only the incr file opened at the rewrite's start survives; with it off, none.
        m.MarkRewrittenIncrAsHistory(_aof is not null ? 1 : 0);
        PersistManifest(m);
        _manifest = m;
        AofBaseSize = new FileInfo(AofPath(b.Name)).Length;
        _aofRewriteBaseSize = AofCurrentSize;
        // aofDelHistoryFiles: the history files go, then the manifest is written again without them.
        if (m.History.Count > 0)
        {
            foreach (var h in m.History) TryDelete(AofPath(h.Name));
            m.History.Clear();
            PersistManifest(m);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            PersistenceWarning?.Invoke($"Can't remove {path}: {e.Message}");
        }
    }

    /// <summary>serverCron's AOF part: flush commands propagated outside a batch (expiry), start a scheduled rewrite.</summary>
    private void AofCron()
    {
        FlushAof();
        if (_aofRewrite is not null || BgsaveInProgress) return;
        if (!AofRewriteScheduled && _aof is not null && AutoRewriteDue())
        {
            PersistenceWarning?.Invoke($"Starting automatic rewriting of AOF on {AofGrowthPercent()}% growth");
            AofRewriteScheduled = true;
        }
        if (AofRewriteScheduled)
        {
            try
            {
                BeginAofRewrite(turningOn: false);
            }
            catch (IOException e)
            {
                PersistenceWarning?.Invoke($"Can't start the scheduled AOF rewrite: {e.Message}");
            }
        }
    }

    /// <summary>aof_rewrite_base_size: the AOF's size after the last rewrite (or at load), the base of the growth check.</summary>
    private long _aofRewriteBaseSize;

    private long StoredLong(string name, long fallback)
        => Config.Stored.TryGetValue(name, out var v) && long.TryParse(v, out long n) ? n : fallback;

    private long AofGrowthPercent() => AofCurrentSize * 100 / Math.Max(1, _aofRewriteBaseSize) - 100;

    /// <summary>serverCron's automatic rewrite: auto-aof-rewrite-percentage growth over a size above auto-aof-rewrite-min-size.</summary>
    private bool AutoRewriteDue()
    {
        long perc = StoredLong("auto-aof-rewrite-percentage", 100);
        long min = StoredLong("auto-aof-rewrite-min-size", 64L * 1024 * 1024);
        // Like aofRewriteLimited: after 3 failures in a row, retry at most once an hour (here: stop auto retries).
        return perc > 0 && AofCurrentSize > min && AofGrowthPercent() >= perc && AofRewritesConsecutiveFailures < 3;
    }
}
