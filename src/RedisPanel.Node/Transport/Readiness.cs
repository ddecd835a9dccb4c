// One direction of a socket's readiness (readable or writable), as the event loop reports it, for one waiter.
using System.Threading.Tasks.Sources;

namespace RedisPanel.Node.Transport;

/// <summary>
/// Edge-triggered readiness for one waiter: the event loop calls <see cref="Signal"/> for every edge, and the
/// connection, after a receive or send found nothing to do (EAGAIN), awaits <see cref="WaitAsync"/>. An edge that
/// comes while nobody waits is remembered, so the next wait returns at once and the caller tries again (the edge
/// may be stale; the retry then sees EAGAIN and waits for real). The waiter's continuation runs inline on the
/// thread that signals: the event loop, like every other step of a request.
/// Thread-safe between the loop (signals), one waiter, and <see cref="Close"/> from any thread.
/// </summary>
internal sealed class Readiness : IValueTaskSource
{
    private const int Idle = 0, Ready = 1, Waiting = 2, Closed = 3;

    private ManualResetValueTaskSourceCore<bool> _core; // RunContinuationsAsynchronously = false: inline
    private int _state;

    /// <summary>Completes once the socket may be ready (or was closed); callers retry their operation.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Ready) == Ready) return default;
        _core.Reset();
        int seen = Interlocked.CompareExchange(ref _state, Waiting, Idle);
        if (seen == Idle) return new ValueTask(this, _core.Version);
        // An edge (or the close) came in between: consume it and let the caller retry.
        if (seen == Ready) Interlocked.CompareExchange(ref _state, Idle, Ready);
        return default;
    }

    /// <summary>An edge: wakes the waiter, or is remembered for the next wait.</summary>
    public void Signal()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if (s is Ready or Closed) return;
            if (s == Waiting)
            {
                if (Interlocked.CompareExchange(ref _state, Idle, Waiting) != Waiting) continue;
                _core.SetResult(true);
                return;
            }
            if (Interlocked.CompareExchange(ref _state, Ready, Idle) == Idle) return;
        }
    }

    /// <summary>The socket is gone: wakes the waiter (its retry fails) and makes every later wait return at once.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _state, Closed) == Waiting) _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
