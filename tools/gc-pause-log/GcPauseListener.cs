// A .NET startup hook (DOTNET_STARTUP_HOOKS) for measurement scripts: logs every pause the garbage collector
// imposes on the process to the file named by GC_PAUSE_LOG, one line per pause:
//   <unix seconds of the suspension, µs precision> <pause ms> <generation collected> <B=background|F=foreground>
// A pause runs from GCSuspendEEBegin to GCRestartEEEnd (every managed thread stopped), read from the runtime's own
// events, so a script can tell a client-observed stall caused by the GC from scheduling noise on a loaded machine.
using System.Diagnostics.Tracing;
using System.Globalization;

namespace GcPauseLog;

internal sealed class GcPauseListener : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly StreamWriter _out;
    private DateTime _suspendedAt;
    private int _generation = -1;
    private bool _background;

    public GcPauseListener(StreamWriter output) => _out = output;

    /// <summary>GC_ALLOC_TYPES=1: also sample allocations (one event per ~100 KB allocated, with the type that
    /// crossed the mark) and write "# alloc <type>=<samples> ..." every 100 samples.</summary>
    private static readonly bool s_allocTypes = Environment.GetEnvironmentVariable("GC_ALLOC_TYPES") == "1";
    private readonly Dictionary<string, int> _allocSamples = new();
    private int _allocTotal;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, s_allocTypes ? EventLevel.Verbose : EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventName)
        {
            case "GCAllocationTick_V4" or "GCAllocationTick_V3":
                string type = Payload(e, "TypeName") as string ?? "?";
                lock (_allocSamples)
                {
                    _allocSamples[type] = _allocSamples.GetValueOrDefault(type) + 1;
                    if (++_allocTotal % 100 != 0) break;
                    var top = _allocSamples.OrderByDescending(p => p.Value).Take(8).Select(p => $"{p.Key}={p.Value}");
                    lock (_out)
                    {
                        _out.WriteLine("# alloc " + string.Join(' ', top));
                        _out.Flush();
                    }
                    _allocSamples.Clear();
                }
                break;
            case "GCSuspendEEBegin_V1":
                _suspendedAt = e.TimeStamp;
                _generation = -1;
                _background = false;
                break;
            case "GCStart_V2":
                _generation = Convert.ToInt32(Payload(e, "Depth"), CultureInfo.InvariantCulture);
                _background = Convert.ToInt32(Payload(e, "Type"), CultureInfo.InvariantCulture) == 1;
                break;
            case "GCRestartEEEnd_V1" when _suspendedAt != default:
                double unix = (_suspendedAt - DateTime.UnixEpoch).TotalSeconds;
                double ms = (e.TimeStamp - _suspendedAt).TotalMilliseconds;
                lock (_out)
                {
                    _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{unix:F6} {ms:F3} {_generation} {(_background ? 'B' : 'F')}"));
                    _out.Flush();
                }
                _suspendedAt = default;
                break;
        }
    }

    private static object? Payload(EventWrittenEventArgs e, string name)
    {
        int i = e.PayloadNames?.IndexOf(name) ?? -1;
        return i >= 0 ? e.Payload![i] : null;
    }
}
