// CONFIG GET/SET/RESETSTAT/REWRITE (Redis's src/config.c), on top of Config/ConfigRegistry.
namespace RedisPanel.Engine.Commands;

public static class ConfigCommands
{
    public static void Register(CommandTable t)
    {
    }
}
