using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace RedisPanel.Node.Transport;

/// <summary>
/// One bound listening socket. <see cref="AcceptAsync"/> returns started connections, and null once the listener
/// was unbound or disposed. Unbinding closes the listening socket only; accepted connections live on until their
/// owner aborts or completes them (they keep the listener's event loop running).
/// </summary>
internal sealed class SocketListener : IConnectionListener
{
    private readonly Socket _socket;
    private readonly SocketListenerOptions _options;
    private readonly PinnedBlockPool _pool;
    private readonly SocketEventLoop _loop;
    private int _closed;

    public SocketListener(Socket socket, SocketListenerOptions options, PinnedBlockPool pool)
    {
        _socket = socket;
        _options = options;
        _pool = pool;
        EndPoint = socket.LocalEndPoint!;
        // The listener's reference keeps the loop up; each connection holds one of its own.
        _loop = new SocketEventLoop(EndPoint is IPEndPoint ip ? "node-io:" + ip.Port : "node-io");
    }

    public EndPoint EndPoint { get; }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(cancellationToken);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException) when (Volatile.Read(ref _closed) != 0)
            {
                return null; // unbound while waiting
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue; // the client gave up before we accepted it
            }
            if (_options.NoDelay && accepted.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                accepted.NoDelay = true;
            var connection = new SocketConnection(accepted, _loop, _pool, _options.MaxWriteBufferSize);
            try
            {
                connection.Start();
            }
            catch (ObjectDisposedException)
            {
                accepted.Dispose(); // unbound between the accept and the registration
                return null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                accepted.Dispose(); // epoll refused to watch it (out of memory or watches): drop this client only
                continue;
            }
            return connection;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        Close();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _socket.Dispose();
        _loop.Release();
    }
}
