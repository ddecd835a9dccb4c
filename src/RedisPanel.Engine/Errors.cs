// Every error text a command can reply with, byte for byte as Redis 7.0 sends it (without the leading '-').
namespace RedisPanel.Engine;

public static class Errors
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string Syntax = "ERR syntax error";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string NoSuchKey = "ERR no such key";
    public const string OutOfRange = "ERR index out of range";
    public const string IncrOverflow = "ERR increment or decrement would overflow";
    public const string IncrNaNOrInf = "ERR increment would produce NaN or Infinity";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string DebugNotAllowed = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";
    public const string InvalidExpire = "ERR invalid expire time in '{0}' command";
    public const string NoAuth = "NOAUTH Authentication required.";
    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
    public const string AuthNotConfigured = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public const string ReadOnly = "READONLY You can't write against a read only replica.";
    public const string Loading = "LOADING Redis is loading the dataset in memory";
    public const string MasterDown = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    public const string NoReplicas = "NOREPLICAS Not enough good replicas to write.";
    public const string ExecAbort = "EXECABORT Transaction discarded because of previous errors.";
    public const string NestedMulti = "ERR MULTI calls can not be nested";
    public const string ExecWithoutMulti = "ERR EXEC without MULTI";
    public const string DiscardWithoutMulti = "ERR DISCARD without MULTI";
    public const string WatchInMulti = "ERR WATCH inside MULTI is not allowed";
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public const string SameObject = "ERR source and destination objects are the same";
    public const string Timeout = "ERR timeout is not a float or out of range";
    public const string TimeoutNegative = "ERR timeout is negative";

    public static string WrongArity(string fullName) => $"ERR wrong number of arguments for '{fullName}' command";

    public static string UnknownSubcommand(string sub, string container) =>
        $"ERR unknown subcommand '{Truncate(CString(sub), 128)}'. Try {container.ToUpperInvariant()} HELP.";

    /// <summary>Redis 7.0: "unknown command 'foo', with args beginning with: 'a' 'b' " (each arg quoted, trailing space).</summary>
    public static string UnknownCommand(string name, IEnumerable<string> args)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var a in args)
        {
            if (sb.Length >= 128) break;
            sb.Append('\'').Append(Truncate(CString(a), 128 - sb.Length)).Append("' ");
        }
        return $"ERR unknown command '{Truncate(CString(name), 128)}', with args beginning with: {sb}";
    }

    /// <summary>Redis formats arguments with "%s", which stops at the first NUL byte.</summary>
    private static string CString(string s)
    {
        int nul = s.IndexOf('\0');
        return nul < 0 ? s : s[..nul];
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..Math.Max(0, max)];

    /// <summary>getIntFromObjectOrReply for a valid long outside int range (SELECT 4294967296).</summary>
    public const string IntOutOfRange = "ERR value is out of range, value must between -2147483648 and 2147483647";

    // ---- collections (lists, hashes, sets) and blocking ----
    public const string UnblockedByClient = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
    public const string OutOfRangePositive = "ERR value is out of range, must be positive";
    public const string NumKeysPositive = "ERR numkeys should be greater than 0";
    public const string CountPositive = "ERR count should be greater than 0";
    public const string HashValueNotInteger = "ERR hash value is not an integer";
    public const string HashValueNotFloat = "ERR hash value is not a float";
    public const string NaNOrInfinity = "ERR value is NaN or Infinity";
    public const string InvalidCursor = "ERR invalid cursor";

    // ---- persistence ----
    /// <summary>shared.bgsaveerr: writes and PING refused while the last background save failed (stop-writes-on-bgsave-error).</summary>
    public const string BgsaveError = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

    // ---- transactions ----
    /// <summary>execCommandAbort: a refused EXEC discards the transaction; the refusal's text follows (without "ERR ").</summary>
    public const string ExecAbortBecause = "EXECABORT Transaction discarded because of: ";
}
