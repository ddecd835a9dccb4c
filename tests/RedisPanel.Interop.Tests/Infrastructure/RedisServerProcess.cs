// A real redis-server 7.0 child process on a free loopback port: the reference the differential tests compare
// our node against. Started without persistence, killed by its own PID on dispose.
using System.Diagnostics;
using System.Text;

namespace RedisPanel.Interop.Tests.Infrastructure;

/// <summary>Owns one redis-server process. Not thread-safe; dispose kills it.</summary>
public sealed class RedisServerProcess : IDisposable
{
    public const string ServerPath = "/usr/bin/redis-server";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private string? _dir;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// Starts redis-server on a free port with the given extra arguments (e.g. "--requirepass", "x") and waits
    /// until it answers PING. Retries on a different port if another process won the port in between.
    /// </summary>
    public static RedisServerProcess Start(params string[] extraArgs)
    {
        if (!File.Exists(ServerPath))
            throw new InvalidOperationException($"{ServerPath} is missing: install Debian's redis-server (scripts/test.sh does).");
        Exception? last = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int port = FreePort.Next();
            var server = Launch(port, extraArgs);
            try
            {
                server.WaitReady(extraArgs);
                return server;
            }
            catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
            {
                last = new InvalidOperationException($"redis-server on port {port} did not start: {ex.Message}\n{server.Log}", ex);
                server.Dispose();
            }
        }
        throw last!;
    }

    /// <summary>
    /// Starts redis-server on a given <paramref name="port"/> (a restart where an earlier one listened, so its
    /// replicas find it again) and waits until it answers PING.
    /// </summary>
    public static RedisServerProcess StartOnPort(int port, params string[] extraArgs)
    {
        var server = Launch(port, extraArgs);
        try
        {
            server.WaitReady(extraArgs);
            return server;
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
            string log = server.Log;
            server.Dispose();
            throw new InvalidOperationException($"redis-server on port {port} did not start: {ex.Message}\n{log}", ex);
        }
    }

    private static RedisServerProcess Launch(int port, string[] extraArgs)
    {
        var psi = new ProcessStartInfo(ServerPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        // A private empty dir by default: with a shared one (/tmp) the server would load whatever dump.rdb another
        // process left there. Callers that restart from a dump pass their own --dir after this one (the last wins).
        string dir = Directory.CreateTempSubdirectory("redispanel-real-").FullName;
        foreach (var a in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--daemonize", "no", "--dir", dir })
            psi.ArgumentList.Add(a);
        foreach (var a in extraArgs) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        var server = new RedisServerProcess(p, port) { _dir = dir };
        p.OutputDataReceived += (_, e) => server.Append(e.Data);
        p.ErrorDataReceived += (_, e) => server.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return server;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private void WaitReady(string[] extraArgs)
    {
        int passIndex = Array.IndexOf(extraArgs, "--requirepass");
        var deadline = DateTime.UtcNow + StartDeadline;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"exited with code {_process.ExitCode}");
            try
            {
                using var c = TestRespClient.Connect(Port, TimeSpan.FromSeconds(2));
                if (passIndex >= 0) c.Call("AUTH", extraArgs[passIndex + 1]);
                if (c.CallText("PING") == "+PONG\r\n") return;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no PONG within " + StartDeadline);
            Thread.Sleep(20); // polling interval while the child starts; bounded by the deadline
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
        try
        {
            if (_dir is not null) Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp dir left behind is harmless
        }
    }
}
