// Blocking commands with real TCP clients: several connections block on the same keys and another one feeds
// them. Every scenario runs against a real redis-server 7.0.15 and against our node; each side's observations
// (the exact replies, in the order they were read, plus lengths and blocked-client counts) must be the same,
// and the reference's must be what the scenario expects, so the expectations are Redis's, not ours.
// Nothing sleeps to let time pass: "client N is blocked" is polled from INFO's blocked_clients with a deadline.
using System.Diagnostics;
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Blocking;

/// <summary>One redis-server and one node for the whole class (scenarios use their own keys and FLUSHALL).</summary>
public sealed class BlockingServers : IDisposable
{
    public BlockingServers()
    {
        Real = RedisServerProcess.Start();
        Node = NodeFixture.Start();
    }

    public RedisServerProcess Real { get; }

    public NodeFixture Node { get; }

    public int Port(string side) => side == "redis-server" ? Real.Port : Node.Port;

    public void Dispose()
    {
        Node.Dispose();
        Real.Dispose();
    }
}

public sealed class BlockingClientsTests(BlockingServers servers) : IClassFixture<BlockingServers>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly string[] Sides = ["redis-server", "our node"];

    [Fact]
    public void Waiters_on_one_key_are_served_first_come_first_served()
    {
        Same(port =>
        {
            using var admin = Fresh(port);
            var waiters = BlockInOrder(port, admin, ["BLPOP", "q", "0"], ["BLPOP", "q", "0"], ["BRPOP", "q", "0"]);
            var seen = new List<string>();
            foreach (var (value, waiter) in new[] { "a", "b", "c" }.Zip(waiters))
            {
                seen.Add(admin.CallText("RPUSH", "q", value));
                seen.Add(Read(waiter)); // the earliest waiter still blocked gets it; a wrong one would time out here
            }
            seen.Add("blocked " + BlockedClients(admin));
            Dispose(waiters);
            return seen;
        }, expected: [":1\r\n", "*2\r\n$1\r\nq\r\n$1\r\na\r\n", ":1\r\n", "*2\r\n$1\r\nq\r\n$1\r\nb\r\n", ":1\r\n", "*2\r\n$1\r\nq\r\n$1\r\nc\r\n", "blocked 0"]);
    }

    [Fact]
    public void One_LPUSH_of_several_elements_serves_several_waiters_in_order()
    {
        Same(port =>
        {
            using var admin = Fresh(port);
            var waiters = BlockInOrder(port, admin, ["BLPOP", "q", "0"], ["BLPOP", "other", "q", "0"], ["BRPOP", "q", "0"], ["BLPOP", "q", "0"]);
            var seen = new List<string> { admin.CallText("LPUSH", "q", "a", "b", "c") }; // q = c b a
            seen.AddRange(waiters.Take(3).Select(Read));
            // Three elements for four waiters: the last one is still blocked and the list is empty.
            WaitUntil(() => BlockedClients(admin) == 1, "three waiters served");
            seen.Add(admin.CallText("LLEN", "q"));
            seen.Add(admin.CallText("RPUSH", "q", "d"));
            seen.Add(Read(waiters[3]));
            Dispose(waiters);
            return seen;
        }, expected: [":3\r\n", "*2\r\n$1\r\nq\r\n$1\r\nc\r\n", "*2\r\n$1\r\nq\r\n$1\r\nb\r\n", "*2\r\n$1\r\nq\r\n$1\r\na\r\n", ":0\r\n", ":1\r\n", "*2\r\n$1\r\nq\r\n$1\r\nd\r\n"]);
    }

    [Fact]
    public void Sub_second_timeouts_fire_within_a_bounded_window()
    {
        Same(port =>
        {
            using var admin = Fresh(port);
            var seen = new List<string>();
            foreach (var cmd in new[] { new[] { "BLPOP", "q", "0.1" }, ["BRPOP", "q", "x", "0.25"], ["BLMOVE", "q", "d", "LEFT", "RIGHT", "0.1"], ["BLMPOP", "0.1", "1", "q", "LEFT"] })
            {
                using var c = TestRespClient.Connect(port, Deadline);
                var clock = Stopwatch.StartNew();
                string reply = c.CallText(cmd);
                double seconds = clock.Elapsed.TotalSeconds;
                double timeout = double.Parse(cmd[0] == "BLMPOP" ? cmd[1] : cmd[^1], System.Globalization.CultureInfo.InvariantCulture);
                // Never early; late by at most a generous bound (the machine is shared, Redis checks timeouts
                // at hz 10 granularity, so ~100 ms late is normal for it too).
                Assert.True(seconds >= timeout - 0.005, $"{string.Join(' ', cmd)} returned after {seconds:F3} s, before its {timeout} s timeout");
                Assert.True(seconds < timeout + 1.5, $"{string.Join(' ', cmd)} returned after {seconds:F3} s, far past its {timeout} s timeout");
                seen.Add(reply);
            }
            seen.Add("blocked " + BlockedClients(admin));
            return seen;
        }, expected: ["*-1\r\n", "*-1\r\n", "*-1\r\n", "*-1\r\n", "blocked 0"]);
    }

    [Fact]
    public void A_client_that_disconnects_while_blocked_is_not_served()
    {
        Same(port =>
        {
            using var admin = Fresh(port);
            var waiters = BlockInOrder(port, admin, ["BLPOP", "q", "0"], ["BLMOVE", "q", "d", "LEFT", "LEFT", "0"], ["BLPOP", "q", "0"]);
            waiters[0].Dispose();
            waiters[1].Dispose();
            WaitUntil(() => BlockedClients(admin) == 1, "the two closed clients to be unblocked");
            var seen = new List<string> { admin.CallText("RPUSH", "q", "x", "y") };
            seen.Add(Read(waiters[2])); // the first element goes to the only live waiter
            seen.Add(admin.CallText("LRANGE", "q", "0", "-1")); // nothing was handed to the closed clients
            seen.Add(admin.CallText("EXISTS", "d"));
            waiters[2].Dispose();
            return seen;
        }, expected: [":2\r\n", "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", "*1\r\n$1\r\ny\r\n", ":0\r\n"]);
    }

    [Fact]
    public void MULTI_with_BLPOP_on_an_empty_list_returns_null_at_once()
    {
        Same(port =>
        {
            using var admin = Fresh(port);
            using var c = TestRespClient.Connect(port, Deadline);
            var seen = new List<string> { c.CallText("MULTI"), c.CallText("BLPOP", "q", "0"), c.CallText("BLMOVE", "q", "d", "LEFT", "LEFT", "0"),
                c.CallText("BRPOP", "q", "100") };
            var clock = Stopwatch.StartNew();
            seen.Add(c.CallText("EXEC"));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"EXEC took {clock.Elapsed.TotalSeconds:F2} s: it must not block");
            seen.Add("blocked " + BlockedClients(admin));
            // With data, the same transaction pops it.
            seen.Add(admin.CallText("RPUSH", "q", "a"));
            seen.Add(c.CallText("MULTI"));
            seen.Add(c.CallText("BLPOP", "q", "0"));
            seen.Add(c.CallText("EXEC"));
            return seen;
        }, expected: ["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "*3\r\n*-1\r\n$-1\r\n*-1\r\n", "blocked 0", ":1\r\n", "+OK\r\n", "+QUEUED\r\n", "*1\r\n*2\r\n$1\r\nq\r\n$1\r\na\r\n"]);
    }

    [Fact]
    public void BLMOVE_between_lists_feeds_a_client_blocked_on_the_destination()
    {
        Same(port =>
        {
            using var admin = Fresh(port);
            // c0 waits on dst; c1 moves src -> dst when src gets data; the moved element then serves c0.
            var waiters = BlockInOrder(port, admin, ["BLPOP", "dst", "0"], ["BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"]);
            var seen = new List<string> { admin.CallText("RPUSH", "src", "a", "b") };
            seen.Add(Read(waiters[1])); // BLMOVE's reply: the element it moved (src's tail)
            seen.Add(Read(waiters[0])); // ...which reached dst and served the BLPOP
            seen.Add(admin.CallText("LRANGE", "src", "0", "-1"));
            seen.Add(admin.CallText("EXISTS", "dst"));
            // And a plain BLMOVE rotation between two lists, served immediately.
            seen.Add(admin.CallText("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"));
            seen.Add(admin.CallText("LRANGE", "dst", "0", "-1"));
            seen.Add("blocked " + BlockedClients(admin));
            Dispose(waiters);
            return seen;
        }, expected: [":2\r\n", "$1\r\nb\r\n", "*2\r\n$3\r\ndst\r\n$1\r\nb\r\n", "*1\r\n$1\r\na\r\n", ":0\r\n", "$1\r\na\r\n", "*1\r\n$1\r\na\r\n", "blocked 0"]);
    }

    [Fact]
    public void BZPOPMIN_and_BZPOPMAX_waiters_are_served_in_order_by_one_ZADD()
    {
        Same(port =>
        {
            using var admin = Fresh(port);
            var waiters = BlockInOrder(port, admin, ["BZPOPMIN", "z", "0"], ["BZPOPMAX", "other", "z", "0"], ["BZPOPMIN", "z", "0"]);
            var seen = new List<string> { admin.CallText("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d") };
            seen.AddRange(waiters.Select(Read)); // min a, then max d, then min b
            seen.Add(admin.CallText("ZRANGE", "z", "0", "-1", "WITHSCORES"));
            using var timed = TestRespClient.Connect(port, Deadline);
            var clock = Stopwatch.StartNew();
            seen.Add(timed.CallText("BZPOPMIN", "empty", "0.1"));
            Assert.True(clock.Elapsed.TotalSeconds is >= 0.095 and < 1.6, $"BZPOPMIN 0.1 returned after {clock.Elapsed.TotalSeconds:F3} s");
            seen.Add("blocked " + BlockedClients(admin));
            Dispose(waiters);
            return seen;
        }, expected: [":4\r\n", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n", "*3\r\n$1\r\nz\r\n$1\r\nd\r\n$1\r\n4\r\n",
            "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n", "*2\r\n$1\r\nc\r\n$1\r\n3\r\n", "*-1\r\n", "blocked 0"]);
    }

    /// <summary>
    /// Runs the scenario on redis-server and on our node; redis-server's observations must equal
    /// <paramref name="expected"/> and ours must equal redis-server's.
    /// </summary>
    private void Same(Func<int, List<string>> scenario, string[] expected)
    {
        var results = Sides.ToDictionary(s => s, s => scenario(servers.Port(s)).Select(x => RespFraming.Escape(Encoding.Latin1.GetBytes(x))).ToList());
        var want = expected.Select(x => RespFraming.Escape(Encoding.Latin1.GetBytes(x))).ToList();
        Assert.True(want.SequenceEqual(results["redis-server"]),
            "redis-server did not behave as the scenario expects (the expectation is wrong):\n  " + string.Join("\n  ", results["redis-server"]));
        Assert.True(results["redis-server"].SequenceEqual(results["our node"]),
            "our node differs from redis-server:\n  redis-server: " + string.Join(", ", results["redis-server"]) +
            "\n  our node:     " + string.Join(", ", results["our node"]));
    }

    /// <summary>A connection on an emptied server.</summary>
    private static TestRespClient Fresh(int port)
    {
        var admin = TestRespClient.Connect(port, Deadline);
        Assert.Equal("+OK\r\n", admin.CallText("FLUSHALL"));
        Assert.Equal(0, BlockedClients(admin));
        return admin;
    }

    /// <summary>Sends each blocking command from its own connection, waiting until the server counts it as blocked
    /// before sending the next, so the order of blocking is known.</summary>
    private static List<TestRespClient> BlockInOrder(int port, TestRespClient admin, params string[][] commands)
    {
        var clients = new List<TestRespClient>();
        foreach (var cmd in commands)
        {
            var c = TestRespClient.Connect(port, Deadline);
            clients.Add(c);
            c.Send(cmd);
            int n = clients.Count;
            WaitUntil(() => BlockedClients(admin) == n, $"{string.Join(' ', cmd)} to block ({n} blocked)");
        }
        return clients;
    }

    private static string Read(TestRespClient c) =>
        Encoding.Latin1.GetString(c.ReadReply() ?? throw new IOException("connection closed instead of a reply"));

    private static int BlockedClients(TestRespClient admin)
    {
        string info = admin.CallText("INFO", "clients");
        int at = info.IndexOf("blocked_clients:", StringComparison.Ordinal);
        Assert.True(at >= 0, "INFO clients has no blocked_clients line: " + info);
        int end = info.IndexOf('\r', at);
        return int.Parse(info[(at + "blocked_clients:".Length)..end], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("waited " + Deadline.TotalSeconds + " s for " + what);
            Thread.Sleep(2); // polling interval, bounded by the deadline
        }
    }

    private static void Dispose(List<TestRespClient> clients)
    {
        foreach (var c in clients) c.Dispose();
    }
}
