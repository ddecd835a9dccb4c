// Process-wide runtime settings of the single-node host, applied before Main runs (and so before the first socket).
using System.Runtime.CompilerServices;

namespace RedisPanel.Server;

internal static class RuntimeTuning
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const string EngineThreads = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>
    /// Turns on inline socket completions unless the environment says otherwise: the socket engine's epoll thread
    /// then completes receives and sends itself instead of queueing every event to the thread pool. Together with
    /// the node transport's inline scheduling, one thread reads, executes and answers requests, like Redis's
    /// event loop, and the second core stays free for the clients (redis-benchmark runs on the same 2-core box).
    /// Measured on our machines: about a third less CPU per request and far fewer context switches
    /// (docs/benchmarks.md). Fine here because this process hosts one node and nothing else; a host that also
    /// serves HTTP should not force it, since any blocking code would then stall every socket.
    /// With inline completions the runtime starts one socket engine thread per core; a single one is better here:
    /// the node's commands are serialised by its lock anyway, and two loops contend for it and for the clients'
    /// core (compare.sh geomean 0.84 with one thread, 0.78 with two, P1 p99 latency 4 ms vs 8 ms).
    /// </summary>
    [ModuleInitializer]
    internal static void Apply()
    {
        // The runtime reads this variable once, when the socket engine starts; in-process changes are seen because
        // .NET keeps the environment in a managed table on Unix.
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        if (Environment.GetEnvironmentVariable(EngineThreads) is null)
            Environment.SetEnvironmentVariable(EngineThreads, "1");
    }
}
