// One accepted TCP connection: a receive loop that fills the input pipe and a send loop that drains the output pipe.
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace RedisPanel.Node.Transport;

/// <summary>
/// A socket behind a pair of pipes (<see cref="ConnectionContext.Transport"/>). Closing, as with Kestrel's sockets:
/// when the application completes the output, what it flushed is sent and the socket is closed; a client FIN
/// completes the input normally, a reset completes it with <see cref="ConnectionResetException"/>, and
/// <see cref="Abort(ConnectionAbortedException)"/> closes the socket at once (pending output is dropped) and completes
/// the input with the abort reason.
/// Both pipes use inline schedulers, and the socket is non-blocking and registered with the listener's
/// <see cref="SocketEventLoop"/>: the loop thread receives, runs the reader (the node's connection loop) and, at the
/// end of its batch, sends the replies; output flushed on any other thread (replication, unblocked clients) is sent
/// by that thread.
/// </summary>
internal sealed class SocketConnection : ConnectionContext
{
    /// <summary>Free space asked for per receive while requests are small (Kestrel's minimum is the same).</summary>
    private const int SmallReceive = PinnedBlockPool.SmallBlockSize / 2;
    private static long s_lastId;

    private readonly Socket _socket;
    private readonly SocketEventLoop _loop;
    private readonly Readiness _readable = new();
    private readonly Readiness _writable = new();
    private readonly Readiness _endOfBatch = new();
    private GCHandle _registration;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly BoundedInputReader _inputReader;
    private readonly long _id = Interlocked.Increment(ref s_lastId);
    private ConnectionAbortedException? _abortReason;
    private int _socketClosed;
    private Task _processing = Task.CompletedTask;
    private string? _connectionId;
    private IFeatureCollection? _features;
    private IDictionary<object, object?>? _items;

    public SocketConnection(Socket socket, SocketEventLoop loop, PinnedBlockPool pool, long maxWriteBufferSize)
    {
        _socket = socket;
        _loop = loop;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        _input = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline,
            pauseWriterThreshold: 0, resumeWriterThreshold: 0,
            minimumSegmentSize: PinnedBlockPool.SmallBlockSize, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline,
            pauseWriterThreshold: maxWriteBufferSize, resumeWriterThreshold: maxWriteBufferSize / 2,
            minimumSegmentSize: PinnedBlockPool.SmallBlockSize, useSynchronizationContext: false));
        _inputReader = new BoundedInputReader(_input.Reader);
        Transport = new DuplexPipe(_inputReader, _output.Writer);
    }

    public override IDuplexPipe Transport { get; set; }

    public override string ConnectionId
    {
        get => _connectionId ??= "redis-" + _id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        set => _connectionId = value;
    }

    public override IFeatureCollection Features => _features ??= new FeatureCollection();

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    /// <summary>Starts the receive and send loops (once, before the connection is handed out).</summary>
    public void Start()
    {
        _socket.Blocking = false;
        _registration = _loop.Register(this, _socket.SafeHandle);
        _processing = Task.WhenAll(ReceiveLoopAsync(), SendLoopAsync());
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, abortReason, null) is not null) return;
        // Not on the caller's thread: it may hold the node lock (CLIENT KILL, node stop), and the pipes' inline
        // continuations this wakes (the connection's own loop, its close handling) must not run under it.
        ThreadPool.UnsafeQueueUserWorkItem(static c =>
        {
            c._output.Reader.CancelPendingRead();
            c.CloseSocket();
        }, this, preferLocal: false);
    }

    public override async ValueTask DisposeAsync()
    {
        // As Kestrel: completing the application's ends lets the send loop flush what was written, then close.
        _inputReader.Complete();
        _output.Writer.Complete();
        await _processing.ConfigureAwait(false);
    }

    /// <summary>Called by the event loop for each epoll event of this socket.</summary>
    internal void OnEvents(uint events)
    {
        if ((events & (NativeIo.In | NativeIo.RdHup | NativeIo.Hup | NativeIo.Err)) != 0) _readable.Signal();
        if ((events & (NativeIo.Out | NativeIo.Hup | NativeIo.Err)) != 0) _writable.Signal();
    }

    /// <summary>Called by the event loop at the end of the batch in which this connection queued a send.</summary>
    internal void OnEndOfBatch() => _endOfBatch.Signal();

    private async Task ReceiveLoopAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        int want = SmallReceive;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(want);
                int n = NativeIo.Receive(_socket.SafeHandle, memory);
                if (n < 0)
                {
                    await _readable.WaitAsync().ConfigureAwait(false); // EAGAIN
                    continue;
                }
                if (n == 0) break; // FIN (or our own shutdown)
                writer.Advance(n);
                // A receive that filled its buffer means the client sends in bulk (pipelined batches, big values):
                // ask for a whole large block next time, so a batch is one recv (Redis reads 16 KB at once). Back to
                // small blocks once the reads are small again, so idle connections hold 4 KB.
                bool full = n == memory.Length;
                if (full) want = PinnedBlockPool.LargeBlockSize;
                else if (n <= SmallReceive) want = SmallReceive;
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
                await _inputReader.WaitForReaderAsync(n).ConfigureAwait(false);
                // A short read took everything the socket had; anything newer raises an edge. Waiting for it saves
                // the recv that would only say EAGAIN (Redis too reads once per readable event).
                if (!full) await _readable.WaitAsync().ConfigureAwait(false);
            }
        }
        catch (SocketException ex)
        {
            error = new ConnectionResetException(ex.Message, ex);
        }
        catch (ObjectDisposedException)
        {
            error = new ConnectionAbortedException();
        }
        catch (Exception ex)
        {
            error = ex; // surfaced to the application's reader, which logs it
        }
        finally
        {
            var reason = Volatile.Read(ref _abortReason);
            if (reason is not null) error = reason;
            await writer.CompleteAsync(error).ConfigureAwait(false);
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (!result.Buffer.IsEmpty && _loop.IsCurrent)
                {
                    // Flushed while the loop runs a batch: send with the batch's other replies, at its end, and
                    // then everything this connection flushed by then.
                    reader.AdvanceTo(result.Buffer.Start);
                    _loop.SendAtEndOfBatch(this);
                    await _endOfBatch.WaitAsync().ConfigureAwait(false);
                    if (!reader.TryRead(out result)) continue;
                }
                if (result.IsCanceled) break; // aborted
                var buffer = result.Buffer;
                if (!buffer.IsEmpty) await SendAsync(buffer).ConfigureAwait(false);
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The peer went away or we were aborted; the receive side reports it to the application.
        }
        finally
        {
            // The application's next flush sees IsCompleted; then the socket goes, which also ends the receive loop.
            await reader.CompleteAsync().ConfigureAwait(false);
            CloseSocket();
        }
    }

    /// <summary>Sends every byte of <paramref name="buffer"/>, waiting for the socket to drain when it is full.</summary>
    private async ValueTask SendAsync(ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            long sent = NativeIo.Send(_socket.SafeHandle, buffer);
            if (sent == buffer.Length) return;
            buffer = buffer.Slice(sent);
            if (sent == 0) await _writable.WaitAsync().ConfigureAwait(false); // EAGAIN; a short send retries at once
        }
    }

    private void CloseSocket()
    {
        if (Interlocked.Exchange(ref _socketClosed, 1) != 0) return;
        _loop.Unregister(_socket.SafeHandle, _registration);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
        _socket.Dispose();
        // Wake whoever waits on the socket: its retry fails on the disposed socket and ends its loop.
        _readable.Close();
        _writable.Close();
        _endOfBatch.Close();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
