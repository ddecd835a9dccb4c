namespace RedisPanel.Server.Tests;

/// <summary>The RedisPanel.Server executable, run as a process the way an operator runs redis-server.</summary>
public sealed class ServerHostTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-server-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Bad_config_line_exits_non_zero_naming_file_and_line()
    {
        string path = Write("bad.conf", "port 6379\nfoo bar\n");
        using var p = ServerProcess.Start(_dir, path);
        Assert.Equal(1, p.WaitForExit(Deadline));
        Assert.Contains("Reading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n", p.Stderr);
        Assert.Contains(path, p.Stderr);
    }

    [Fact]
    public void Bad_config_text_is_the_same_as_redis_server_prints()
    {
        if (!ServerProcess.OnPath("redis-server")) return; // the reference server is installed by the test setup
        foreach (var (name, text) in new[]
        {
            ("a.conf", "port 6379\nfoo bar\n"),
            ("b.conf", "protected-mode maybe\n"),
            ("c.conf", "# x\n\n  maxmemory 1x  \n"),
            ("d.conf", "replicaof 127.0.0.1 99999\n"),
            ("e.conf", "save 0 1\n"),
            ("f.conf", "appendfsync sometimes\n"),
        })
        {
            string path = Write(name, text);
            using var real = ServerProcess.StartExe("redis-server", _dir, path);
            using var ours = ServerProcess.Start(_dir, path);
            Assert.Equal(1, real.WaitForExit(Deadline));
            Assert.Equal(1, ours.WaitForExit(Deadline));
            // Ours = Redis's text + one line naming the file.
            Assert.Equal(real.Stderr + $"(in {path})\n", ours.Stderr);
        }
    }

    [Fact]
    public void Port_in_use_exits_non_zero_naming_the_address_and_port()
    {
        var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;
            using var p = ServerProcess.Start(_dir, "--port", port.ToString(), "--bind", "127.0.0.1");
            Assert.Equal(1, p.WaitForExit(Deadline));
            Assert.Contains($"Could not create server TCP listening socket 127.0.0.1:{port}: bind: Address already in use", p.Stderr);
            Assert.Contains($"Failed listening on port {port} (TCP), aborting.", p.Stderr);
        }
        finally
        {
            blocker.Stop();
        }
    }

    [Fact]
    public void Config_file_plus_options_serve_redis_cli_and_sigterm_exits_cleanly()
    {
        int port = ServerProcess.FreePort();
        string pid = Path.Combine(_dir, "rp.pid");
        string logfile = Path.Combine(_dir, "rp.log");
        string conf = Write("node.conf", $"port 1\nbind 127.0.0.1\nsave 900 1\npidfile {pid}\nlogfile {logfile}\n");
        using var p = ServerProcess.Start(_dir, conf, "--port", port.ToString(), "--save", "", "--maxmemory", "64mb");
        Assert.True(p.WaitForPort(port, Deadline), p.Stdout + p.Stderr);
        // The pidfile is written right after the listener is bound (as redis-server does): poll for it.
        var until = DateTime.UtcNow + Deadline;
        while (!File.Exists(pid) && DateTime.UtcNow < until) Thread.Sleep(20);
        Assert.Equal(p.Pid + "\n", File.ReadAllText(pid));

        if (ServerProcess.OnPath("redis-cli"))
        {
            Assert.Equal((0, $"port\n{port}\n"), ServerProcess.Run("redis-cli", "-p", port.ToString(), "config", "get", "port"));
            Assert.Equal((0, "save\n\n"), ServerProcess.Run("redis-cli", "-p", port.ToString(), "config", "get", "save"));
            Assert.Equal((0, "maxmemory\n67108864\n"), ServerProcess.Run("redis-cli", "-p", port.ToString(), "config", "get", "maxmemory"));
            // CONFIG REWRITE persists the command-line options into the file, as redis-server does.
            Assert.Equal((0, "OK\n"), ServerProcess.Run("redis-cli", "-p", port.ToString(), "config", "rewrite"));
            string text = File.ReadAllText(conf);
            Assert.Contains($"port {port}\n", text);
            Assert.Contains("save \"\"\n", text);
            Assert.Contains("maxmemory 64mb\n", text);
        }

        p.Signal(ServerProcess.SIGTERM);
        Assert.Equal(0, p.WaitForExit(Deadline));
        Assert.False(File.Exists(pid)); // removed on shutdown, as Redis does
        Assert.Contains("ready to exit", File.ReadAllText(logfile));
    }

    [Fact]
    public void Sigint_also_stops_gracefully_without_a_config_file()
    {
        int port = ServerProcess.FreePort();
        using var p = ServerProcess.Start(_dir, "--port", port.ToString(), "--bind", "127.0.0.1");
        Assert.True(p.WaitForPort(port, Deadline), p.Stdout + p.Stderr);
        p.Signal(ServerProcess.SIGINT);
        Assert.Equal(0, p.WaitForExit(Deadline));
        Assert.Contains("Received SIGINT", p.Stdout);
    }
}
