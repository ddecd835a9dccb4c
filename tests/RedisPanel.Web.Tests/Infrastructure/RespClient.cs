// A tiny RESP2 client over a raw socket, enough for PING/SET/GET/DBSIZE in tests (no StackExchange.Redis here).
using System.Net.Sockets;
using System.Text;

namespace RedisPanel.Web.Tests.Infrastructure;

public sealed class RespClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _stream.ReadTimeout = 5000;
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<RespClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await tcp.ConnectAsync("127.0.0.1", port, cts.Token);
        return new RespClient(tcp);
    }

    /// <summary>True when nothing listens on the port (the connection is refused).</summary>
    public static async Task<bool> IsRefusedAsync(int port)
    {
        using var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port, cts.Token);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }

    /// <summary>Sends one command; returns a simple/integer/error line as "+OK", ":1", "-ERR ..." and a bulk as its text (null for nil).</summary>
    public async Task<string?> CommandAsync(params string[] args)
    {
        var sb = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        string line = await _reader.ReadLineAsync(cts.Token) ?? throw new IOException("connection closed");
        if (line[0] != '$') return line;
        int length = int.Parse(line.AsSpan(1));
        if (length < 0) return null;
        return await _reader.ReadLineAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
