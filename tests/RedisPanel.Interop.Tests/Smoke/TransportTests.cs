// The node's own socket transport (RedisPanel.Node.Transport): frames that straddle its 4 KB / 32 KB receive
// blocks, replies bigger than a block, closing (QUIT, CLIENT KILL, node stop) and rebinding the same port.
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Smoke;

public sealed class TransportTests
{
    private static byte[] Value(int length, int seed)
    {
        var v = new byte[length];
        for (int i = 0; i < length; i++) v[i] = (byte)('a' + (i * 7 + seed) % 26);
        return v;
    }

    private static byte[] Bulk(byte[] v) => [.. Encoding.ASCII.GetBytes($"${v.Length}\r\n"), .. v, .. "\r\n"u8];

    [Fact]
    public async Task Pipelined_values_across_block_boundaries_round_trip_exactly()
    {
        await using var node = await NodeFixture.StartAsync(name: "transport");
        using var c = TestRespClient.Connect(node.Port);
        // Sizes around the small (4 KB) and large (32 KB) blocks and beyond them, all sent in one write so frames
        // start and end at every offset of the receive buffers; then read back in one pipelined batch as well.
        int[] sizes = [1, 100, 1000, 1024, 2047, 2048, 4000, 4096, 4097, 8191, 16384, 32767, 32768, 32769, 70000, 200_000, 5, 1024];
        var values = new List<byte[]>();
        var request = new MemoryStream();
        for (int round = 0; round < 3; round++)
        {
            foreach (int size in sizes)
            {
                int i = values.Count;
                var v = Value(size, i);
                values.Add(v);
                request.Write(TestRespClient.Encode([Encoding.ASCII.GetBytes("SET"), Encoding.ASCII.GetBytes($"k{i}"), v]));
            }
        }
        c.SendRaw(request.ToArray());
        for (int i = 0; i < values.Count; i++) Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(c.ReadReply()!));

