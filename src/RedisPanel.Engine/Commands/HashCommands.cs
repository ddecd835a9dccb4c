// Hash family (Redis's "hash" group).
namespace RedisPanel.Engine.Commands;

public static class HashCommands
{
    public static void Register(CommandTable t)
    {
    }
}
