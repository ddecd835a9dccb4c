// SortedSet family (Redis's "sorted_set" group).
namespace RedisPanel.Engine.Commands;

public static class SortedSetCommands
{
    public static void Register(CommandTable t)
    {
    }
}
