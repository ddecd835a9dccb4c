namespace RedisPanel.Engine.Tests;

/// <summary>A TimeProvider the test moves by hand (expiry at the boundary, idle times).</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now;
    private long _timestamp;

    public ManualClock(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _timestamp;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        _now += by;
        _timestamp += by.Ticks;
    }
}
