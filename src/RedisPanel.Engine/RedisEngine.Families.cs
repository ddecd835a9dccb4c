// Wires the command families' per-client and per-server state into the engine's generic hooks
// (RESET, CLIENT LIST, INFO), so the dispatcher and the server family need not know each family.
using RedisPanel.Engine.Commands;

namespace RedisPanel.Engine;

public sealed partial class RedisEngine
{
    private void WireFamilies()
    {
        SubscriptionCounts = PubSubCommands.SubscriptionCounts;
        PubSubCounts = () => PubSubCommands.ServerCounts(this);
        CronTick += PersistenceCron;
        CronTick += AofCron;
        ClientReset += c =>
        {
            TransactionCommands.DiscardTransaction(this, c);
            PubSubCommands.UnsubscribeAll(this, c);
        };
    }
}
