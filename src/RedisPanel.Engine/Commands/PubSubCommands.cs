// PubSub family (Redis's "pubsub" group).
namespace RedisPanel.Engine.Commands;

public static class PubSubCommands
{
    public static void Register(CommandTable t)
    {
    }
}
