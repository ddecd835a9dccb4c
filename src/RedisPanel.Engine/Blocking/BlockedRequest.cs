namespace RedisPanel.Engine.Blocking;

/// <summary>
/// Tries to serve a blocked client now that <paramref name="key"/> (in <see cref="BlockedRequest.Db"/>) may have
/// data. Runs under the node lock. Returns false to keep the client waiting (the key is empty or of another
/// type); returns true once it wrote the client's reply (data or an error such as WRONGTYPE) — the registry
/// then unblocks the client. The callback propagates and counts (MarkDirty) what it really did.
/// </summary>
public delegate bool BlockedServeHandler(BlockingRegistry registry, BlockedRequest request, byte[] key);

/// <summary>One blocked command: who waits, on which keys, until when, and how to serve it.</summary>
public sealed class BlockedRequest
{
    public BlockedRequest(ClientSession client, int db, byte[][] keys, long timeoutAtMs, BlockedServeHandler serve, object? state)
    {
        Client = client;
        Db = db;
        Keys = keys;
        TimeoutAtMs = timeoutAtMs;
        Serve = serve;
        State = state;
    }

    public ClientSession Client { get; }

    /// <summary>The database the client was in when it blocked (served there even if it could SELECT later).</summary>
    public int Db { get; }

    /// <summary>Distinct keys, in the order given by the command.</summary>
    public byte[][] Keys { get; }

    /// <summary>Absolute deadline in Unix ms of the node clock; 0 blocks forever.</summary>
    public long TimeoutAtMs { get; }

    public BlockedServeHandler Serve { get; }

    /// <summary>Command-specific data (direction, count, destination key ...), owned by the family that blocked.</summary>
    public object? State { get; }

    /// <summary>The blocked command: Redis's updateStatsOnUnblock charges its failed_calls when the wait ends in an error.</summary>
    internal CommandDef? Command { get; set; }

    /// <summary>Order of blocking, to break timeout ties (FIFO).</summary>
    internal long Sequence { get; set; }
}
