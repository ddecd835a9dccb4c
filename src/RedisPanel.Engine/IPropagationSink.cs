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

    /// <summary>
    /// False while <see cref="Propagate"/> would drop what it is given (a master with no replication backlog yet:
    /// Redis 7.0 keeps no stream until the first replica). When no sink listens, the engine does not even
    /// serialise the command (a 1 KB SET copied for nobody was 3 % of the node's CPU).
    /// </summary>
    bool IsListening => true;
}
