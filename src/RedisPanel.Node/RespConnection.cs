// One client connection of a node: reads RESP from the transport, executes each read batch under the node's
// ordering lock, and writes the replies with one flush per batch. Output produced for this client by others
// (pub/sub, unblocking, MONITOR) goes through the same ordered pump.
using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using RedisPanel.Engine;
using RedisPanel.Protocol;

namespace RedisPanel.Node;

internal sealed class RespConnection
{
    private readonly RedisNode _node;
    private readonly RedisEngine _engine;
    private readonly ConnectionContext _transport;
    private readonly ClientSession _session;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CommandBatch _batch = new();
    private readonly ArgList _args = new();
    private int _pumpRequests;

    public RespConnection(RedisNode node, ConnectionContext transport, ClientSession session)
    {
        _node = node;
        _engine = node.Engine;
        _transport = transport;
        _session = session;
        session.OutputReady = _ => SchedulePump();
        session.CloseRequested = _ => _transport.Abort(new ConnectionAbortedException("closed by request"));
    }

    public ClientSession Session => _session;

    public void Abort() => _transport.Abort(new ConnectionAbortedException("node stopping"));

    public async Task RunAsync()
    {
        var input = _transport.Transport.Input;
        var output = _transport.Transport.Output;
        Task<ReadResult>? pendingRead = null;
        try
        {
            while (true)
            {
                var result = pendingRead is not null ? await pendingRead : await input.ReadAsync();
                pendingRead = null;
                var buffer = result.Buffer;
                if (buffer.IsEmpty && result.IsCompleted) break;

                _batch.Clear();
                var limits = new ParserLimits(_engine.Config.ProtoMaxBulkLen, !_session.Authenticated);
                var status = RespParser.Parse(buffer, _batch, limits, out var consumed, out string? error);
                long consumedBytes = buffer.Slice(0, consumed).Length;
                Interlocked.Add(ref _engine.Stats.NetInputBytes, consumedBytes);
                long pendingBytes = buffer.Length - consumedBytes;
                input.AdvanceTo(consumed, buffer.End);

                bool close = false;
                int next = 0;
                while (next < _batch.Count || (status == ParseStatus.ProtocolError && !close))
                {
                    await _writeGate.WaitAsync();
                    ExecOutcome outcome = ExecOutcome.Continue;
                    try
                    {
                        ReplyBuffer? reply = null;
                        lock (_engine.SyncRoot)
                        {
                            _session.QueryBufferBytes = (int)Math.Min(int.MaxValue, pendingBytes + _batch.ArenaBytes);
                            // Fast path: with the write gate and the node lock held, nobody else can write to this
                            // client, so replies go straight into the transport's pipe (no second copy). Output
                            // queued earlier by others (pub/sub, unblock) goes first, keeping its order.
                            bool direct = output.CanGetUnflushedBytes;
                            IBufferWriter<byte>? saved = null;
                            if (direct)
                            {
                                var pending = _session.TakeOutput();
                                if (pending is not null)
                                {
                                    output.Write(pending.WrittenSpan);
                                    _session.ReturnOutput(pending);
                                }
                                saved = _session.Writer.Redirect(output);
                            }
                            _engine.BeginBatch();
                            try
                            {
                                while (next < _batch.Count && outcome == ExecOutcome.Continue)
                                {
                                    // The keys of the next group of pipelined commands are fetched from memory
                                    // together, so their cache misses overlap (see RedisEngine.PrefetchKeys).
                                    if (next % RedisEngine.PrefetchGroup == 0) _engine.PrefetchKeys(_session, _batch, next, _args);
                                    _batch.GetCommand(next++, _args);
                                    outcome = _engine.Execute(_session, _args);
                                }
                                if (outcome == ExecOutcome.Continue && next >= _batch.Count && status == ParseStatus.ProtocolError)
                                {
                                    // Redis replies the protocol error, then closes the connection after the reply.
                                    _session.Writer.Error("ERR " + error);
                                    NodeLog.ProtocolError(_node.Logger, _node.Name, _session.Id, _session.Address, error!);
                                    outcome = ExecOutcome.Close;
                                }
                            }
                            finally
                            {
                                _engine.EndBatch();
                                // Back to the buffer before the lock is released: from now on others may write.
                                if (saved is not null) _session.Writer.Redirect(saved);
                            }
                            if (!direct) reply = _session.TakeOutput();
                        }
                        long written = 0;
                        if (reply is not null)
                        {
                            written = reply.Length;
                            output.Write(reply.WrittenSpan);
                            _session.ReturnOutput(reply);
                        }
                        await FlushAsync(output, written);
                    }
                    finally
                    {
                        _writeGate.Release();
                    }
                    if (outcome == ExecOutcome.Close)
                    {
                        close = true;
                        break;
                    }
                    if (outcome == ExecOutcome.Blocked)
                    {
                        // Later commands of this client wait until it is unblocked (as in Redis); a read stays
                        // pending meanwhile so a client that goes away is noticed and unblocked.
                        pendingRead = input.ReadAsync().AsTask();
                        var (alive, readStillPending) = await WaitUnblockedAsync(pendingRead);
                        if (!alive) { close = true; pendingRead = null; break; }
                        if (!readStillPending) pendingRead = null;
                        if (_session.Has(ClientFlags.CloseAfterReply))
                        {
                            // Unblocked with close-after-reply (disconnectAllBlockedClients' -UNBLOCKED): Redis
                            // writes the reply and closes now, not when the client sends its next command.
                            await CloseAfterUnblockAsync(output, pendingRead);
                            close = true;
                            pendingRead = null;
                            break;
                        }
                    }
                }
                if (close) break;
                if (status == ParseStatus.ProtocolError) break;
                if (pendingBytes > _engine.Config.ClientQueryBufferLimit)
                {
                    NodeLog.QueryBufferLimit(_node.Logger, _node.Name, _session.Id, pendingBytes);
                    break;
                }
                if (result.IsCompleted && pendingRead is null) break;
            }
        }
        catch (ConnectionResetException) { }
        catch (ConnectionAbortedException) { }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        catch (Exception ex)
        {
            NodeLog.ConnectionFailed(_node.Logger, ex, _node.Name, _session.Id);
        }
        finally
        {
            _node.OnConnectionClosed(this);
            try
            {
                await input.CompleteAsync();
                await output.CompleteAsync();
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
                // The transport was already torn down (abort during stop).
            }
        }
    }

