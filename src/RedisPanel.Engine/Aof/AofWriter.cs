// The append-only file writer: a propagation sink that appends every propagated command to the current
// incremental AOF file, emitting SELECT whenever the database changes (Redis's feedAppendOnlyFile with
// aof_selected_db; a new file starts with no db selected). Commands are buffered during a batch and written by
// Flush (Redis writes server.aof_buf in beforeSleep, before replies are sent), then:
//   appendfsync always   - fsync in Flush, before the batch's replies leave (the caller holds the node lock);
//   appendfsync everysec - a background timer fsyncs once a second (Redis's bio fsync job);
//   appendfsync no       - never fsync; the OS decides.
using System.Buffers;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace RedisPanel.Engine.Aof;

/// <summary>fsync policy (appendfsync).</summary>
public enum AofFsync
{
    No,
    Always,
    EverySec,
}

/// <summary>Appends propagated commands to an open incremental AOF file. All members but the timer run under the node lock.</summary>
public sealed class AofWriter : IPropagationSink, IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Func<AofFsync> _policy;
    private readonly Timer _fsyncTimer;
    private SafeFileHandle _file;
    private long _offset;
    private int _selectedDb = -1;
    private int _unsynced; // 1 when bytes were written since the last fsync (read by the timer)
    private bool _disposed;

    /// <param name="path">The incremental file, opened for append (created when missing).</param>
    /// <param name="policy">Read at every flush, so CONFIG SET appendfsync takes effect at once.</param>
    public AofWriter(string path, Func<AofFsync> policy)
    {
        _policy = policy;
        _file = Open(path, out _offset);
        FileName = Path.GetFileName(path);
        _fsyncTimer = new Timer(_ => BackgroundFsync(), null, 1000, 1000);
    }

    /// <summary>Name of the file being appended to.</summary>
    public string FileName { get; private set; }

    /// <summary>Size of the current incremental file (aof_current_size counts from its start).</summary>
    public long FileSize => _offset;

    /// <summary>Bytes buffered and not yet written (aof_buffer_length).</summary>
    public int BufferedBytes => _buffer.WrittenCount;

    /// <summary>False after a failed write or fsync (aof_last_write_status:err) until the next good one.</summary>
    public bool LastWriteOk { get; private set; } = true;

    /// <summary>Raised with the error text when a write fails.</summary>
    public event Action<string>? WriteFailed;

    /// <summary>True while not in a connection's batch: commands run outside one are flushed at once.</summary>
    public Func<bool>? OutsideBatch { get; set; }

    private static SafeFileHandle Open(string path, out long length)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        length = RandomAccess.GetLength(handle);
        return handle;
    }

    public void Propagate(int db, ReadOnlySpan<byte> command)
    {
        if (db != _selectedDb)
        {
            string n = db.ToString(CultureInfo.InvariantCulture);
            Append($"*2\r\n$6\r\nSELECT\r\n${n.Length}\r\n{n}\r\n");
            _selectedDb = db;
        }
        _buffer.Write(command);
        if (OutsideBatch?.Invoke() == true) Flush();
    }

    private void Append(string ascii)
    {
        var span = _buffer.GetSpan(ascii.Length);
        for (int i = 0; i < ascii.Length; i++) span[i] = (byte)ascii[i];
        _buffer.Advance(ascii.Length);
    }

    /// <summary>Writes the buffered commands, and fsyncs them with appendfsync always. Returns false on an I/O error.</summary>
    public bool Flush()
    {
        if (_buffer.WrittenCount == 0) return true;
        try
        {
            RandomAccess.Write(_file, _buffer.WrittenSpan, _offset);
            _offset += _buffer.WrittenCount;
            _buffer.Clear();
            if (_policy() == AofFsync.Always) RandomAccess.FlushToDisk(_file);
            else Volatile.Write(ref _unsynced, 1);
            LastWriteOk = true;
            return true;
        }
        catch (IOException e)
        {
            // Kept in the buffer: Redis retries the write on the next beforeSleep.
            LastWriteOk = false;
            WriteFailed?.Invoke(e.Message);
            return false;
        }
    }

    /// <summary>Writes and fsyncs everything now (shutdown, file switch).</summary>
    public void FlushAndSync()
    {
        Flush();
        try
        {
            RandomAccess.FlushToDisk(_file);
        }
        catch (IOException e)
        {
            LastWriteOk = false;
            WriteFailed?.Invoke(e.Message);
        }
    }

    /// <summary>Continues in a new incremental file (a rewrite started): the old one is flushed, synced and closed.</summary>
    public void SwitchTo(string path)
    {
        FlushAndSync();
        var old = _file;
        _file = Open(path, out _offset);
        FileName = Path.GetFileName(path);
        _selectedDb = -1; // a new file starts with an explicit SELECT
        old.Dispose();
    }

    /// <summary>The file was renamed (temp incr file promoted by a rewrite); the handle stays valid.</summary>
    public void Renamed(string newName) => FileName = newName;

    private void BackgroundFsync()
    {
        // Runs on a timer thread: fsync of a descriptor is safe alongside writes on another thread.
        if (_policy() != AofFsync.EverySec || Interlocked.Exchange(ref _unsynced, 0) == 0) return;
        var file = _file;
        try
        {
            if (!file.IsClosed) RandomAccess.FlushToDisk(file);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Volatile.Write(ref _unsynced, 1); // retried next second
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _fsyncTimer.Dispose();
        FlushAndSync();
        _file.Dispose();
    }
}
