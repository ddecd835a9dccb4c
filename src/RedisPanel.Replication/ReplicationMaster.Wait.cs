// WAIT numreplicas timeout: block the caller until enough replicas acknowledged its writes (Redis's waitCommand,
// processClientsWaitingReplicas). Acknowledgements are requested with REPLCONF GETACK *.
using RedisPanel.Engine;

namespace RedisPanel.Replication;

public sealed partial class ReplicationMaster
{
    private readonly List<WaitRequest> _waiters = new();

    private sealed record WaitRequest(ClientSession Client, long TargetOffset, long NumReplicas, long DeadlineMs);

    /// <summary>ONLINE replicas whose acknowledged offset reached <paramref name="offset"/>.</summary>
    public int CountAcked(long offset)
    {
        int n = 0;
        foreach (var r in _replicas)
            if (r.State == ReplicaState.Online && r.AckOffset >= offset) n++;
        return n;
    }

    /// <summary>
    /// WAIT: replies now when enough replicas acknowledged (or when blocking is denied), else blocks the client.
    /// <paramref name="timeoutMs"/> 0 waits forever.
    /// </summary>
    internal void HandleWait(CommandContext ctx, long numReplicas, long timeoutMs, bool denyBlocking)
    {
        // waitCommand targets the client's woff (the offset right after its previous command), not the latest offset:
        // a client that ran nothing waits for 0, one whose writes are acknowledged does not wait for others' writes.
        long target = ctx.Client.WriteOffset;
        int acked = CountAcked(target);
        if (acked >= numReplicas || denyBlocking)
        {
            ctx.Reply.Integer(acked);
            return;
        }
        var client = ctx.Client;
        long deadline = timeoutMs == 0 ? 0 : _engine.Keyspace.NowMs + timeoutMs;
        var request = new WaitRequest(client, target, numReplicas, deadline);
        _waiters.Add(request);
        client.Flags |= ClientFlags.Blocked;
        client.Unblocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CancelBlock = c =>
        {
            _waiters.Remove(request);
            c.Flags &= ~ClientFlags.Blocked;
            c.CancelBlock = null;
            c.Unblocked?.TrySetResult();
        };
        RequestAcks();
    }

    private void ServeWaiters()
    {
        for (int i = 0; i < _waiters.Count; i++)
        {
            var w = _waiters[i];
            int acked = CountAcked(w.TargetOffset);
            if (acked < w.NumReplicas) continue;
            _waiters.RemoveAt(i--);
            Release(w, acked);
        }
    }

    private void ExpireWaiters(long now)
    {
        for (int i = 0; i < _waiters.Count; i++)
        {
            var w = _waiters[i];
            if (w.DeadlineMs == 0 || now < w.DeadlineMs) continue;
            _waiters.RemoveAt(i--);
            Release(w, CountAcked(w.TargetOffset)); // on timeout WAIT replies the count reached so far
        }
    }

    private static void Release(WaitRequest w, int acked)
    {
        var c = w.Client;
        c.Writer.Integer(acked);
        c.Flags &= ~ClientFlags.Blocked;
        c.CancelBlock = null;
        var tcs = c.Unblocked;
        c.NotifyOutput();
        tcs?.TrySetResult();
    }
}
