using RedisPanel.Engine.Commands;

namespace RedisPanel.Engine.Tests;

public class PubSubTests
{
    [Fact]
    public void Publish_delivers_to_subscribers_and_wakes_their_connections()
    {
        var h = new EngineHarness();
        var sub = h.NewClient();
        int woken = 0;
        sub.OutputReady = _ => woken++;
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", h.Run(sub, "SUBSCRIBE", "ch"));
        Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n", h.Run(sub, "PSUBSCRIBE", "c*"));
        Assert.Equal(":2\r\n", h.Run("PUBLISH", "ch", "hi"));
        Assert.Equal(2, woken);
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n",
            h.TakeOutput(sub));
        Assert.Equal(":0\r\n", h.Run("PUBLISH", "other", "x"));
    }

    [Fact]
    public void Resp3_subscribers_get_push_frames()
    {
        var h = new EngineHarness();
        var sub = h.NewClient();
        sub.Writer.Protocol = 3;
        Assert.Equal(">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", h.Run(sub, "SUBSCRIBE", "ch"));
        h.Run("PUBLISH", "ch", "hi");
        Assert.Equal(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", h.TakeOutput(sub));
        // RESP3 clients may run any command while subscribed.
        Assert.Equal("_\r\n", h.Run(sub, "GET", "x"));
    }

    [Fact]
    public void Resp2_subscribed_mode_refuses_other_commands()
    {
        var h = new EngineHarness();
        h.Run("SUBSCRIBE", "ch");
        Assert.Equal("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
            h.Run("GET", "x"));
        Assert.Equal("*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n", h.Run("UNSUBSCRIBE"));
        Assert.Equal("$-1\r\n", h.Run("GET", "x"));
    }

    [Fact]
    public void Disconnect_removes_subscriptions()
    {
        var h = new EngineHarness();
        var sub = h.NewClient();
        h.Run(sub, "SUBSCRIBE", "a", "b");
        h.Run(sub, "PSUBSCRIBE", "x*");
        Assert.Equal("*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:1\r\n", h.Run("PUBSUB", "NUMSUB", "a", "b"));
        lock (h.Engine.SyncRoot) h.Engine.OnClientClosed(sub);
        Assert.Equal(":0\r\n", h.Run("PUBLISH", "a", "m"));
        Assert.Equal(":0\r\n", h.Run("PUBSUB", "NUMPAT"));
        Assert.Equal("*0\r\n", h.Run("PUBSUB", "CHANNELS"));
        Assert.Equal((0, 0), PubSubCommands.SubscriptionCounts(sub));
    }

    [Fact]
    public void Publish_is_propagated_even_though_it_changes_no_key()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("PUBLISH", "ch", "m");
        Assert.Equal("*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$1\r\nm\r\n", Assert.Single(log.Commands).Command);
    }
}
