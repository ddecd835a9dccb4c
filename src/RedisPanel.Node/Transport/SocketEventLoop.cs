// A node listener's event loop: one thread that waits on epoll for its connections' sockets, runs each ready
// connection's receive inline (parse, execute, reply into the output pipe), and sends the replies of the whole batch
// after it, as Redis's ae loop writes every client's replies in beforeSleep.
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace RedisPanel.Node.Transport;

/// <summary>
/// Why not the runtime's socket engine: it completes each ready socket's receive and then, inline, its send, so a
/// client is woken by its reply while the loop goes on to the next socket, and with 50 clients nearly every reply
/// costs the node a cross-CPU wake-up (about 15% of its time under redis-benchmark's ZADD, 5% for Redis). Here the
/// replies of one epoll batch go out together at its end: the first wakes the client and the rest find it running.
/// Sockets are registered edge-triggered; a connection receives and sends with non-blocking calls and waits on its
/// <see cref="Readiness"/> only after EAGAIN. Lifetime: the listener and every connection hold a reference; the
/// thread ends when the last is released.
/// </summary>
internal sealed unsafe class SocketEventLoop
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = 0;

    [ThreadStatic] private static SocketEventLoop? t_current;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<GCHandle> _released = new();
    private List<SocketConnection> _endOfBatch = new();
    private List<SocketConnection> _sending = new();
    private int _refs = 1;
    private volatile bool _stopping;

    public SocketEventLoop(string name)
    {
        _epoll = NativeIo.Create();
        try
        {
            _wakeFd = NativeIo.CreateEventFd();
            NativeIo.Add(_epoll, _wakeFd, NativeIo.In | NativeIo.EdgeTriggered, WakeToken);
        }
        catch
        {
            NativeIo.Close(_epoll);
            throw;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>True on the loop's own thread, where sends wait for the end of the batch.</summary>
    public bool IsCurrent => t_current == this;

    /// <summary>Registers a connection's socket; the returned handle is its token, released by <see cref="Unregister"/>.</summary>
    /// <exception cref="ObjectDisposedException">The loop has stopped (its listener closed meanwhile).</exception>
    public GCHandle Register(SocketConnection connection, SafeHandle socket)
    {
        // Never from zero: the last reference is gone and the loop is closing its epoll descriptor.
        int refs;
        do
        {
            refs = Volatile.Read(ref _refs);
            if (refs == 0) throw new ObjectDisposedException(nameof(SocketEventLoop));
        }
        while (Interlocked.CompareExchange(ref _refs, refs + 1, refs) != refs);
        var handle = GCHandle.Alloc(connection);
        try
        {
            NativeIo.Add(_epoll, (int)socket.DangerousGetHandle(),
                NativeIo.In | NativeIo.Out | NativeIo.RdHup | NativeIo.EdgeTriggered, (ulong)GCHandle.ToIntPtr(handle));
        }
        catch
        {
            handle.Free();
            Release();
            throw;
        }
        return handle;
    }

    /// <summary>
    /// Removes a socket (before it is closed). Its handle is freed by the loop between two batches: an event for it
    /// already taken from epoll in the current batch still finds the (closed) connection.
    /// </summary>
    public void Unregister(SafeHandle socket, GCHandle handle)
    {
        NativeIo.Remove(_epoll, (int)socket.DangerousGetHandle());
        _released.Enqueue(handle);
        Release();
    }

    /// <summary>Queues <paramref name="connection"/>'s send for the end of the current batch (loop thread only).</summary>
    public void SendAtEndOfBatch(SocketConnection connection) => _endOfBatch.Add(connection);

    /// <summary>Drops a reference; the loop stops after the last one.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) != 0) return;
        _stopping = true;
        NativeIo.Signal(_wakeFd);
    }

    private void Run()
    {
        t_current = this;
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * NativeIo.EventSize));
        try
        {
            while (!_stopping)
            {
                while (_released.TryDequeue(out var handle)) handle.Free();
                int n = NativeIo.Wait(_epoll, events, MaxEvents, -1);
                for (int i = 0; i < n; i++)
                {
                    ulong data = NativeIo.DataAt(events, i);
                    if (data == WakeToken)
                    {
                        NativeIo.Drain(_wakeFd);
                        continue;
                    }
                    var connection = (SocketConnection)GCHandle.FromIntPtr((nint)data).Target!;
                    connection.OnEvents(NativeIo.EventsAt(events, i));
                }
                SendBatch();
            }
        }
        finally
        {
            NativeMemory.Free(events);
            while (_released.TryDequeue(out var handle)) handle.Free();
            NativeIo.Close(_wakeFd);
            NativeIo.Close(_epoll);
        }
    }

    /// <summary>Sends what the batch's requests produced (sends may queue more: repeat until none is left).</summary>
    private void SendBatch()
    {
        while (_endOfBatch.Count > 0)
        {
            (_sending, _endOfBatch) = (_endOfBatch, _sending);
            foreach (var connection in _sending) connection.OnEndOfBatch();
            _sending.Clear();
        }
    }
}
