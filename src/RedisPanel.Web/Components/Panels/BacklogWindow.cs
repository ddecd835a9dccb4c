// The replication backlog of one master as a window of offsets, and how long a replica can stay away and still
// come back with a partial resync. Pure arithmetic (no components), so the gauge's numbers are unit-tested.
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Components.Panels;

/// <summary>
/// A master's backlog: it holds the bytes [<see cref="FirstByte"/>, <see cref="FirstByte"/> + <see cref="HistLen"/>)
/// of the replication stream, at most <see cref="Capacity"/> (repl-backlog-size). A replica that reconnects asks for
/// its offset + 1 (PSYNC); Redis answers +CONTINUE only while that byte is still held, i.e. while
/// master offset − replica offset ≤ capacity (once the ring is full, older bytes are overwritten as writes come in).
/// </summary>
/// <param name="MasterOffset">master_repl_offset.</param>
/// <param name="FirstByte">repl_backlog_first_byte_offset.</param>
/// <param name="HistLen">repl_backlog_histlen.</param>
/// <param name="Capacity">repl_backlog_size.</param>
/// <param name="Active">repl_backlog_active (Redis creates the backlog when the first replica attaches).</param>
public sealed record BacklogWindow(long MasterOffset, long FirstByte, long HistLen, long Capacity, bool Active)
{
    public static BacklogWindow From(ReplicationView view) =>
        new(view.MasterReplOffset, view.BacklogFirstByteOffset, view.BacklogHistLen, view.BacklogSize, view.BacklogActive);

    /// <summary>The left end of the gauge: the oldest offset a full backlog could still hold (never below 0).</summary>
    public long AxisStart => Math.Max(0, MasterOffset - Capacity);

    /// <summary>The gauge spans one capacity (or less, early in the stream, when the master has written less).</summary>
    public long AxisLength => Math.Max(1, MasterOffset - AxisStart);

    /// <summary>The last offset the backlog holds (FirstByte + HistLen − 1; equals the master offset while active).</summary>
    public long LastByte => FirstByte + HistLen - 1;

    /// <summary>Where <paramref name="offset"/> sits on the gauge, 0..1 (clamped: a replica behind the window sits at 0).</summary>
    public double Position(long offset) => Math.Clamp((offset - AxisStart) / (double)AxisLength, 0, 1);

    /// <summary>The filled part of the gauge (what the backlog really holds), as 0..1 fractions.</summary>
    public (double Start, double End) FilledSpan =>
        !Active || HistLen <= 0 ? (1, 1) : (Position(FirstByte - 1), Position(LastByte));

    /// <summary>
    /// Would a replica at <paramref name="replicaOffset"/> reconnecting now get a partial resync? It asks for
    /// replicaOffset + 1, which must lie in [FirstByte, LastByte + 1] (a replica that is level asks for the next byte).
    /// </summary>
    public bool CanContinue(long replicaOffset) =>
        Active && replicaOffset + 1 >= FirstByte && replicaOffset <= MasterOffset;

    /// <summary>Bytes the master may still write before a replica at <paramref name="replicaOffset"/> falls out of the backlog.</summary>
    public long Headroom(long replicaOffset) => Capacity - (MasterOffset - replicaOffset);

    /// <summary>
    /// How long a replica at <paramref name="replicaOffset"/> can stay disconnected at <paramref name="bytesPerSecond"/>
    /// and still resync partially: (capacity − (master offset − replica offset)) / rate. <see cref="Outlook.Forever"/>
    /// at 0 B/s; <see cref="Outlook.TooLate"/> when it already needs a full sync (or there is no backlog).
    /// </summary>
    public Outlook Survival(long replicaOffset, double bytesPerSecond)
    {
        if (!CanContinue(replicaOffset)) return Outlook.TooLate;
        long headroom = Headroom(replicaOffset);
        if (headroom < 0) return Outlook.TooLate;
        if (bytesPerSecond <= 0) return Outlook.Forever;
        return new Outlook(OutlookKind.For, TimeSpan.FromSeconds(Math.Min(headroom / bytesPerSecond, TimeSpan.MaxValue.TotalSeconds / 2)));
    }

    /// <summary>The same for a replica that is level with the master and disconnects now.</summary>
    public Outlook SurvivalFromNow(double bytesPerSecond) =>
        !Active ? Outlook.TooLate : bytesPerSecond <= 0 ? Outlook.Forever
        : new Outlook(OutlookKind.For, TimeSpan.FromSeconds(Capacity / bytesPerSecond));

    /// <summary>
    /// The master's write rate in bytes/s over the last <paramref name="window"/> of its chart points (oldest first;
    /// a master's point offset is its master_repl_offset): offset growth over elapsed time. A drop in the offset
    /// (restart, or a resync as a replica) restarts the measurement after it. 0 when no two points span any time.
    /// </summary>
    public static double WriteRate(IReadOnlyList<ChartPoint> points, TimeSpan window)
    {
        if (points.Count < 2) return 0;
        var last = points[^1];
        var cutoff = last.Time - window;
        int first = points.Count - 1;
        while (first > 0 && points[first - 1].Time >= cutoff && points[first - 1].Offset <= points[first].Offset)
            first--;
        var start = points[first];
        double seconds = (last.Time - start.Time).TotalSeconds;
        return seconds <= 0 ? 0 : (last.Offset - start.Offset) / seconds;
    }
}

public enum OutlookKind
{
    /// <summary>Partial resync possible for <see cref="Outlook.Time"/>.</summary>
    For,
    /// <summary>No writes: the backlog never runs out.</summary>
    Forever,
    /// <summary>Already outside the backlog (or no backlog): a reconnect means a full sync.</summary>
    TooLate,
}

/// <summary>How long a partial resync stays possible.</summary>
public readonly record struct Outlook(OutlookKind Kind, TimeSpan Time)
{
    public static readonly Outlook Forever = new(OutlookKind.Forever, TimeSpan.MaxValue);
    public static readonly Outlook TooLate = new(OutlookKind.TooLate, TimeSpan.Zero);

    /// <summary>"∞", "full sync", "4m 05s", "2h 10m", "12.3 s".</summary>
    public override string ToString() => Kind switch
    {
        OutlookKind.Forever => "∞",
        OutlookKind.TooLate => "full sync",
        _ => Format(Time),
    };

    public static string Format(TimeSpan t) => t.TotalSeconds switch
    {
        < 10 => $"{t.TotalSeconds:0.0} s",
        < 60 => $"{t.TotalSeconds:0} s",
        < 3600 => $"{(int)t.TotalMinutes}m {t.Seconds:00}s",
        < 86400 * 2 => $"{(int)t.TotalHours}h {t.Minutes:00}m",
        _ => $"{(int)t.TotalDays} days",
    };
}
