// Against a real redis-server 7.0.15, compared byte for byte, side by side: a master turning replica (REPLICAOF)
// answers a pending EXEC of a queued write with EXECABORT ... READONLY and force-unblocks a BLPOP client with
// -UNBLOCKED, then closes it at once (CLIENT_CLOSE_AFTER_REPLY); WAIT targets the caller's own last offset (woff).
using System.Diagnostics;
using RedisPanel.Interop.Tests.Infrastructure;
using static RedisPanel.Interop.Tests.Infrastructure.ReplicationProbe;

namespace RedisPanel.Interop.Tests.Replication;

public sealed class ReplicaStateChangeInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static void PollUntil(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, what);
            Thread.Sleep(10); // polling interval, bounded by the deadline
        }
    }

    [Fact]
    public async Task Turning_replica_aborts_queued_writes_and_closes_blocked_clients_as_real_redis()
    {
        using var master = RedisServerProcess.Start();
        await using var node = await NodeFixture.StartAsync();
        using var real = RedisServerProcess.Start();
        var transcripts = new List<string>[2];
        int[] ports = [node.Port, real.Port];
        for (int s = 0; s < 2; s++)
        {
            var log = transcripts[s] = new List<string>();
            using var admin = TestRespClient.Connect(ports[s]);
            using var tx = TestRespClient.Connect(ports[s]);
            using var reads = TestRespClient.Connect(ports[s]);
            using var blocked = TestRespClient.Connect(ports[s], TimeSpan.FromSeconds(5));
            void Run(TestRespClient c, params string[] cmd) => log.Add(string.Join(' ', cmd) + " -> " + c.CallText(cmd));

            Run(tx, "MULTI");
            Run(tx, "SET", "k", "v");
            Run(reads, "MULTI");
            Run(reads, "GET", "k");
            blocked.Send("BLPOP", "q", "0");
            PollUntil(() => Field(Info(admin, "clients"), "blocked_clients") == "1", "BLPOP did not block");
            Run(admin, "REPLICAOF", "127.0.0.1", master.Port.ToString());
            // disconnectAllBlockedClients: the error, then the connection closes without another command.
            log.Add("BLPOP -> " + RespFraming.Escape(blocked.ReadReply()));
            log.Add("closed: " + blocked.IsClosedByServer(TimeSpan.FromSeconds(5)));
            Run(tx, "EXEC");
            Run(tx, "EXEC");
            Run(reads, "EXEC");
            Run(tx, "MULTI");
            Run(tx, "SET", "k", "v");
            Run(tx, "EXEC");
            Run(admin, "REPLICAOF", "NO", "ONE");
            Run(admin, "GET", "k");
        }
        Assert.Equal(transcripts[1], transcripts[0]);
        Assert.Contains("EXEC -> -EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n", transcripts[1]);
        Assert.Contains("closed: True", transcripts[1]);
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [signal, pid.ToString()])!;
        Assert.True(kill.WaitForExit(10_000));
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public async Task Wait_targets_the_callers_last_offset_as_real_redis()
    {
        await using var node = await NodeFixture.StartAsync();
        using var real = RedisServerProcess.Start();
        var transcripts = new List<string>[2];
        int[] ports = [node.Port, real.Port];
        for (int s = 0; s < 2; s++)
        {
            var log = transcripts[s] = new List<string>();
            using var replica = RedisServerProcess.Start("--replicaof", "127.0.0.1", ports[s].ToString());
            using var early = TestRespClient.Connect(ports[s]);
            using var late = TestRespClient.Connect(ports[s]);
            using var fresh = TestRespClient.Connect(ports[s]);
            using var probe = TestRespClient.Connect(replica.Port);
            void Run(TestRespClient c, params string[] cmd) => log.Add(string.Join(' ', cmd) + " -> " + c.CallText(cmd));
            PollUntil(() => Field(Info(probe, "replication"), "master_link_status") == "up", "replica link not up");

            Run(early, "SET", "a", "1");
            Run(early, "WAIT", "1", "0"); // acknowledged
            Signal(replica.Pid, "-STOP"); // no more ACKs
            try
            {
                Run(late, "SET", "b", "2");
                Run(early, "WAIT", "1", "200"); // its own write is acked: :1 at once, whatever `late` wrote
                Run(fresh, "WAIT", "1", "200"); // ran nothing: waits for offset 0
                Run(late, "WAIT", "1", "200"); // not acked: times out with 0
            }
            finally
            {
                Signal(replica.Pid, "-CONT");
            }
        }
        Assert.Equal(transcripts[1], transcripts[0]);
        Assert.Equal("WAIT 1 200 -> :1\r\n", transcripts[1][3]);
        Assert.Equal("WAIT 1 200 -> :1\r\n", transcripts[1][4]);
        Assert.Equal("WAIT 1 200 -> :0\r\n", transcripts[1][5]);
    }
}
