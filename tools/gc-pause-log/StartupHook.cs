// The entry point of the startup hook: the runtime looks for a type named StartupHook in no namespace with a
// static Initialize(), and calls it before Main. See GcPauseListener.cs for what is logged.
using GcPauseLog;

/// <summary>Starts logging GC pauses to $GC_PAUSE_LOG (nothing when unset), and allocation to $GC_ALLOC_LOG.</summary>
internal static class StartupHook
{
    private static GcPauseListener? s_listener;

    public static void Initialize()
    {
        string? path = Environment.GetEnvironmentVariable("GC_PAUSE_LOG");
        if (string.IsNullOrEmpty(path)) return;
        s_listener = new GcPauseListener(new StreamWriter(path, append: true));
        // GC_ALLOC_LOG=<file>: also the process's allocated bytes once a second ("<unix seconds> <bytes>").
        string? allocPath = Environment.GetEnvironmentVariable("GC_ALLOC_LOG");
        if (string.IsNullOrEmpty(allocPath)) return;
        var output = new StreamWriter(allocPath, append: true) { AutoFlush = true };
        new Thread(() =>
        {
            while (true)
            {
                output.WriteLine(FormattableString.Invariant(
                    $"{(DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds:F3} {GC.GetTotalAllocatedBytes(false)}"));
                Thread.Sleep(1000);
            }
        }) { IsBackground = true, Name = "alloc log" }.Start();
    }
}
