namespace RedisPanel.Engine.Tests.Collections;

public class SetCommandsTests
{
    [Fact]
    public void Intset_is_sorted_and_converts_on_a_string_or_past_512()
    {
        var h = new EngineHarness();
        h.Run("SADD", "s", "3", "1", "2");
        Assert.Equal("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", h.Run("SMEMBERS", "s"));
        Assert.Equal("$6\r\nintset\r\n", h.Run("OBJECT", "ENCODING", "s"));
        for (int i = 4; i <= 512; i++) h.Run("SADD", "s", i.ToString());
        Assert.Equal("$6\r\nintset\r\n", h.Run("OBJECT", "ENCODING", "s"));
        h.Run("SADD", "s", "513");
        Assert.Equal("$9\r\nhashtable\r\n", h.Run("OBJECT", "ENCODING", "s"));
        Assert.Equal(":1\r\n", h.Run("SISMEMBER", "s", "513"));
        Assert.Equal(":0\r\n", h.Run("SISMEMBER", "s", "0513"));
    }

    [Fact]
    public void Spop_propagates_srem_per_member_or_del_when_emptied()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("SADD", "s", "1", "2", "3", "4");
        log.Commands.Clear();
        h.Run("SPOP", "s", "2");
        Assert.Equal(2, log.Commands.Count);
        Assert.All(log.Commands, c => Assert.StartsWith("*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n", c.Command));
        Assert.Equal(":2\r\n", h.Run("SCARD", "s"));
        log.Commands.Clear();
        h.Run("SPOP", "s", "5");
        Assert.Equal("*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n", Assert.Single(log.Commands).Command);
        h.Client.Writer.Protocol = 3;
        Assert.Equal("~0\r\n", h.Run("SPOP", "s", "5"));
    }

    [Fact]
    public void Set_algebra_and_stores()
    {
        var h = new EngineHarness();
        h.Run("SADD", "a", "1", "2", "3");
        h.Run("SADD", "b", "2", "3", "4");
        Assert.Equal("*2\r\n$1\r\n2\r\n$1\r\n3\r\n", h.Run("SINTER", "a", "b"));
        Assert.Equal("*1\r\n$1\r\n1\r\n", h.Run("SDIFF", "a", "b"));
        Assert.Equal(":4\r\n", h.Run("SUNIONSTORE", "d", "a", "b"));
        Assert.Equal(":1\r\n", h.Run("SINTERCARD", "2", "a", "b", "LIMIT", "1"));
        Assert.Equal(":0\r\n", h.Run("SINTERSTORE", "d", "a", "nokey"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "d"));
        Assert.Equal(":1\r\n", h.Run("SMOVE", "a", "c", "1"));
        Assert.Equal("$6\r\nintset\r\n", h.Run("OBJECT", "ENCODING", "c"));
    }
}
