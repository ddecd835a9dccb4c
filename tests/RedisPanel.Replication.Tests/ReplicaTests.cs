// The replica side against a scripted master over an in-memory duplex pipe: handshake order, the $EOF framing
// with keepalives, the stream applied through the dispatcher, GETACK answered with the offset before it,
// READONLY for clients, and promotion.
using System.IO.Pipelines;
using System.Text;
using RedisPanel.Engine;
using RedisPanel.Engine.Config;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Replication.Tests;

/// <summary>One end of an in-memory duplex connection.</summary>
internal sealed class DuplexStream(Stream input, Stream output) : Stream
{
    public static (DuplexStream A, DuplexStream B) CreatePair()
    {
        var ab = new Pipe();
        var ba = new Pipe();
        return (new DuplexStream(ba.Reader.AsStream(), ab.Writer.AsStream()), new DuplexStream(ab.Reader.AsStream(), ba.Writer.AsStream()));
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => output.Flush();
    public override Task FlushAsync(CancellationToken ct) => output.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => input.ReadAsync(buffer, ct);
    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => output.WriteAsync(buffer, ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Dispose();
            output.Dispose();
        }
        base.Dispose(disposing);
    }
}

public sealed class ReplicaTests
{

    private static async Task<string> ReadCommandAsync(MasterLinkReader r)
    {
        using var cts = new CancellationTokenSource(Poll.Timeout);
        string header = await r.ReadLineAsync(cts.Token);
        Assert.StartsWith("*", header);
        int n = int.Parse(header[1..]);
        var parts = new List<string>();
        for (int i = 0; i < n; i++)
        {
            string len = await r.ReadLineAsync(cts.Token);
            parts.Add(Encoding.Latin1.GetString(await r.ReadExactAsync(int.Parse(len[1..]) + 2, cts.Token))[..^2]);
        }
        return string.Join(' ', parts);
    }



