using RedisPanel.Storage;

namespace RedisPanel.Engine.Tests;

public class BitmapCommandsTests
{
    [Fact]
    public void Setbit_grows_in_place_and_keeps_the_ttl()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "@");
        lock (h.Engine.SyncRoot) h.Engine.Keyspace[0].SetExpire("k"u8, h.Engine.Keyspace.NowMs + 100_000);
        Assert.Equal(":0\r\n", h.Run("SETBIT", "k", "7", "1"));
        Assert.Equal("$1\r\nA\r\n", h.Run("GET", "k"));
        Assert.Equal(":0\r\n", h.Run("SETBIT", "k", "23", "1"));
        Assert.Equal("$3\r\nA\0\u0001\r\n", h.Run("GET", "k"));
        Assert.IsType<MutableString>(h.Engine.Keyspace[0].Peek("k"u8));
        Assert.NotEqual(-1, h.Engine.Keyspace[0].GetExpire("k"u8));
        Assert.Equal("-ERR bit offset is not an integer or out of range\r\n", h.Run("SETBIT", "k", "4294967296", "1"));
        Assert.Equal("-ERR bit is not an integer or out of range\r\n", h.Run("SETBIT", "k", "1", "2"));
    }

    [Fact]
    public void Bitcount_and_bitpos_with_bit_ranges()
    {
        var h = new EngineHarness();
        h.Run("SET", "s", "foobar");
        Assert.Equal(":26\r\n", h.Run("BITCOUNT", "s"));
        Assert.Equal(":6\r\n", h.Run("BITCOUNT", "s", "1", "1"));
        Assert.Equal(":17\r\n", h.Run("BITCOUNT", "s", "5", "30", "BIT"));
        h.Run("SET", "p", "\u0000\u00ff");
        Assert.Equal(":0\r\n", h.Run("BITPOS", "p", "0"));
        Assert.Equal(":-1\r\n", h.Run("BITPOS", "nokey", "1"));
        h.Run("SETBIT", "ones", "7", "1");
        h.Run("BITOP", "NOT", "ones", "ones");
        h.Run("BITOP", "NOT", "ones", "ones");
        Assert.Equal(":7\r\n", h.Run("BITPOS", "ones", "1", "0", "-1", "BIT"));
    }

    [Fact]
    public void Bitfield_overflow_modes()
    {
        var h = new EngineHarness();
        Assert.Equal("*1\r\n:0\r\n", h.Run("BITFIELD", "b", "SET", "u8", "0", "250"));
        Assert.Equal("*3\r\n:4\r\n:255\r\n$-1\r\n",
            h.Run("BITFIELD", "b", "INCRBY", "u8", "0", "10", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "1000", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1"));
        Assert.Equal("*1\r\n:-1\r\n", h.Run("BITFIELD_RO", "b", "GET", "i8", "0"));
        Assert.Equal("-ERR BITFIELD_RO only supports the GET subcommand\r\n", h.Run("BITFIELD_RO", "b", "SET", "u8", "0", "1"));
        Assert.Equal("*1\r\n:127\r\n", h.Run("BITFIELD", "b", "OVERFLOW", "WRAP", "INCRBY", "i8", "#0", "-128"));
    }

    [Fact]
    public void Only_changing_bit_writes_propagate()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("SETBIT", "k", "3", "1");
        h.Run("SETBIT", "k", "3", "1");     // no change
        h.Run("BITFIELD", "k", "GET", "u4", "0");
        h.Run("BITFIELD", "k", "SET", "u4", "0", "5");
        Assert.Equal(2, log.Commands.Count);
    }
}
