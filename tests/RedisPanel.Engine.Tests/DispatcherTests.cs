namespace RedisPanel.Engine.Tests;

public class DispatcherTests
{
    [Fact]
    public void Unknown_command_names_its_arguments_like_redis()
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR unknown command 'nosuch', with args beginning with: 'a' 'b' \r\n", h.Run("nosuch", "a", "b"));
        Assert.Equal("-ERR unknown command 'nosuch', with args beginning with: \r\n", h.Run("nosuch"));
    }

    [Fact]
    public void Arity_is_checked_from_the_table()
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", h.Run("GET"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", h.Run("get", "a", "b"));
    }

    [Fact]
    public void Writes_are_propagated_and_reads_are_not()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("SET", "k", "v");
        h.Run("GET", "k");
        h.Run("DEL", "nokey");
        Assert.Single(log.Commands);
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", log.Commands[0].Command);
    }

    [Fact]
    public void Lazy_expiry_propagates_del()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        lock (h.Engine.SyncRoot)
        {
            h.Engine.Keyspace[0].Set("k"u8, "v"u8.ToArray());
            h.Engine.Keyspace[0].SetExpire("k"u8, h.Engine.Keyspace.NowMs + 1000);
        }
        // Redis's keyIsExpired is "now > when": at the expiry millisecond itself the key is still alive.
        h.Clock.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.Equal("$1\r\nv\r\n", h.Run("GET", "k"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("$-1\r\n", h.Run("GET", "k"));
        Assert.Equal("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n", Assert.Single(log.Commands).Command);
    }
}
