// When the master writes the stream to an online replica's socket: at the end of the batch that produced it (as
// Redis writes replica buffers in beforeSleep), once for the whole batch, and the tail of a burst that stops
// inside the flush gap still goes out.
using RedisPanel.Engine;

namespace RedisPanel.Replication.Tests;

public sealed class ReplicaFlushTests
{
    private static byte[][] Args(params string[] a) => a.Select(System.Text.Encoding.Latin1.GetBytes).ToArray();

    /// <summary>Counts the replica's wake-ups and remembers how much output was pending at the last one.</summary>
    private sealed class Wakes
    {
        public int Count;
        public int PendingAtLast = -1;

        public Wakes(ClientSession replica) => replica.OutputReady = c =>
        {
            Count++;
            PendingAtLast = c.PendingOutput;
        };
    }

    [Fact]
    public void ABatchOfWritesWakesTheReplicaOnceAfterItsLastCommand()
    {
        var h = new MasterHarness();
        var (replica, _, _, _) = MasterTests.FullSync(h);
        h.Take(replica);
        var wakes = new Wakes(replica);
        lock (h.Engine.SyncRoot)
        {
            h.Engine.BeginBatch();
            h.Engine.Execute(h.Client, Args("SET", "a", "1"));
            h.Engine.Execute(h.Client, Args("SET", "b", "2"));
            h.Engine.Execute(h.Client, Args("SET", "c", "3"));
            // Nothing is written to the replica in the middle of a batch.
            Assert.Equal(0, wakes.Count);
            h.Engine.EndBatch();
        }
        // At the batch end, or (when the batch fell inside the gap after the last flush) by the tail flusher.
        Poll.Until(() => { lock (h.Engine.SyncRoot) return wakes.Count > 0; }, "replica woken");
        lock (h.Engine.SyncRoot)
        {
            Assert.Equal(1, wakes.Count);
            Assert.Equal(replica.PendingOutput, wakes.PendingAtLast);
        }
        // The first command after the full sync carries a SELECT.
        Assert.Equal(MasterHarness.Cmd("SELECT", "0") + MasterHarness.Cmd("SET", "a", "1") + MasterHarness.Cmd("SET", "b", "2") + MasterHarness.Cmd("SET", "c", "3"),
            h.Take(replica));
    }

    [Fact]
    public void WritesThatStopInsideTheFlushGapStillReachTheReplica()
    {
        var h = new MasterHarness();
        var (replica, _, _, _) = MasterTests.FullSync(h);
        h.Take(replica);
        var wakes = new Wakes(replica);
        // Back to back: the second (and third) land inside the gap after the first one's flush, and nothing follows.
        h.Run("SET", "a", "1");
        h.Run("SET", "b", "2");
        h.Run("SET", "c", "3");
        string expected = MasterHarness.Cmd("SELECT", "0") + MasterHarness.Cmd("SET", "a", "1") + MasterHarness.Cmd("SET", "b", "2") + MasterHarness.Cmd("SET", "c", "3");
        Poll.Until(() =>
        {
            lock (h.Engine.SyncRoot) return wakes.PendingAtLast == expected.Length && replica.PendingOutput == expected.Length;
        }, "the last write reached the replica");
        Assert.Equal(expected, h.Take(replica));
    }
}
