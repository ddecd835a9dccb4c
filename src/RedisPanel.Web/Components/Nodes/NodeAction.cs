namespace RedisPanel.Web.Components.Nodes;

/// <summary>What a node card's buttons ask for; the node list turns it into a call on the topology door.</summary>
public enum NodeAction
{
    Start,
    Stop,
    Restart,
    Remove,
}
