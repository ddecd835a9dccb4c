namespace RedisPanel.Web.Components.Nodes;

/// <summary>What a node card's buttons and menu ask for; the topology view turns it into a call on the topology door.</summary>
public enum NodeAction
{
    Start,
    Stop,
    Restart,
    Remove,
    /// <summary>Opens the "Replicate from…" dialog (the keyboard path of drag and drop).</summary>
    ReplicateFrom,
    Promote,
    Switchover,
    Detach,
    CutLink,
}
