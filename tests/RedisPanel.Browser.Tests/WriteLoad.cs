// Background write load for the browser tests: one RESP connection per master, a paced SET loop (bounded by its
// token and a rate), so replication streams move while the page is measured.
using RedisPanel.Web.Tests.Infrastructure;

namespace RedisPanel.Browser.Tests;

public sealed class WriteLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _writers = new();
    private long _writes;

    /// <param name="ports">The masters.</param>
    /// <param name="writesPerTick">SETs per 10 ms tick and master (a function of elapsed time, for a varying load).</param>
    /// <param name="valueBytes">Size of each value.</param>
    public WriteLoad(IEnumerable<int> ports, Func<TimeSpan, int> writesPerTick, int valueBytes = 100)
    {
        string value = new('x', valueBytes);
        foreach (int port in ports) _writers.Add(Task.Run(() => WriteAsync(port, writesPerTick, value, _stop.Token)));
    }

    public long Writes => Interlocked.Read(ref _writes);

    private async Task WriteAsync(int port, Func<TimeSpan, int> writesPerTick, string value, CancellationToken ct)
    {
        await using var client = await RespClient.ConnectAsync(port);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var started = DateTime.UtcNow;
        long n = 0;
        try
        {
            while (await tick.WaitForNextTickAsync(ct))
            {
                int count = writesPerTick(DateTime.UtcNow - started);
                for (int i = 0; i < count; i++)
                {
                    string reply = await client.CommandAsync("SET", $"load:{n++ % 5000}", value) ?? "(nil)";
                    if (reply != "+OK") throw new InvalidOperationException($"SET on {port} answered {reply}");
                    Interlocked.Increment(ref _writes);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_writers); // a writer that failed surfaces here
        _stop.Dispose();
    }
}