        var gets = new MemoryStream();
        for (int i = 0; i < values.Count; i++) gets.Write(TestRespClient.Encode([Encoding.ASCII.GetBytes("GET"), Encoding.ASCII.GetBytes($"k{i}")]));
        c.SendRaw(gets.ToArray());
        for (int i = 0; i < values.Count; i++) Assert.Equal(Bulk(values[i]), c.ReadReply());
    }

    [Fact]
    public async Task A_command_sent_one_byte_at_a_time_is_answered_once_complete()
    {
        await using var node = await NodeFixture.StartAsync(name: "transport");
        using var c = TestRespClient.Connect(node.Port);
        var frame = TestRespClient.Encode([Encoding.ASCII.GetBytes("ECHO"), Value(5000, 3)]);
        for (int i = 0; i < frame.Length - 1; i++) c.SendRaw(frame.AsSpan(i, 1));
        Assert.False(c.IsClosedByServer(TimeSpan.FromMilliseconds(50)));
        c.SendRaw(frame.AsSpan(frame.Length - 1));
        Assert.Equal(Bulk(Value(5000, 3)), c.ReadReply());
    }

    [Fact]
    public async Task Quit_replies_then_closes_and_client_kill_closes_only_the_victim()
    {
        await using var node = await NodeFixture.StartAsync(name: "transport");
        using (var q = TestRespClient.Connect(node.Port))
        {
            q.Send("QUIT");
            Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(q.ReadUntilClosed()));
        }
        using var victim = TestRespClient.Connect(node.Port);
        Assert.Equal("+OK\r\n", victim.CallText("CLIENT", "SETNAME", "victim"));
        string id = victim.CallText("CLIENT", "ID")[1..].TrimEnd();
        using var killer = TestRespClient.Connect(node.Port);
        Assert.Equal(":1\r\n", killer.CallText("CLIENT", "KILL", "ID", id));
        Assert.True(victim.IsClosedByServer(TimeSpan.FromSeconds(10)));
        Assert.Equal("+PONG\r\n", killer.CallText("PING"));
    }

    [Fact]
    public async Task A_stopped_node_closes_its_clients_and_rebinds_the_same_port()
    {
        await using var node = await NodeFixture.StartAsync(name: "transport");
        int port = node.Port;
        using var c = TestRespClient.Connect(port);
        Assert.Equal("+OK\r\n", c.CallText("SET", "k", "v"));
        await node.Node.StopAsync();
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(10)));
        node.Node.Options.Config.Port = port;
        Assert.True(await node.Node.StartAsync(), node.Node.FailureReason);
        Assert.Equal(port, node.Node.Port);
        using var again = TestRespClient.Connect(port);
        Assert.Equal("$1\r\nv\r\n", again.CallText("GET", "k"));
    }

    [Fact]
    public async Task A_reply_far_bigger_than_the_socket_buffer_arrives_whole_to_a_client_that_reads_late()
    {
        await using var node = await NodeFixture.StartAsync(name: "transport");
        using var c = TestRespClient.Connect(node.Port);
        var big = Value(4 << 20, 11);
        c.Send([Encoding.ASCII.GetBytes("SET"), "big"u8.ToArray(), big]);
        Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(c.ReadReply()!));
        // 40 MB of replies to a client that has not started reading: the node's sends hit EAGAIN many times over
        // and go on when the socket drains, in order, while other clients are served.
        var gets = new MemoryStream();
        for (int i = 0; i < 10; i++) gets.Write(TestRespClient.Encode(["GET"u8.ToArray(), "big"u8.ToArray()]));
        c.SendRaw(gets.ToArray());
        using (var other = TestRespClient.Connect(node.Port)) Assert.Equal("+PONG\r\n", other.CallText("PING"));
        var expected = Bulk(big);
        for (int i = 0; i < 10; i++) Assert.Equal(expected, c.ReadReply());
        Assert.Equal("+PONG\r\n", c.CallText("PING"));
    }

    [Fact]
    public async Task Replies_of_a_batch_spanning_hundreds_of_blocks_reach_a_client_that_reads_at_once()
    {
        // 300 pipelined GETs of 4000-byte values: the batch's 1.2 MB of replies sit in ~300 pipe blocks and go out
        // in several sendmsg calls (at most 64 blocks each) to a client that keeps up, so the socket never fills:
        // each call must go on to the next blocks itself, since without EAGAIN no writable event comes.
        await using var node = await NodeFixture.StartAsync(name: "transport");
        using var c = TestRespClient.Connect(node.Port, TimeSpan.FromSeconds(20));
        var v = Value(4000, 9);
        c.Send([Encoding.ASCII.GetBytes("SET"), "v"u8.ToArray(), v]);
        Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(c.ReadReply()!));
        var expected = Bulk(v);
        for (int round = 0; round < 3; round++)
        {
            var gets = new MemoryStream();
            for (int i = 0; i < 300; i++) gets.Write(TestRespClient.Encode(["GET"u8.ToArray(), "v"u8.ToArray()]));
            c.SendRaw(gets.ToArray());
            for (int i = 0; i < 300; i++) Assert.Equal(expected, c.ReadReply());
        }
    }

    [Fact]
    public async Task A_listener_event_loop_thread_runs_while_the_node_does_and_ends_when_it_stops()
    {
        var node = await NodeFixture.StartAsync(name: "transport");
        int port = node.Port;
        string name = "node-io:" + port;
        var clients = Enumerable.Range(0, 3).Select(_ => TestRespClient.Connect(port)).ToList();
        foreach (var c in clients) Assert.Equal("+PONG\r\n", c.CallText("PING"));
        Assert.Equal(1, LoopThreads(name));
        await node.DisposeAsync();
        foreach (var c in clients) Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(10)));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (LoopThreads(name) > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, LoopThreads(name));
        foreach (var c in clients) c.Dispose();
    }

    /// <summary>Threads of this process named <paramref name="name"/> (Linux shows a thread's name in its comm).</summary>
    private static int LoopThreads(string name)
    {
        int count = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name) count++;
            }
            catch (IOException)
            {
                // the thread ended while we looked
            }
        }
        return count;
    }
}
