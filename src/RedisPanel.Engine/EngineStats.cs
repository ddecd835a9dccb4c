namespace RedisPanel.Engine;

/// <summary>Counters behind INFO stats; written under the node lock except the network byte counters.</summary>
public sealed class EngineStats
{
    public long TotalCommandsProcessed;
    public long TotalConnectionsReceived;
    public long RejectedConnections;
    public long KeyspaceHits;
    public long KeyspaceMisses;
    public long TotalErrorReplies;
    public long UnexpectedErrorReplies;
    public long NetInputBytes;
    public long NetOutputBytes;
    /// <summary>INFO stats sync_full / sync_partial_ok / sync_partial_err, counted by the replication layer.</summary>
    public long SyncFull;
    public long SyncPartialOk;
    public long SyncPartialErr;

    /// <summary>Error replies by error code (the first word: ERR, WRONGTYPE ...), for INFO errorstats.</summary>
    public SortedDictionary<string, long> ErrorCodes { get; } = new(StringComparer.Ordinal);

    // instantaneous_ops_per_sec: Redis samples every 100 ms into 16 slots and averages.
    private readonly double[] _opsSamples = new double[16];
    private int _opsIndex;
    private long _lastOpsCount;
    private long _lastOpsTicks;

    /// <summary>Takes one ops/sec sample (call about every 100 ms).</summary>
    public void Sample(long nowTicks, long ticksPerSecond)
    {
        if (_lastOpsTicks != 0 && nowTicks > _lastOpsTicks)
        {
            double seconds = (double)(nowTicks - _lastOpsTicks) / ticksPerSecond;
            _opsSamples[_opsIndex] = (TotalCommandsProcessed - _lastOpsCount) / seconds;
            _opsIndex = (_opsIndex + 1) % _opsSamples.Length;
        }
        _lastOpsTicks = nowTicks;
        _lastOpsCount = TotalCommandsProcessed;
    }

    public long InstantaneousOpsPerSec => (long)(_opsSamples.Sum() / _opsSamples.Length);

    public void Reset()
    {
        TotalCommandsProcessed = TotalConnectionsReceived = RejectedConnections = 0;
        KeyspaceHits = KeyspaceMisses = TotalErrorReplies = UnexpectedErrorReplies = 0;
        NetInputBytes = NetOutputBytes = 0;
        SyncFull = SyncPartialOk = SyncPartialErr = 0;
        ErrorCodes.Clear();
        Array.Clear(_opsSamples);
    }
}
