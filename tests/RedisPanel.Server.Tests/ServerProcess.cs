using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace RedisPanel.Server.Tests;

/// <summary>Runs the built RedisPanel.Server (or redis-server) as a child process and captures its output.</summary>
public sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Starts RedisPanel.Server from the test's bin directory with the given arguments.</summary>
    public static ServerProcess Start(string workingDir, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "RedisPanel.Server.dll");
        return StartExe("dotnet", workingDir, [dll, .. args]);
    }

    public static ServerProcess StartExe(string exe, string workingDir, params string[] args)
    {
        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workingDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return new ServerProcess(Process.Start(psi)!);
    }

    /// <summary>Waits (bounded) for the process to exit; returns its exit code or null on timeout.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return null;
        _process.WaitForExit(); // flushes the async output readers
        return _process.ExitCode;
    }

    /// <summary>Polls until a TCP connect to 127.0.0.1:port succeeds or the deadline passes.</summary>
    public bool WaitForPort(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) return false;
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(50); // polling a condition, with a deadline
            }
        }
        return false;
    }

    public void Signal(int signal) => _ = Kill(_process.Id, signal);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int sig);

    public const int SIGTERM = 15, SIGINT = 2;

    /// <summary>A port that was free a moment ago (bound to 0 and released).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Runs a short command (redis-cli ...) and returns (exit code, stdout).</summary>
    public static (int Code, string Output) Run(string exe, params string[] args)
    {
        using var p = StartExe(exe, Directory.GetCurrentDirectory(), args);
        int? code = p.WaitForExit(TimeSpan.FromSeconds(20));
        return (code ?? -1, p.Stdout + p.Stderr);
    }

    public static bool OnPath(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, exe)));

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
