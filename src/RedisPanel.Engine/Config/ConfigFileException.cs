namespace RedisPanel.Engine.Config;

/// <summary>
/// A config file (or command-line option) that Redis 7.0.15 would refuse at start-up. <see cref="Exception.Message"/>
/// is redis-server's own text ("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***" ...) followed by a line naming
/// the file, so a host prints it as is and exits non-zero.
/// </summary>
public sealed class ConfigFileException : Exception
{
    public const string RedisVersion = "7.0.15";

    public ConfigFileException(string fileName, int line, string? lineText, string reason)
        : base(Format(fileName, line, lineText, reason))
    {
        FileName = fileName;
        Line = line;
        LineText = lineText;
        Reason = reason;
    }

    private ConfigFileException(string fileName, string message, string reason) : base(message)
    {
        FileName = fileName;
        Reason = reason;
    }

    /// <summary>The file (absolute path), or "command line" for options given as arguments.</summary>
    public string FileName { get; }

    /// <summary>1-based line number, or 0 when the error is not about one line (log file cannot be opened ...).</summary>
    public int Line { get; }

    /// <summary>The offending line, trimmed as Redis prints it, or null.</summary>
    public string? LineText { get; }

    /// <summary>Redis's reason text ("Bad directive or wrong number of arguments", "argument must be 'yes' or 'no'" ...).</summary>
    public string Reason { get; }

    /// <summary>A file that cannot be opened (main file or include): Redis logs "Fatal error, can't open config file ...".</summary>
    public static ConfigFileException CannotOpen(string fileName, string strerror) =>
        new(fileName, $"Fatal error, can't open config file '{fileName}': {strerror}", $"can't open config file '{fileName}': {strerror}");

    private static string Format(string fileName, int line, string? lineText, string reason)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("\n*** FATAL CONFIG FILE ERROR (Redis ").Append(RedisVersion).Append(") ***\n");
        if (line > 0)
        {
            sb.Append("Reading the configuration file, at line ").Append(line).Append('\n');
            sb.Append(">>> '").Append(lineText).Append("'\n");
        }
        sb.Append(reason).Append('\n');
        // RedisPanel addition: Redis does not say which file; with includes and several nodes it matters.
        sb.Append("(in ").Append(fileName).Append(')');
        return sb.ToString();
    }
}
