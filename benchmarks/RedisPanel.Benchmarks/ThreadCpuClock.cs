// A BenchmarkDotNet clock that reads the calling thread's CPU time instead of wall time. Our machines are shared
// (other builds run beside the benchmark, load averages of 10-20 on 2 cores), so wall-clock means inflate by the
// time the thread waited for a core; CPU time keeps only what the code itself cost (cache effects of the
// neighbours remain).
using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace RedisPanel.Benchmarks;

internal sealed partial class ThreadCpuClock : IClock
{
    private const int ClockThreadCpuTimeId = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    public static readonly ThreadCpuClock Instance = new();

    public string Title => "Thread CPU time (CLOCK_THREAD_CPUTIME_ID)";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => new(1_000_000_000); // nanoseconds

    public long GetTimestamp()
    {
        clock_gettime(ClockThreadCpuTimeId, out var ts);
        return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int clock_gettime(int clockId, out TimeSpec ts);
}
