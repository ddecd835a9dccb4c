// Transaction family (Redis's "transactions" group).
namespace RedisPanel.Engine.Commands;

public static class TransactionCommands
{
    public static void Register(CommandTable t)
    {
    }
}
