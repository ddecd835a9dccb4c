using RedisPanel.Node;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Topology;

/// <summary>The bounds of the event ring and of the per-node history, and the lag computed from the topology.</summary>
public sealed class EventLogAndHistoryTests
{
    [Fact]
    public void The_event_log_keeps_the_latest_2000_events_with_increasing_ids()
    {
        var log = new EventLog(TimeProvider.System);
        var seen = new List<long>();
        log.Added += e => seen.Add(e.Id);
        for (int i = 0; i < EventLog.Capacity + 100; i++) log.Add(TopologyEventKind.LinkUp, "n", $"e{i}");

        var held = log.Snapshot();
        Assert.Equal(EventLog.Capacity, held.Length);
        Assert.Equal(101, held[0].Id);
        Assert.Equal("e100", held[0].Message);
        Assert.Equal(EventLog.Capacity + 100, seen.Count);
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public void History_takes_one_sample_a_second_bounded_to_ten_minutes_with_the_lag_behind_the_master()
    {
        var history = new NodeHistory();
        var start = DateTimeOffset.UnixEpoch;
        for (int i = 0; i < NodeHistory.Capacity + 50; i++)
        {
            var now = start + TimeSpan.FromMilliseconds(250 * i * 4); // one per second
            history.Record([Master(1000 + i), Replica(900 + i)], now);
            history.Record([Master(1000 + i), Replica(900 + i)], now + TimeSpan.FromMilliseconds(250)); // too soon: skipped
        }
        var samples = history.Get("replica");
        Assert.Equal(NodeHistory.Capacity, samples.Count);
        Assert.Equal(start + TimeSpan.FromSeconds(50), samples[0].Time);
        Assert.All(samples, s => Assert.Equal(100, s.LagBytes));
        Assert.All(history.Get("master"), s => Assert.Null(s.LagBytes));
        Assert.Empty(history.Get("nobody"));
    }

    private static NodeViewModel Master(long offset) => new("master", "127.0.0.1", 7000, NodeState.Running, null, NodeRole.Master, null, 0, 0, 0, 0, 0, null,
        ReplicationView.Empty with { MasterReplOffset = offset });

    private static NodeViewModel Replica(long offset) => new("replica", "127.0.0.1", 7001, NodeState.Running, null, NodeRole.Replica, "localhost:7000", 0, 0, 0, 0, 0, null,
        ReplicationView.Empty with
        {
            MasterReplOffset = offset,
            Link = new MasterLinkView("localhost", 7000, true, 0, -1, false, -1, 0, 0, offset, true),
        });
}
