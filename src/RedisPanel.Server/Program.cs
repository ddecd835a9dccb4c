// RedisPanel.Server: one node per process, started like redis-server:
//   RedisPanel.Server [/path/to/redis.conf] [--port 6380 --replicaof "127.0.0.1 6379" --save "" ...]
// Command-line options become config lines appended after the file (they win), exactly as redis-server builds
// them. A bad config line or a busy port prints one clear message and exits 1; SIGTERM/SIGINT stop gracefully
// (exit 0). Logs go through Serilog to the console, and to `logfile` when set; `pidfile` is written and removed.
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using RedisPanel.Engine.Config;
using RedisPanel.Node;
using RedisPanel.Server;

if (args.Length == 1 && args[0] is "-v" or "--version")
{
    Console.WriteLine($"RedisPanel server v={ConfigFileException.RedisVersion} (Redis 7.0 compatible)");
    return 0;
}
if (args.Length == 1 && args[0] is "-h" or "--help")
{
    Console.WriteLine("Usage: RedisPanel.Server [/path/to/redis.conf] [options]");
    Console.WriteLine("Examples:");
    Console.WriteLine("       RedisPanel.Server (run the server with default conf)");
    Console.WriteLine("       RedisPanel.Server /etc/redis/6379.conf");
    Console.WriteLine("       RedisPanel.Server --port 7777");
    Console.WriteLine("       RedisPanel.Server --port 7777 --replicaof 127.0.0.1 8888");
    Console.WriteLine("       RedisPanel.Server /etc/myredis.conf --loglevel verbose --save 60 1000");
    return 0;
}

ServerConfig config;
try
{
    var (file, lines) = ConfigFileParser.CommandLineToLines(args);
    if (file is not null)
    {
        config = ConfigFileParser.Load(file, lines);
    }
    else
    {
        config = new ServerConfig();
        // Without a file Redis parses "" + "\n" + options, so the first option is line 2.
        if (lines.Count > 0) ConfigFileParser.Apply(config, "\n" + string.Join("\n", lines), ConfigFileParser.CommandLineSource);
    }
}
catch (ConfigFileException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

using var loggerFactory = ServerLogging.Create(config);
var log = loggerFactory.CreateLogger("RedisPanel.Server");
ServerLog.Starting(log, Environment.ProcessId, config.ConfigFile ?? "(none)");
if (config.ConfigFile is null) ServerLog.NoConfigFile(log);
if (config.Daemonize) ServerLog.DaemonizeIgnored(log);
if (config.Bind.Length == 0)
{
    ServerLog.NothingToListen(log);
    Console.Error.WriteLine("Configured to not listen anywhere, exiting.");
    return 1;
}

// Signals are taken before the port opens, so a stop request right after start is never lost.
var stop = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext ctx)
{
    ctx.Cancel = true; // we stop ourselves, gracefully
    stop.TrySetResult(ctx.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM");
}
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

await using var node = new RedisNode(new NodeOptions { Name = $"{config.Port}", Config = config }, loggerFactory);
node.ShutdownRequested += (_, _) => stop.TrySetResult("SHUTDOWN"); // SHUTDOWN ends the process, as with redis-server
if (!await node.StartAsync())
{
    // redis-server: "Could not create server TCP listening socket 127.0.0.1:6379: bind: Address already in use"
    // then "Failed listening on port 6379 (TCP), aborting."
    Console.Error.WriteLine(node.FailureReason);
    Console.Error.WriteLine($"Failed listening on port {config.Port} (TCP), aborting.");
    return 1;
}

string? pidFile = config.PidFile.Length > 0 ? Path.GetFullPath(config.PidFile, config.Dir) : null;
if (pidFile is not null)
{
    try
    {
        File.WriteAllText(pidFile, Environment.ProcessId + "\n");
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        ServerLog.PidFileFailed(log, pidFile, ex.Message); // Redis only warns, too
        pidFile = null;
    }
}
ServerLog.Ready(log, node.Port);


string signal = await stop.Task;
if (signal != "SHUTDOWN") ServerLog.ShuttingDown(log, signal);
await node.StopAsync();
if (pidFile is not null)
{
    try
    {
        File.Delete(pidFile);
    }
    catch (IOException ex)
    {
        ServerLog.PidFileFailed(log, pidFile, ex.Message);
    }
}
ServerLog.Bye(log);
return 0;
