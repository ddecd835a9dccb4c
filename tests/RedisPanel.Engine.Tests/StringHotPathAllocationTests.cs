using RedisPanel.Protocol;

namespace RedisPanel.Engine.Tests;

/// <summary>GET/SET/INCR are benchmarked against Redis: their handlers must not allocate beyond the stored value.</summary>
public class StringHotPathAllocationTests
{
    private static long AllocatedPerCall(EngineHarness h, byte[][] args, int calls)
    {
        var list = new ArgList();
        list.Reset(args);
        lock (h.Engine.SyncRoot)
        {
            for (int i = 0; i < 200; i++) Drain(h, list); // warm up: JIT, buffers, table growth
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) Drain(h, list);
            return (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
        }
    }

    private static void Drain(EngineHarness h, ArgList list)
    {
        h.Engine.Execute(h.Client, list);
        var buf = h.Client.TakeOutput();
        if (buf is not null) h.Client.ReturnOutput(buf);
    }

    private static byte[][] Args(params string[] a) => a.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

    [Fact]
    public void Get_allocates_nothing()
    {
        var h = new EngineHarness();
        h.Run("SET", "key", "value");
        Assert.Equal(0, AllocatedPerCall(h, Args("GET", "key"), 1000));
        Assert.Equal(0, AllocatedPerCall(h, Args("GET", "missing"), 1000));
    }

    [Fact]
    public void Set_allocates_only_the_stored_value()
    {
        var h = new EngineHarness();
        // A 5-byte array is 32 bytes on x64; allow nothing else.
        Assert.True(AllocatedPerCall(h, Args("SET", "key", "value"), 1000) <= 32);
    }

    [Fact]
    public void Incr_allocates_only_the_stored_value()
    {
        var h = new EngineHarness();
        Assert.True(AllocatedPerCall(h, Args("INCR", "counter"), 1000) <= 32);
    }
}
