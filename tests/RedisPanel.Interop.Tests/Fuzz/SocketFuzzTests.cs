// Socket-level fuzz against a real in-process node: many connections send seeded garbage at once while a
// well-behaved client keeps checking answers. The node must stay up, the good client must never see a wrong
// or missing reply, and every input that Redis would reject must end in a protocol error and a close of that
// connection only.
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;
using RedisPanel.Protocol;
using RedisPanel.Protocol.Tests;
using Xunit.Abstractions;

namespace RedisPanel.Interop.Tests.Fuzz;

public sealed class SocketFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Node_survives_garbage_connections_and_keeps_answering_a_good_client()
    {
        int seed = FuzzInputs.SeedFromEnvironment(7_7_2024);
        int connections = FuzzInputs.CountFromEnvironment(100_000) >= 100_000 ? 1500 : 300;
        const int workers = 6;
        output.WriteLine($"socket fuzz seed {seed}, {connections} garbage connections");
        await using var node = await NodeFixture.StartAsync(name: "fuzz");

        using var stop = new CancellationTokenSource();
        var good = Task.Run(() => GoodClient(node.Port, stop.Token));
        var garbage = Enumerable.Range(0, workers)
            .Select(w => Task.Run(() => GarbageWorker(node.Port, seed + w, connections / workers)))
            .ToArray();
        var results = await Task.WhenAll(garbage).WaitAsync(TimeSpan.FromMinutes(5));
        stop.Cancel();
        long goodOps = await good.WaitAsync(TimeSpan.FromSeconds(30));

        int errors = results.Sum(r => r.ProtocolErrors);
        output.WriteLine($"{results.Sum(r => r.Connections)} garbage connections, {errors} closed with a protocol error; good client ran {goodOps} checks");
        Assert.True(errors > connections / 20, $"only {errors} inputs reached a protocol error: the fuzz proves little");
        Assert.True(goodOps > 100, $"the good client only completed {goodOps} checks");
        Assert.Equal(RedisPanel.Node.NodeState.Running, node.Node.State);
        using var after = TestRespClient.Connect(node.Port);
        Assert.Equal("+PONG\r\n", after.CallText("PING"));
    }

    private sealed record WorkerResult(int Connections, int ProtocolErrors);

    private static WorkerResult GarbageWorker(int port, int seed, int count)
    {
        var gen = new FuzzInputs(seed);
        int protocolErrors = 0;
        for (int i = 0; i < count; i++)
        {
            var input = gen.Next();
            var model = RedisReferenceParser.Parse(input);
            using var c = TestRespClient.Connect(port, TimeSpan.FromSeconds(20));
            c.SendRaw(input);
            if (model.Status != ParseStatus.ProtocolError)
            {
                // No error expected: leave abruptly, sometimes in the middle of a frame.
                continue;
            }
            byte[] received;
            try
            {
                received = c.ReadUntilClosed();
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} #{i}: node did not close after {model.Error}; input {ParseRun.Escape(input)}");
            }
            string text = Encoding.Latin1.GetString(received);
            // Error texts with a non-ASCII byte are compared by prefix (see the protocol differential test).
            string expected = "-ERR " + model.Error!;
            int cut = expected.IndexOf("got '", StringComparison.Ordinal);
            string must = cut >= 0 ? expected[..(cut + 5)] : expected + "\r\n";
            if (!text.Contains(must, StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException($"seed {seed} #{i}: expected {must.TrimEnd()} before the close, got {ParseRun.Escape(received)}; input {ParseRun.Escape(input)}");
            protocolErrors++;
        }
        return new WorkerResult(count, protocolErrors);
    }

    private static long GoodClient(int port, CancellationToken stop)
    {
        using var c = TestRespClient.Connect(port, TimeSpan.FromSeconds(20));
        long ops = 0;
        while (!stop.IsCancellationRequested)
        {
            string value = "v" + ops;
            Assert.Equal("+OK\r\n", c.CallText("SET", "fuzz:good", value));
            Assert.Equal($"${value.Length}\r\n{value}\r\n", c.CallText("GET", "fuzz:good"));
            Assert.Equal("+PONG\r\n", c.CallText("PING"));
            ops++;
        }
        return ops;
    }
}
