// Engine state shared by the collection families: the blocked-clients registry (BLPOP, BLMOVE, BZPOPMIN ...)
// and the compact-encoding thresholds of hashes and sets.
using RedisPanel.Engine.Blocking;
using RedisPanel.Storage;

namespace RedisPanel.Engine;

public sealed partial class RedisEngine
{
    private BlockingRegistry? _blocking;
    private int _callDepth;

    /// <summary>Clients blocked on keys. Created on first use, so a node where nobody blocks pays nothing.</summary>
    public BlockingRegistry Blocking => _blocking ??= new BlockingRegistry(this);

    /// <summary>The registry if anybody ever blocked on this node, else null (lets SWAPDB and INFO skip creating it).</summary>
    public BlockingRegistry? BlockingIfCreated => _blocking;

    /// <summary>hash-max-listpack-*, set-max-intset-entries, zset-max-listpack-* of this node (its config's, live).</summary>
    public EncodingLimits EncodingLimits => Config.EncodingLimits;

    /// <summary>Nesting of <see cref="Call"/>: 1 inside a client's command, 2+ inside EXEC/scripts.</summary>
    public int CallDepth => _callDepth;

    /// <summary>After the outermost command: serve clients blocked on keys it made ready (Redis does this after
    /// call() in processCommand, so the served pops propagate after the write that fed them).</summary>
    private void AfterOutermostCall()
    {
        if (_blocking is { HasReadyKeys: true } b) b.ServeReadyKeys();
    }
}
