// Short ways for tests to ask a node something over RESP (the dashboard's own client), with a deadline each.
using RedisPanel.Web.Remote;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Infrastructure;

public static class Redis
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<RespReply> CallAsync(int port, params string[] args)
    {
        await using var c = await RemoteConnection.ConnectAsync("127.0.0.1", port, null, Timeout, CancellationToken.None);
        return await c.CommandAsync(Timeout, CancellationToken.None, args);
    }

    public static async Task<Dictionary<string, string>> InfoAsync(int port, string section) =>
        InfoReplicationParser.ParseFields((await CallAsync(port, "INFO", section)).Text);
}

/// <summary>Collects progress texts synchronously (Progress&lt;T&gt; would post them later).</summary>
public sealed class ProgressLog : IProgress<string>
{
    private readonly List<string> _lines = new();
    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }
    public void Report(string value) { lock (_lines) _lines.Add(value); }
}
