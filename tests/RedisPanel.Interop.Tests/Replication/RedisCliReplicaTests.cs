// `redis-cli --replica` against our node: it syncs (SYNC, the snapshot discarded) and then prints every
// propagated command, as it does against redis-server.
using System.Diagnostics;
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Replication;

public sealed class RedisCliReplicaTests
{
    [Fact]
    public async Task RedisCliReplicaPrintsTheSyncAndThenThePropagatedCommands()
    {
        await using var node = await NodeFixture.StartAsync(name: "cli-replica");
        using var client = TestRespClient.Connect(node.Port);
        Assert.Equal("+OK\r\n", client.CallText("SET", "before", "1"));

        // stdbuf -oL: redis-cli prints the commands with stdio, fully buffered on a pipe; stdbuf execs it (same PID).
        var psi = new ProcessStartInfo("/usr/bin/stdbuf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-oL", "/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", node.Port.ToString(), "--replica" }) psi.ArgumentList.Add(a);
        using var cli = Process.Start(psi)!;
        var output = new StringBuilder();
        cli.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        cli.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        cli.BeginOutputReadLine();
        cli.BeginErrorReadLine();
        try
        {
            string Output() { lock (output) return output.ToString(); }
            void WaitFor(string text)
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
                while (!Output().Contains(text))
                {
                    if (DateTime.UtcNow > deadline || cli.HasExited) Assert.Fail($"no '{text}' in redis-cli output:\n{Output()}");
                    Thread.Sleep(20); // polling interval, bounded by the deadline
                }
            }
            // Diskless (capa eof, the 7.0 default) after the 5 s repl-diskless-sync-delay, exactly as redis-server
            // prints it: the filtered (rdb-filter-only "") snapshot, then REPLCONF ACK 0 releases the stream.
            WaitFor("Logging commands from master.");
            Assert.Matches(@"SYNC with master, discarding bytes of bulk transfer until EOF marker\.\.\.\r?\nSYNC done after \d+ bytes\. Logging commands from master\.", Output());
            Assert.Equal("+OK\r\n", client.CallText("SET", "cli", "1"));
            Assert.Equal(":3\r\n", client.CallText("RPUSH", "l", "a", "b", "c"));
            WaitFor("\"RPUSH\",\"l\",\"a\",\"b\",\"c\"");
            string text = Output();
            // No "SELECT","0" line, as against redis-server: redis-cli reads a reply to its REPLCONF ACK 0 (masters
            // never answer it), so the stream's first command, the SELECT the master sends after a sync, is
            // consumed as that reply.
            Assert.DoesNotContain("\"SELECT\"", text);
            Assert.True(text.IndexOf("\"SET\",\"cli\",\"1\"", StringComparison.Ordinal) < text.IndexOf("\"RPUSH\"", StringComparison.Ordinal), text);
        }
        finally
        {
            if (!cli.HasExited)
            {
                cli.Kill();
                cli.WaitForExit(10_000);
            }
        }
    }
}
