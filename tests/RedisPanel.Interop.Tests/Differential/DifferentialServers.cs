// Shared state of the differential runner: one real redis-server per case file (fresh server state per
// family, FLUSHALL between cases) and a fresh in-process node per case (ours starts empty, so the runner does
// not depend on our FLUSHALL working).
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Differential;

public sealed class DifferentialServers : IDisposable
{
    private readonly object _gate = new();
    private string? _file;
    private RedisServerProcess? _real;

    /// <summary>The reference server for <paramref name="file"/> (restarted when the file changes or it died).</summary>
    public RedisServerProcess RealFor(string file)
    {
        lock (_gate)
        {
            if (_real is null || _real.HasExited || _file != file)
            {
                _real?.Dispose();
                _real = RedisServerProcess.Start("--enable-debug-command", "yes");
                _file = file;
            }
            return _real;
        }
    }

    public void Dispose()
    {
        lock (_gate) _real?.Dispose();
    }
}
