namespace RedisPanel.Engine;

/// <summary>Command flags with Redis's meaning (src/commands/*.json "command_flags").</summary>
[Flags]
public enum CommandFlags
{
    None = 0,
    Write = 1 << 0,
    ReadOnly = 1 << 1,
    DenyOom = 1 << 2,
    Admin = 1 << 3,
    PubSub = 1 << 4,
    NoScript = 1 << 5,
    Blocking = 1 << 6,
    Loading = 1 << 7,   // allowed while loading
    Stale = 1 << 8,     // allowed on a replica with a down link and replica-serve-stale-data no
    SkipMonitor = 1 << 9,
    SkipSlowlog = 1 << 10,
    Fast = 1 << 11,
    NoAuth = 1 << 12,   // allowed before AUTH
    MayReplicate = 1 << 13,
    NoMulti = 1 << 14,
    AllowBusy = 1 << 15,
    /// <summary>Not queued inside MULTI: runs at once (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).</summary>
    NoQueue = 1 << 16,
    /// <summary>Keys or the command are not meaningful to propagate (even if flagged Write).</summary>
    NoPropagate = 1 << 17,
    /// <summary>Allowed in RESP2 subscribed mode (SUBSCRIBE family, PING, QUIT, RESET).</summary>
    PubSubContext = 1 << 18,
    /// <summary>Redis's CMD_PROTECTED (DEBUG): runs only where enable-debug-command allows it. Not shown by COMMAND,
    /// as in Redis.</summary>
    Protected = 1 << 19,
}
