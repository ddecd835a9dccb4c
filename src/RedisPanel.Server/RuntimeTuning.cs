// Process-wide runtime settings of the single-node host, applied before Main runs (and so before the first socket).
using System.Runtime.CompilerServices;

namespace RedisPanel.Server;

internal static class RuntimeTuning
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const string EngineThreads = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>
    /// Turns on inline socket completions unless the environment says otherwise: the runtime's socket engine thread
    /// then completes receives and sends itself instead of queueing every event to the thread pool. Client
    /// connections no longer use that engine (each listener has its own epoll loop, SocketEventLoop); what still
    /// does is a replica's link to its master, whose stream is then applied on the engine thread as it arrives,
    /// without a hop through the pool, and the second core stays free for the clients. A single engine thread:
    /// with two, the loops contend for the node lock and for the clients' core (measured when client sockets still
    /// ran on it: compare.sh geomean 0.84 with one thread, 0.78 with two). Fine here because this process hosts one
    /// node and nothing else; a host that also serves HTTP should not force it.
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
