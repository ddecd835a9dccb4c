// Set family (Redis's "set" group).
namespace RedisPanel.Engine.Commands;

public static class SetCommands
{
    public static void Register(CommandTable t)
    {
    }
}
