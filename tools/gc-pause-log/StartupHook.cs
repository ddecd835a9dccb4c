// The entry point of the startup hook: the runtime looks for a type named StartupHook in no namespace with a
// static Initialize(), and calls it before Main. See GcPauseListener.cs for what is logged.
using GcPauseLog;

/// <summary>Starts logging GC pauses to $GC_PAUSE_LOG (nothing when unset).</summary>
internal static class StartupHook
{
    private static GcPauseListener? s_listener;

    public static void Initialize()
    {
        string? path = Environment.GetEnvironmentVariable("GC_PAUSE_LOG");
        if (string.IsNullOrEmpty(path)) return;
        s_listener = new GcPauseListener(new StreamWriter(path, append: true));
    }
}
