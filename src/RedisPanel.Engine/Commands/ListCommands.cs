// List family (Redis's "list" group).
namespace RedisPanel.Engine.Commands;

public static class ListCommands
{
    public static void Register(CommandTable t)
    {
    }
}
