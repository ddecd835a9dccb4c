// The tail of a write burst on its way to the replicas. Replica output is written at the end of the batch that
// produced it, at most once per flush gap (ReplicationMaster.Sync.cs); what a burst appends inside the last gap
// has no later batch to carry it. One background thread, shared by every master of the process, picks that up
// about a millisecond later.
namespace RedisPanel.Replication;

/// <summary>
/// Writes the stream a master appended after its last flush once its writes paused (Redis has no such tail: it
/// writes replica buffers every event-loop turn, which the node's socket engine does not expose). A dedicated
/// thread sleeping 1 ms per turn while a master is registered and parked otherwise: a System.Threading.Timer armed
/// per burst woke the timer thread and a thread-pool worker about once a millisecond under load, and the pool's
/// spin-wait after each item cost about a third of the master's CPU with one replica and 10 writing clients.
/// </summary>
internal static class ReplicaTailFlusher
{
    private static readonly object s_gate = new();
    private static readonly List<ReplicationMaster> s_masters = new();
    private static Thread? s_thread;

    /// <summary>Registers <paramref name="master"/> until its tail is written (caller holds its engine lock).</summary>
    public static void Register(ReplicationMaster master)
    {
        lock (s_gate)
        {
            s_masters.Add(master);
            if (s_thread is null)
            {
                s_thread = new Thread(Run) { IsBackground = true, Name = "replica tail flush" };
                s_thread.Start();
            }
            else if (s_masters.Count == 1)
            {
                Monitor.Pulse(s_gate);
            }
        }
    }

    /// <summary>Forgets <paramref name="master"/> (caller holds its engine lock, so it cannot register again meanwhile).</summary>
    public static void Unregister(ReplicationMaster master)
    {
        lock (s_gate) s_masters.Remove(master);
    }

    private static void Run()
    {
        var work = new List<ReplicationMaster>();
        int sleepMs = 1;
        while (true)
        {
            lock (s_gate)
            {
                if (s_masters.Count == 0)
                {
                    sleepMs = 1;
                    while (s_masters.Count == 0) Monitor.Wait(s_gate);
                }
                work.AddRange(s_masters);
            }
            Thread.Sleep(sleepMs);
            bool writing = false;
            foreach (var m in work) writing |= !m.FlushTail();
            work.Clear();
            // Under a sustained load the writes pace the flushes and every turn here finds them still going: back off
            // (each wake costs a context switch, 10 % of the master's CPU at 1 ms on a loaded box), so the tail of a
            // long burst waits at most MaxSleepMs, a short burst's about 1 ms.
            sleepMs = writing ? Math.Min(MaxSleepMs, sleepMs * 2) : 1;
        }
    }

    private const int MaxSleepMs = 4;
}
