namespace RedisPanel.Web.Components.Panels;

/// <summary>A node drawn on the charts, with the colour it has on every chart (its legend entry matches across charts).</summary>
/// <param name="IsReplica">Replicas also get a line on the lag chart.</param>
public sealed record ChartSeries(string Node, string Color, bool IsReplica)
{
    /// <summary>Distinct, colour-blind-friendly-ish strokes, assigned by node order.</summary>
    public static readonly string[] Palette =
    [
        "#2e90fa", "#12b76a", "#f79009", "#7a5af8", "#ee46bc", "#06aed4", "#66c61c", "#ef6820", "#6172f3", "#a15c07",
        "#0e9384", "#dd2590",
    ];

    public static string ColorAt(int index) => Palette[index % Palette.Length];

    /// <summary>Marker colours and shapes: red triangles for full syncs, amber for link cuts, violet diamonds for promotions.</summary>
    public static string MarkerColor(MarkerKind kind) => kind switch
    {
        MarkerKind.FullSync => "#d92d20",
        MarkerKind.LinkDown => "#dc6803",
        _ => "#6938ef",
    };

    public static string MarkerTitle(MarkerKind kind) => kind switch
    {
        MarkerKind.FullSync => "Full sync",
        MarkerKind.LinkDown => "Link down",
        _ => "Promotion",
    };
}