    /// <summary>Waits until the session is unblocked. Returns whether the client is still there and whether
    /// <paramref name="read"/> is still pending (else its data was left unconsumed for the next read).</summary>
    private async Task<(bool Alive, bool ReadPending)> WaitUnblockedAsync(Task<ReadResult> read)
    {
        var unblocked = _session.Unblocked?.Task;
        if (unblocked is null) return (true, true);
        var first = await Task.WhenAny(unblocked, read);
        if (first == unblocked) return (true, true);
        var r = await read;
        if (r.IsCompleted && r.Buffer.IsEmpty)
        {
            // The client went away while blocked: forget its blocking state, as Redis's freeClient does.
            _transport.Transport.Input.AdvanceTo(r.Buffer.End);
            lock (_engine.SyncRoot) _session.CancelBlock?.Invoke(_session);
            return (false, false);
        }
        // Data arrived: leave it unconsumed and unexamined, so the next read returns it at once.
        _transport.Transport.Input.AdvanceTo(r.Buffer.Start);
        await unblocked;
        return (true, false);
    }

    /// <summary>Writes the output still queued for this client and ends the read left pending while it was blocked.</summary>
    private async Task CloseAfterUnblockAsync(PipeWriter output, Task<ReadResult>? pendingRead)
    {
        await _writeGate.WaitAsync();
        try
        {
            ReplyBuffer? reply;
            lock (_engine.SyncRoot) reply = _session.TakeOutput();
            if (reply is not null) await WriteAsync(output, reply);
        }
        finally
        {
            _writeGate.Release();
        }
        if (pendingRead is null) return;
        var input = _transport.Transport.Input;
        input.CancelPendingRead();
        var r = await pendingRead;
        input.AdvanceTo(r.Buffer.Start, r.Buffer.End);
    }

    private async ValueTask WriteAsync(PipeWriter output, ReplyBuffer reply)
    {
        int n = reply.Length;
        output.Write(reply.WrittenSpan);
        _session.ReturnOutput(reply);
        await FlushAsync(output, n);
    }

    /// <summary>
    /// Flushes what was written to the pipe (the caller holds the write gate) and counts it; <paramref name="written"/>
    /// is used when the pipe cannot tell its unflushed bytes. Completes synchronously unless the transport applies
    /// back-pressure, so the common case costs no async state machine.
    /// </summary>
    private ValueTask FlushAsync(PipeWriter output, long written)
    {
        long n = output.CanGetUnflushedBytes ? output.UnflushedBytes : written;
        if (n == 0) return ValueTask.CompletedTask;
        Interlocked.Add(ref _engine.Stats.NetOutputBytes, n);
        var flush = output.FlushAsync();
        if (flush.IsCompletedSuccessfully)
        {
            var r = flush.Result;
            if (r.IsCanceled || r.IsCompleted) throw new ConnectionAbortedException();
            return ValueTask.CompletedTask;
        }
        return AwaitFlushAsync(flush);
    }

    private static async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        var r = await flush;
        if (r.IsCanceled || r.IsCompleted) throw new ConnectionAbortedException();
    }

    /// <summary>Writes output produced for this client by others; ordered with its own replies by the write gate.</summary>
    private void SchedulePump()
    {
        if (Interlocked.Increment(ref _pumpRequests) == 1) _ = PumpAsync();
    }

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                int seen = Volatile.Read(ref _pumpRequests);
                await _writeGate.WaitAsync();
                try
                {
                    ReplyBuffer? reply;
                    lock (_engine.SyncRoot) reply = _session.TakeOutput();
                    if (reply is not null) await WriteAsync(_transport.Transport.Output, reply);
                }
                finally
                {
                    _writeGate.Release();
                }
                if (Interlocked.CompareExchange(ref _pumpRequests, 0, seen) == seen) return;
            }
        }
        catch (Exception ex) when (ex is ConnectionAbortedException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            Interlocked.Exchange(ref _pumpRequests, 0);
        }
    }
}
