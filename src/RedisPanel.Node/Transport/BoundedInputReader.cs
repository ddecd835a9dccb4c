// Input back-pressure for a connection: the receive loop stops reading while the application has not yet taken
// what was already received and that is more than a bound, as Redis's event loop reads a client's socket only after
// it has processed the commands it read before.
using System.IO.Pipelines;

namespace RedisPanel.Node.Transport;

/// <summary>
/// The application's end of a connection's input pipe. Counts the bytes the receive loop flushed since the
/// application last called <see cref="ReadAsync"/>/<see cref="TryRead"/>; the receive loop awaits
/// <see cref="WaitForReaderAsync"/> before its next receive, which returns at once unless more than
/// <see cref="Bound"/> bytes are waiting untaken. Redis never buffers more than one read (16 KB) beyond the commands
/// it is executing; without this a client that pipelines faster than the node executes (redis-cli --pipe) filled
/// the pipe with its whole input (45 MB of pinned receive blocks for 1M RPUSH, which the pinned heap then kept as
/// fragmentation). A request larger than the bound still arrives: the application takes the partial frame (and
/// leaves it unconsumed), which releases the receive loop for the next part.
/// Thread-safe between one receive loop and one application reader.
/// </summary>
internal sealed class BoundedInputReader(PipeReader inner) : PipeReader
{
    /// <summary>Untaken input above which the receive loop waits (16 large receive blocks: smaller bounds cost CPU
    /// under pipelined load, the reader then taking smaller batches).</summary>
    public const long Bound = 16 * PinnedBlockPool.LargeBlockSize;

    private long _untaken;
    private TaskCompletionSource? _receiverWaiting;

    /// <summary>Called by the receive loop after flushing <paramref name="bytes"/>; completes once it may receive again.</summary>
    public ValueTask WaitForReaderAsync(int bytes)
    {
        if (Interlocked.Add(ref _untaken, bytes) <= Bound) return ValueTask.CompletedTask;
        // Asynchronous continuation: the reader releases us from inside its ReadAsync and must not run our receive.
        var wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _receiverWaiting, wait);
        // The reader may have taken everything between the add and the publication: then it reset the count
        // before we published, and nothing would wake us.
        if (Interlocked.Read(ref _untaken) <= Bound)
        {
            Interlocked.CompareExchange(ref _receiverWaiting, null, wait);
            return ValueTask.CompletedTask;
        }
        return new ValueTask(wait.Task);
    }

    /// <summary>The application takes everything received so far: the receive loop may go on.</summary>
    private void Taken()
    {
        Interlocked.Exchange(ref _untaken, 0);
        Interlocked.Exchange(ref _receiverWaiting, null)?.TrySetResult();
    }

    /// <summary>Releases a waiting receive loop for good (the application completed its end).</summary>
    private void Release()
    {
        Interlocked.Exchange(ref _untaken, long.MinValue / 2);
        Interlocked.Exchange(ref _receiverWaiting, null)?.TrySetResult();
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        Taken();
        return inner.ReadAsync(cancellationToken);
    }

    public override bool TryRead(out ReadResult result)
    {
        Taken();
        return inner.TryRead(out result);
    }

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        inner.Complete(exception);
        Release();
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        return inner.CompleteAsync(exception);
    }
}
