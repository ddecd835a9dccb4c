namespace RedisPanel.Node;

public enum NodeState
{
    Stopped,
    Starting,
    Running,
    Stopping,
    /// <summary>The node could not start (port in use, bad config ...); <see cref="RedisNode.FailureReason"/> says why.</summary>
    Failed,
}
