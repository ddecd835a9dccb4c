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

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventName)
        {
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
