using Microsoft.Extensions.Logging;
using RedisPanel.Engine.Config;
using Serilog;
using Serilog.Events;

namespace RedisPanel.Server;

/// <summary>Serilog behind Microsoft.Extensions.Logging: console always, plus `logfile` when set; `loglevel` maps
/// debug→Verbose, verbose→Debug, notice→Information, warning→Warning.</summary>
internal static class ServerLogging
{
    public static ILoggerFactory Create(ServerConfig config)
    {
        var level = config.LogLevel switch
        {
            "debug" => LogEventLevel.Verbose,
            "verbose" => LogEventLevel.Debug,
            "warning" => LogEventLevel.Warning,
            _ => LogEventLevel.Information,
        };
        const string template = "{Timestamp:dd MMM yyyy HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}";
        var lc = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .WriteTo.Console(outputTemplate: template, standardErrorFromLevel: LogEventLevel.Error);
        if (config.LogFile.Length > 0)
            lc = lc.WriteTo.File(Path.GetFullPath(config.LogFile, config.Dir), outputTemplate: template, shared: true);
        var serilog = lc.CreateLogger();
        // Serilog's own factory rather than LoggerFactory.Create(b => b.AddSerilog(...)): the same loggers without a
        // dependency injection container and options (their assemblies were ~1 MB of the empty node's RSS).
        return new Serilog.Extensions.Logging.SerilogLoggerFactory(serilog, dispose: true);
    }
}

/// <summary>The host's log messages (stable event ids 2000+).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2000, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "RedisPanel server starting, pid={Pid}, config file {ConfigFile}")]
    public static partial void Starting(Microsoft.Extensions.Logging.ILogger logger, int pid, string configFile);

    [LoggerMessage(EventId = 2001, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "No config file specified, using the default config. In order to specify a config file use RedisPanel.Server /path/to/redis.conf")]
    public static partial void NoConfigFile(Microsoft.Extensions.Logging.ILogger logger);

    [LoggerMessage(EventId = 2002, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "daemonize yes is ignored: RedisPanel.Server stays in the foreground (use a service manager)")]
    public static partial void DaemonizeIgnored(Microsoft.Extensions.Logging.ILogger logger);

    [LoggerMessage(EventId = 2003, Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Configured to not listen anywhere, exiting.")]
    public static partial void NothingToListen(Microsoft.Extensions.Logging.ILogger logger);

    [LoggerMessage(EventId = 2004, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Failed to write or remove PID file {PidFile}: {Reason}")]
    public static partial void PidFileFailed(Microsoft.Extensions.Logging.ILogger logger, string pidFile, string reason);

    [LoggerMessage(EventId = 2005, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Ready to accept connections on port {Port}")]
    public static partial void Ready(Microsoft.Extensions.Logging.ILogger logger, int port);

    [LoggerMessage(EventId = 2006, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Received {Signal} scheduling shutdown...")]
    public static partial void ShuttingDown(Microsoft.Extensions.Logging.ILogger logger, string signal);

    [LoggerMessage(EventId = 2007, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "RedisPanel is now ready to exit, bye bye...")]
    public static partial void Bye(Microsoft.Extensions.Logging.ILogger logger);
}