    [Fact]
    public async Task HandshakeEofSnapshotStreamGetackAndPromotion()
    {
        var (ours, theirs) = DuplexStream.CreatePair();
        var h = new MasterHarness(connector: (_, _, _) => Task.FromResult<Stream>(ours));
        h.Engine.TcpPort = 6390;
        var replica = h.Replica!;
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "127.0.0.1", "7000"));
        string ownId = h.Engine.ReplId;

        var m = new MasterLinkReader(theirs);
        async Task Send(string s) { await theirs.WriteAsync(Encoding.Latin1.GetBytes(s)); await theirs.FlushAsync(); }
        Assert.Equal("PING", await ReadCommandAsync(m));
        await Send("+PONG\r\n");
        Assert.Equal("REPLCONF listening-port 6390", await ReadCommandAsync(m));
        await Send("+OK\r\n");
        Assert.Equal("REPLCONF capa eof capa psync2", await ReadCommandAsync(m));
        await Send("+OK\r\n");
        // A master turning replica offers its own history first.
        Assert.Equal($"PSYNC {ownId} 1", await ReadCommandAsync(m));
        string masterId = new('9', 40);
        string mark = new('m', 40);
        await Send($"\n\n+FULLRESYNC {masterId} 100\r\n\n$EOF:{mark}\r\n");
        await theirs.WriteAsync(Poll.Rdb(("loaded", "yes")));
        await Send(mark);
        Assert.Equal("REPLCONF ACK 100", await ReadCommandAsync(m));
        Assert.Equal("$3\r\nyes\r\n", h.Run("GET", "loaded"));
        Assert.Equal(masterId, h.Engine.ReplId);

        string set = MasterHarness.Cmd("SELECT", "0") + MasterHarness.Cmd("SET", "k", "v");
        string getack = MasterHarness.Cmd("REPLCONF", "GETACK", "*");
        await Send(set + getack);
        // The answer to GETACK carries the offset before it (a periodic ACK of the snapshot offset may come first).
        string ack;
        do ack = await ReadCommandAsync(m); while (ack == "REPLCONF ACK 100");
        Assert.Equal($"REPLCONF ACK {100 + set.Length}", ack);
        Poll.Until(() => { lock (h.Engine.SyncRoot) return h.Engine.ReplOffset == 100 + set.Length + getack.Length; }, "offset");
        Assert.Equal("$1\r\nv\r\n", h.Run("GET", "k"));
        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", h.Run("SET", "x", "1"));
        Assert.StartsWith("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:7000\r\n$9\r\nconnected\r\n", h.Run("ROLE"));
        Assert.Contains("master_link_status:up\r\n", h.Run("INFO", "replication"));

        long offset = h.Engine.ReplOffset;
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "NO", "ONE"));
        Assert.Equal(masterId, h.Engine.ReplId2);
        Assert.Equal(offset + 1, h.Engine.SecondReplOffset);
        Assert.NotEqual(masterId, h.Engine.ReplId);
        Assert.Equal("+OK\r\n", h.Run("SET", "x", "1"));
        await replica.StopAsync();
    }

    [Fact]
    public async Task AuthAndBothReplconfsGoOutBeforeAnyOfTheirReplies()
    {
        var (ours, theirs) = DuplexStream.CreatePair();
        var h = new MasterHarness(c => { c.MasterAuth = "pw"; }, connector: (_, _, _) => Task.FromResult<Stream>(ours));
        h.Engine.TcpPort = 6391;
        Assert.Equal("+OK\r\n", h.Run("REPLICAOF", "127.0.0.1", "7000"));
        var m = new MasterLinkReader(theirs);
        async Task Send(string s) { await theirs.WriteAsync(Encoding.Latin1.GetBytes(s)); await theirs.FlushAsync(); }
        Assert.Equal("PING", await ReadCommandAsync(m));
        await Send("+PONG\r\n");
        // syncWithMaster writes AUTH and the REPLCONFs back to back (one round trip), then reads the replies in order.
        Assert.Equal("AUTH pw", await ReadCommandAsync(m));
        Assert.Equal("REPLCONF listening-port 6391", await ReadCommandAsync(m));
        Assert.Equal("REPLCONF capa eof capa psync2", await ReadCommandAsync(m));
        Assert.True(m.Buffered.IsEmpty);
        await Send("+OK\r\n+OK\r\n+OK\r\n");
        Assert.StartsWith("PSYNC ", await ReadCommandAsync(m));
        await h.Replica!.StopAsync();
    }

    [Fact]
    public async Task ReaderSkipsKeepalivesAndReadsBothFramings()
    {
        var (a, b) = DuplexStream.CreatePair();
        var r = new MasterLinkReader(b);
        using var cts = new CancellationTokenSource(Poll.Timeout);
        await a.WriteAsync("\n\n+FULLRESYNC x 1\r\n\n$5\r\nhelloREST"u8.ToArray());
        await a.FlushAsync();
        Assert.Equal("+FULLRESYNC x 1", await r.ReadLineAsync(cts.Token));
        Assert.Equal("$5", await r.ReadLineAsync(cts.Token));
        Assert.Equal("hello", Encoding.ASCII.GetString(await r.ReadExactAsync(5, cts.Token)));
        Assert.Equal("REST", Encoding.ASCII.GetString(r.Buffered));
        r.Consume(4);
        var mark = Encoding.ASCII.GetBytes(new string('z', 40));
        await a.WriteAsync("payload"u8.ToArray());
        await a.WriteAsync(mark);
        await a.FlushAsync();
        Assert.Equal("payload", Encoding.ASCII.GetString(await r.ReadUntilMarkAsync(mark, cts.Token)));
    }
}

public sealed class ArchitectureTests
{
    [Fact]
    public void EngineDoesNotReferenceReplication()
    {
        var refs = typeof(RedisEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("RedisPanel.Storage", refs);
        Assert.DoesNotContain("RedisPanel.Replication", refs);
        Assert.DoesNotContain("RedisPanel.Node", refs);
    }

    [Fact]
    public void ReplicationReferencesOnlyLowerLayers()
    {
        var refs = typeof(ReplicationMaster).Assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("RedisPanel.")).ToHashSet();
        Assert.Subset(new HashSet<string> { "RedisPanel.Engine", "RedisPanel.Storage", "RedisPanel.Protocol" }, refs);
    }
}
