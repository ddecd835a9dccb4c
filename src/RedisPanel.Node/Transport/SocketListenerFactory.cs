// The node's own TCP transport: System.Net.Sockets + System.IO.Pipelines behind Kestrel's connection abstractions,
// so a node can still be bound, unbound and rebound while the process runs.
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace RedisPanel.Node.Transport;

/// <summary>Settings of <see cref="SocketListenerFactory"/>.</summary>
public sealed class SocketListenerOptions
{
    /// <summary>Listen backlog (Redis's tcp-backlog default).</summary>
    public int Backlog { get; set; } = 511;

    /// <summary>TCP_NODELAY on accepted sockets (Redis sets it on every client).</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>
    /// Unsent reply bytes at which the node's writes to a connection wait (back-pressure); 0 means never.
    /// The node's own output-buffer limits act before this.
    /// </summary>
    public long MaxWriteBufferSize { get; set; } = 64 * 1024 * 1024;
}

/// <summary>
/// An <see cref="IConnectionListenerFactory"/> over plain sockets and pipes, tuned for RESP: receives go straight
/// into pipe segments from a <see cref="PinnedBlockPool"/> (4 KB while requests are small, 32 KB once a receive fills
/// its buffer, so a pipelined batch of 1 KB values is one recv instead of five with Kestrel's 4 KB blocks), and both
/// pipes run their continuations inline: the thread that completes a receive parses, executes and sends the replies,
/// like Redis's event loop. Input is never paused at a size (the parser consumes nothing of a partial frame; the
/// node enforces client-query-buffer-limit). One pool per factory, shared by its listeners' connections.
/// </summary>
public sealed class SocketListenerFactory : IConnectionListenerFactory, IDisposable
{
    private readonly SocketListenerOptions _options;
    private readonly PinnedBlockPool _pool = new();

    public SocketListenerFactory(SocketListenerOptions? options = null) => _options = options ?? new SocketListenerOptions();

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var socket = endpoint is IPEndPoint
            ? new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Same as Kestrel: the IPv6 wildcard also takes IPv4 clients.
            if (endpoint is IPEndPoint ip && ip.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(endpoint);
            socket.Listen(_options.Backlog);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new ValueTask<IConnectionListener>(new SocketListener(socket, _options, _pool));
    }

    /// <summary>Drops the pool's free blocks; connections still open keep theirs until they close.</summary>
    public void Dispose() => _pool.Dispose();
}
