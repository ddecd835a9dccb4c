// A deliberately small RESP client for tests: it sends commands as multibulk (or raw bytes) and returns each
// reply as the exact bytes the server sent, so tests compare wire output, not a library's interpretation.
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedisPanel.Interop.Tests.Infrastructure;

/// <summary>One TCP connection to a RESP server. Not thread-safe. Every read is bounded by the read timeout.</summary>
public sealed class TestRespClient : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buf = new byte[16 * 1024];
    private int _start, _end;

    private TestRespClient(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        ReadTimeout = timeout;
    }

    /// <summary>How long one reply may take before <see cref="TimeoutException"/>.</summary>
    public TimeSpan ReadTimeout { get; set; }

    public static TestRespClient Connect(int port, TimeSpan? timeout = null)
    {
        var t = timeout ?? TimeSpan.FromSeconds(10);
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(t);
            s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            s.Dispose();
            throw new TimeoutException($"connect to port {port} timed out");
        }
        catch
        {
            s.Dispose();
            throw;
        }
        return new TestRespClient(s, t);
    }

    /// <summary>Encodes a command as a RESP multibulk array.</summary>
    public static byte[] Encode(IReadOnlyList<byte[]> args)
    {
        var ms = new MemoryStream();
        void Ascii(string s) { var b = Encoding.ASCII.GetBytes(s); ms.Write(b); }
        Ascii($"*{args.Count}\r\n");
        foreach (var a in args)
        {
            Ascii($"${a.Length}\r\n");
            ms.Write(a);
            Ascii("\r\n");
        }
        return ms.ToArray();
    }

    public void Send(IReadOnlyList<byte[]> args) => SendRaw(Encode(args));

    public void Send(params string[] args) => Send(args.Select(Encoding.UTF8.GetBytes).ToArray());

    public void SendRaw(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            int n = _socket.Send(bytes);
            bytes = bytes[n..];
        }
    }

    public void SendRaw(string text) => SendRaw(Encoding.Latin1.GetBytes(text));

    /// <summary>Sends a command and returns its raw reply.</summary>
    public byte[] Call(params string[] args)
    {
        Send(args);
        return ReadReply() ?? throw new IOException("connection closed before a reply");
    }

    public byte[] Call(IReadOnlyList<byte[]> args)
    {
        Send(args);
        return ReadReply() ?? throw new IOException("connection closed before a reply");
    }

    /// <summary>Sends a command and returns its raw reply as Latin-1 text (byte-preserving).</summary>
    public string CallText(params string[] args) => Encoding.Latin1.GetString(Call(args));

    /// <summary>
    /// Reads exactly one complete reply (RESP2 or RESP3, nested aggregates and attributes included) and returns
    /// its bytes. Null when the server closed the connection before sending a byte of it; an
    /// <see cref="IOException"/> when it closed in the middle; <see cref="TimeoutException"/> after the timeout.
    /// </summary>
    public byte[]? ReadReply()
    {
        var deadline = DateTime.UtcNow + ReadTimeout;
        while (true)
        {
            int len = RespFraming.FrameLength(_buf.AsSpan(_start, _end - _start));
            if (len > 0)
            {
                var reply = _buf.AsSpan(_start, len).ToArray();
                _start += len;
                return reply;
            }
            if (!Fill(deadline))
            {
                if (_end == _start) return null;
                throw new IOException("connection closed in the middle of a reply: " + RespFraming.Escape(_buf.AsSpan(_start, _end - _start)));
            }
        }
    }

    /// <summary>Reads everything until the server closes the connection (bounded by the timeout).</summary>
    public byte[] ReadUntilClosed()
    {
        var deadline = DateTime.UtcNow + ReadTimeout;
        while (Fill(deadline)) { }
        var all = _buf.AsSpan(_start, _end - _start).ToArray();
        _start = _end = 0;
        return all;
    }

    /// <summary>True when the server has closed the connection (waits up to <paramref name="wait"/> for it).</summary>
    public bool IsClosedByServer(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        try
        {
            while (Fill(deadline)) { }
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Reads more bytes; false on EOF (or reset). Throws <see cref="TimeoutException"/> at the deadline.</summary>
    private bool Fill(DateTime deadline)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buf.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else Array.Resize(ref _buf, _buf.Length * 2);
        }
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero) throw new TimeoutException("no complete reply within " + ReadTimeout);
        if (!_socket.Poll(left, SelectMode.SelectRead))
            throw new TimeoutException("no complete reply within " + ReadTimeout + "; got so far: " + RespFraming.Escape(_buf.AsSpan(_start, _end - _start)));
        int n;
        try
        {
            n = _socket.Receive(_buf, _end, _buf.Length - _end, SocketFlags.None);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return false;
        }
        if (n == 0) return false;
        _end += n;
        return true;
    }

    public void Dispose() => _socket.Dispose();
}
