// Buffered reads from the master link during the handshake and the snapshot transfer: CRLF lines (the PSYNC
// reply, the "$" header, with empty "\n" keepalives skipped) and exact byte counts. Whatever was read past the
// snapshot stays buffered and becomes the start of the stream.
using System.Runtime.CompilerServices;
using System.Text;

namespace RedisPanel.Replication;

internal sealed class MasterLinkReader(Stream stream)
{
    private byte[] _buf = new byte[64 * 1024];
    private int _start;
    private int _end;

    public Stream Stream => stream;

    /// <summary>Bytes read but not consumed yet.</summary>
    public ReadOnlySpan<byte> Buffered => _buf.AsSpan(_start, _end - _start);

    /// <summary>The same bytes as memory: valid until the next <see cref="FillAsync"/>, which may move them.</summary>
    public ReadOnlyMemory<byte> BufferedMemory => _buf.AsMemory(_start, _end - _start);

    public void Consume(int n) => _start += n;

    /// <summary>Reads more bytes into the buffer; false at end of stream. Called once per read of the live stream,
    /// so its state machine comes from a pool instead of a new box per read that had to wait.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buf.Length)
        {
            int live = _end - _start;
            if (live * 2 > _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
            if (_start > 0)
            {
                Buffer.BlockCopy(_buf, _start, _buf, 0, live);
                _start = 0;
                _end = live;
            }
        }
        int n = await stream.ReadAsync(_buf.AsMemory(_end), ct);
        if (n == 0) return false;
        _end += n;
        return true;
    }

    /// <summary>Reads one line without its CRLF; empty lines (the master's keepalives) are skipped.</summary>
    public async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            int nl = Buffered.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                var line = Buffered[..nl];
                if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
                string text = Encoding.Latin1.GetString(line);
                Consume(nl + 1);
                if (text.Length == 0) continue;
                return text;
            }
            if (!await FillAsync(ct)) throw new IOException("master closed the connection");
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public async Task<byte[]> ReadExactAsync(long count, CancellationToken ct)
    {
        var result = new byte[count];
        long got = 0;
        while (got < count)
        {
            if (Buffered.Length == 0 && !await FillAsync(ct)) throw new IOException("master closed during the transfer");
            int take = (int)Math.Min(Buffered.Length, count - got);
            Buffered[..take].CopyTo(result.AsSpan((int)got));
            Consume(take);
            got += take;
        }
        return result;
    }

    /// <summary>Reads a diskless payload: everything up to the 40-byte end mark (which is dropped).</summary>
    public async Task<byte[]> ReadUntilMarkAsync(byte[] mark, CancellationToken ct)
    {
        var ms = new MemoryStream();
        while (true)
        {
            if (Buffered.Length == 0 && !await FillAsync(ct)) throw new IOException("master closed during the transfer");
            var chunk = Buffered;
            ms.Write(chunk);
            Consume(chunk.Length);
            if (ms.Length >= mark.Length && ms.GetBuffer().AsSpan((int)ms.Length - mark.Length, mark.Length).SequenceEqual(mark))
            {
                ms.SetLength(ms.Length - mark.Length);
                return ms.ToArray();
            }
        }
    }
}
