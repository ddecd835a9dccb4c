namespace RedisPanel.Web.Topology;

/// <summary>The <c>Dashboard</c> section of appsettings.json: the safe defaults of the dashboard.</summary>
public sealed class DashboardOptions
{
    /// <summary>Refuses every mutating action; the console runs only read commands (not write, admin or dangerous).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Required by every request when the app listens on a non-loopback address. When not set there, one is
    /// generated at startup and logged with the URL (like Jupyter). Loopback-only apps stay open.
    /// </summary>
    public string? AccessToken { get; set; }
}
