namespace RedisPanel.Engine.Tests.Collections;

public class ListCommandsTests
{
    [Fact]
    public void Push_pop_and_ranges_reply_exact_bytes()
    {
        var h = new EngineHarness();
        Assert.Equal(":3\r\n", h.Run("RPUSH", "l", "a", "b", "c"));
        Assert.Equal(":4\r\n", h.Run("LPUSH", "l", "z"));
        Assert.Equal("*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", h.Run("LRANGE", "l", "0", "-1"));
        Assert.Equal("*2\r\n$1\r\nc\r\n$1\r\nb\r\n", h.Run("RPOP", "l", "2"));
        Assert.Equal("$1\r\nz\r\n", h.Run("LPOP", "l"));
        Assert.Equal("$1\r\na\r\n", h.Run("LINDEX", "l", "-1"));
        Assert.Equal("-ERR value is out of range, must be positive\r\n", h.Run("LPOP", "l", "-1"));
        Assert.Equal("$1\r\na\r\n", h.Run("LPOP", "l"));
        Assert.Equal(":0\r\n", h.Run("EXISTS", "l"));
        Assert.Equal("*-1\r\n", h.Run("LPOP", "l", "1"));
    }

    [Fact]
    public void Ring_buffer_survives_wraparound_inserts_and_removals()
    {
        var h = new EngineHarness();
        var model = new List<string>();
        var rnd = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            string v = rnd.Next(20).ToString();
            switch (rnd.Next(6))
            {
                case 0: h.Run("LPUSH", "l", v); model.Insert(0, v); break;
                case 1: h.Run("RPUSH", "l", v); model.Add(v); break;
                case 2: if (model.Count > 0) { h.Run("LPOP", "l"); model.RemoveAt(0); } break;
                case 3: if (model.Count > 0) { h.Run("RPOP", "l"); model.RemoveAt(model.Count - 1); } break;
                case 4:
                    h.Run("LREM", "l", "1", v);
                    int idx = model.IndexOf(v);
                    if (idx >= 0) model.RemoveAt(idx);
                    break;
                case 5:
                    if (h.Run("LINSERT", "l", "BEFORE", v, "ins") != ":-1\r\n" && model.IndexOf(v) is int at and >= 0) model.Insert(at, "ins");
                    break;
            }
        }
        string expected = $"*{model.Count}\r\n" + string.Concat(model.Select(m => $"${m.Length}\r\n{m}\r\n"));
        Assert.Equal(model.Count == 0 ? "*0\r\n" : expected, h.Run("LRANGE", "l", "0", "-1"));
    }

    [Fact]
    public void Lmove_and_lmpop_propagate_as_redis_does()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("RPUSH", "a", "1", "2", "3");
        Assert.Equal("*2\r\n$1\r\na\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n", h.Run("LMPOP", "1", "a", "LEFT", "COUNT", "2"));
        Assert.Equal("*3\r\n$4\r\nLPOP\r\n$1\r\na\r\n$1\r\n2\r\n", log.Commands[^1].Command);
        Assert.Equal("$1\r\n3\r\n", h.Run("BLMOVE", "a", "b", "LEFT", "RIGHT", "0"));
        Assert.Equal("*5\r\n$5\r\nLMOVE\r\n$1\r\na\r\n$1\r\nb\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n", log.Commands[^1].Command);
        Assert.Equal(Pair("b", "3"), h.Run("BRPOP", "b", "0"));
        Assert.Equal("*2\r\n$4\r\nRPOP\r\n$1\r\nb\r\n", log.Commands[^1].Command);
        int before = log.Commands.Count;
        h.Run("LPOP", "nokey");
        Assert.Equal(before, log.Commands.Count);
    }

    private static string Pair(string k, string v) => $"*2\r\n${k.Length}\r\n{k}\r\n${v.Length}\r\n{v}\r\n";

    [Fact]
    public void Wrong_type_is_refused_everywhere()
    {
        var h = new EngineHarness();
        h.Run("SET", "s", "v");
        const string wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        foreach (var cmd in new[] { "LPUSH s a", "LLEN s", "LRANGE s 0 1", "LPOS s a", "BLPOP s 0", "LMPOP 1 s LEFT", "LINSERT s BEFORE a b" })
            Assert.Equal(wt, h.Run(cmd.Split(' ')));
    }
}
