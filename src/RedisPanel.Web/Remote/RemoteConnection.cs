// A small async RESP2 client: how the dashboard talks to every node it rewires or runs console commands on,
// whether this process hosts it or it is an external redis-server (one code path for both).
using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace RedisPanel.Web.Remote;

/// <summary>
/// One TCP connection to a Redis server speaking RESP2. Commands are serialised (one in flight at a time), so a
/// connection can be shared. Any I/O or protocol failure breaks the connection (<see cref="IsBroken"/>); callers
/// open a new one.
/// </summary>
public sealed class RemoteConnection : IAsyncDisposable
{
    private const long MaxBulkBytes = 512L * 1024 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;

    private RemoteConnection(Socket socket, string host, int port)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Host = host;
        Port = port;
    }

    public string Host { get; }
    public int Port { get; }
    public bool IsBroken { get; private set; }

    /// <summary>Connects (bounded by <paramref name="timeout"/>) and authenticates when a password is given.</summary>
    public static async Task<RemoteConnection> ConnectAsync(string host, int port, string? password, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RemoteConnection? conn = null;
        try
        {
            using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                cts.CancelAfter(timeout);
                try
                {
                    await socket.ConnectAsync(host, port, cts.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new IOException($"connect to {host}:{port} timed out");
                }
            }
            conn = new RemoteConnection(socket, host, port);
            if (password is { Length: > 0 })
            {
                var auth = await conn.CommandAsync(timeout, ct, "AUTH", password);
                if (auth.IsError) throw new IOException(auth.Text);
            }
            return conn;
        }
        catch
        {
            if (conn is not null) await conn.DisposeAsync();
            else socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and reads its reply; an error reply is returned, not thrown.</summary>
    public Task<RespReply> CommandAsync(TimeSpan timeout, CancellationToken ct, params string[] args) =>
        CommandAsync(args.Select(a => Encoding.UTF8.GetBytes(a)).ToArray(), timeout, ct);

    /// <summary>Sends one command (raw argument bytes) and reads its reply. Throws IOException when the link breaks.</summary>
    public async Task<RespReply> CommandAsync(IReadOnlyList<byte[]> args, TimeSpan timeout, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (IsBroken) throw new IOException($"connection to {Host}:{Port} is closed");
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            try
            {
                await _stream.WriteAsync(Encode(args), cts.Token);
                return await ReadReplyAsync(cts.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidDataException)
            {
                // A reply half read leaves the stream out of step: the connection is done.
                IsBroken = true;
                if (ex is OperationCanceledException && ct.IsCancellationRequested) throw;
                throw ex is OperationCanceledException
                    ? new IOException($"{Host}:{Port} did not answer within {timeout.TotalSeconds:0.#} s")
                    : ex as IOException ?? new IOException(ex.Message, ex);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static byte[] Encode(IReadOnlyList<byte[]> args)
    {
        var w = new ArrayBufferWriter<byte>(64);
        void Ascii(string s) => w.Write(Encoding.ASCII.GetBytes(s));
        Ascii($"*{args.Count}\r\n");
        foreach (var a in args)
        {
            Ascii($"${a.Length}\r\n");
            w.Write(a);
            Ascii("\r\n");
        }
        return w.WrittenSpan.ToArray();
    }

    private async Task<RespReply> ReadReplyAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct);
        if (line.Length == 0) throw new InvalidDataException("empty reply line");
        byte type = line[0];
        var rest = line.AsSpan(1);
        switch (type)
        {
            case (byte)'+': return RespReply.Status(rest.ToArray());
            case (byte)'-': return RespReply.Error(rest.ToArray());
            case (byte)':': return RespReply.Int(ParseLong(rest));
            case (byte)'$':
            {
                long len = ParseLong(rest);
                if (len < 0) return RespReply.Nil;
                if (len > MaxBulkBytes) throw new InvalidDataException("bulk too large");
                var data = new byte[len];
                await ReadExactAsync(data, ct);
                var crlf = new byte[2];
                await ReadExactAsync(crlf, ct);
                return RespReply.Bulk(data);
            }
            case (byte)'*':
            {
                long count = ParseLong(rest);
                if (count < 0) return RespReply.Nil;
                var items = new List<RespReply>((int)Math.Min(count, 1024));
                for (long i = 0; i < count; i++) items.Add(await ReadReplyAsync(ct));
                return RespReply.Array(items);
            }
            default:
                throw new InvalidDataException($"unexpected reply type '{(char)type}'");
        }
    }

    private static long ParseLong(ReadOnlySpan<byte> s) =>
        long.TryParse(Encoding.ASCII.GetString(s), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v : throw new InvalidDataException("bad number in reply");

    private async Task<byte[]> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (nl > _start && _buffer[nl - 1] == '\r')
            {
                var line = _buffer.AsSpan(_start, nl - 1 - _start).ToArray();
                _start = nl + 1;
                return line;
            }
            
            await FillAsync(ct);
        }
    }

    private async Task ReadExactAsync(byte[] target, CancellationToken ct)
    {
        int filled = 0;
        while (filled < target.Length)
        {
            if (_start == _end) await FillAsync(ct);
            int n = Math.Min(target.Length - filled, _end - _start);
            Buffer.BlockCopy(_buffer, _start, target, filled, n);
            _start += n;
            filled += n;
        }
    }

    private async Task FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw new InvalidDataException("reply line too long");
        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
        if (read == 0) throw new IOException($"{Host}:{Port} closed the connection");
        _end += read;
    }

    public async ValueTask DisposeAsync()
    {
        IsBroken = true;
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
