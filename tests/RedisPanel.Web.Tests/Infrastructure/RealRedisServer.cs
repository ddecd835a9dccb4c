// A real redis-server child on a free loopback port (no persistence), for attaching it to the dashboard as an
// external node and for comparing the console with redis-cli. Killed by its own PID on dispose.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RedisPanel.Web.Remote;

namespace RedisPanel.Web.Tests.Infrastructure;

public sealed class RealRedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private readonly string _dir;

    private RealRedisServer(Process process, int port, string dir)
    {
        _process = process;
        Port = port;
        _dir = dir;
    }

    public int Port { get; }

    public static async Task<RealRedisServer> StartAsync()
    {
        int port = FreePort();
        var psi = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        string dir = Directory.CreateTempSubdirectory("redispanel-redis-").FullName;
        foreach (var a in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var server = new RealRedisServer(p, port, dir);
        await Poll.UntilAsync(async () =>
        {
            if (p.HasExited) throw new InvalidOperationException($"redis-server exited with {p.ExitCode}");
            try
            {
                await using var c = await RemoteConnection.ConnectAsync("127.0.0.1", port, null, TimeSpan.FromSeconds(1), CancellationToken.None);
                return (await c.CommandAsync(TimeSpan.FromSeconds(1), CancellationToken.None, "PING")).Text == "PONG";
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                return false;
            }
        }, "redis-server to answer PING");
        return server;
    }

    /// <summary>Kills the server (by its PID) and waits for it to be gone.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }
}
