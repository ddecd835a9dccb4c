// Periodic work of the engine (Redis's serverCron) and client bookkeeping.
using System.Diagnostics;

namespace RedisPanel.Engine;

public sealed partial class RedisEngine
{
    /// <summary>Raised (under the lock) when a client goes away, so families can drop its state (watches, subscriptions).</summary>
    public event Action<ClientSession>? ClientClosed;

    /// <summary>Raised (under the lock) on every cron tick, for families with periodic work (blocked timeouts, save points).</summary>
    public event Action? CronTick;

    /// <summary>One tick of the server cron; takes the lock itself.</summary>
    public void Cron()
    {
        lock (SyncRoot)
        {
            ActiveExpireCycle(TimeSpan.FromMilliseconds(25));
            CheckPauseExpired();
            Stats.Sample(Stopwatch.GetTimestamp(), Stopwatch.Frequency);
            if (Config.Timeout > 0) CloseIdleClients();
            CronTick?.Invoke();
        }
    }

    /// <summary>Forgets a disconnected client (caller holds the lock).</summary>
    public void OnClientClosed(ClientSession client)
    {
        Clients.Remove(client.Id);
        Monitors.Remove(client);
        ClientClosed?.Invoke(client);
    }

    private void CloseIdleClients()
    {
        long now = Keyspace.NowMs;
        foreach (var c in Clients.Values)
        {
            if (c.Has(ClientFlags.Replica) || c.Has(ClientFlags.Master) || c.Has(ClientFlags.Blocked) || c.Has(ClientFlags.PubSub)) continue;
            if (now - c.LastInteractionMs > Config.Timeout * 1000L) c.RequestClose();
        }
    }
}
