namespace RedisPanel.Engine;

/// <summary>
/// Receives every write command in execution order, as the RESP multibulk bytes of the (possibly rewritten)
/// command, with the database it applies to. Implemented by the replication backlog and the AOF writer.
/// Called under the node's ordering lock; implementations must not block.
/// </summary>
public interface IPropagationSink
{
    /// <summary><paramref name="command"/> is valid only during the call.</summary>
    void Propagate(int db, ReadOnlySpan<byte> command);
}
