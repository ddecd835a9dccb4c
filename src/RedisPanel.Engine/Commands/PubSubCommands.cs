// Pub/Sub (Redis's "pubsub" group, src/pubsub.c of 7.0): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
// PUBLISH, PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB|HELP. Subscriptions live in a per-engine
// registry (channel → clients in subscription order, pattern → clients) plus a per-client extension. Messages
// go straight into the receiving client's reply buffer under the node lock, then its connection is woken
// (NotifyOutput). RESP2 clients get arrays, RESP3 clients push frames.
using System.Runtime.CompilerServices;
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static class PubSubCommands
{
    private const string Group = "pubsub";

    public static void Register(CommandTable t)
    {
        const CommandFlags sub = CommandFlags.PubSub | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.PubSubContext;
        t.Add("subscribe", -2, sub, Subscribe, group: Group);
        t.Add("unsubscribe", -1, sub, Unsubscribe, group: Group);
        t.Add("psubscribe", -2, sub, PSubscribe, group: Group);
        t.Add("punsubscribe", -1, sub, PUnsubscribe, group: Group);
        t.Add("publish", 3, CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast | CommandFlags.MayReplicate, Publish, group: Group);
        var pubsub = t.AddContainer("pubsub", -2, CommandFlags.None, Group);
        const CommandFlags info = CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale;
        t.AddSub(pubsub, "channels", -2, info, Channels);
        t.AddSub(pubsub, "numsub", -2, info, NumSub);
        t.AddSub(pubsub, "numpat", 2, info, NumPat);
        t.AddSub(pubsub, "shardchannels", -2, info, ShardChannels);
        t.AddSub(pubsub, "shardnumsub", -2, info, ShardNumSub);
        t.AddSub(pubsub, "help", 2, CommandFlags.Loading | CommandFlags.Stale, Help);
    }

    // ---- state ----

    /// <summary>A client's subscriptions, in the order they were made.</summary>
    private sealed class ClientSubscriptions
    {
        public readonly List<byte[]> Channels = new();
        public readonly KeyTable<byte> ChannelSet = new();
        public readonly List<byte[]> Patterns = new();
        public int Count => Channels.Count + Patterns.Count;
    }

    private sealed class Registry
    {
        public readonly KeyTable<List<ClientSession>> Channels = new();
        public readonly KeyTable<List<ClientSession>> Patterns = new();

        public Registry(RedisEngine engine) => engine.ClientClosed += Forget;

        private void Forget(ClientSession client)
        {
            var subs = client.FindExtension<ClientSubscriptions>();
            if (subs is null) return;
            foreach (var ch in subs.Channels.ToArray()) RemoveChannel(this, client, subs, ch);
            foreach (var p in subs.Patterns.ToArray()) RemovePattern(this, client, subs, p);
        }
    }

    private static readonly ConditionalWeakTable<RedisEngine, Registry> Registries = new();

    private static Registry RegistryOf(RedisEngine engine) => Registries.GetValue(engine, e => new Registry(e));

    /// <summary>Number of channel + pattern subscriptions of a client (CLIENT LIST's sub= and psub= use the parts).</summary>
    public static (int Channels, int Patterns) SubscriptionCounts(ClientSession client)
    {
        var subs = client.FindExtension<ClientSubscriptions>();
        return subs is null ? (0, 0) : (subs.Channels.Count, subs.Patterns.Count);
    }

    /// <summary>Channels and patterns that have at least one subscriber (INFO stats pubsub_channels/pubsub_patterns).</summary>
    public static (long Channels, long Patterns) ServerCounts(RedisEngine engine) =>
        Registries.TryGetValue(engine, out var reg) ? (reg.Channels.Count, reg.Patterns.Count) : (0, 0);

    /// <summary>
    /// Drops every subscription of a client without replies (RESET, and what disconnect does), clearing
    /// ClientFlags.PubSub. Call under the node lock.
    /// </summary>
    public static void UnsubscribeAll(RedisEngine engine, ClientSession client)
    {
        var subs = client.FindExtension<ClientSubscriptions>();
        if (subs is not null && Registries.TryGetValue(engine, out var reg))
        {
            foreach (var ch in subs.Channels.ToArray()) RemoveChannel(reg, client, subs, ch);
            foreach (var p in subs.Patterns.ToArray()) RemovePattern(reg, client, subs, p);
        }
        client.Flags &= ~ClientFlags.PubSub;
    }

    // ---- replies ----

    private static void WriteSubscriptionReply(RespWriter w, ReadOnlySpan<byte> kind, ReadOnlySpan<byte> name, bool nullName, long count)
    {
        if (w.IsResp3) w.PushHeader(3);
        else w.ArrayHeader(3);
        w.Bulk(kind);
        if (nullName) w.Null();
        else w.Bulk(name);
        w.Integer(count);
    }

    // ---- SUBSCRIBE / UNSUBSCRIBE ----

    private static void Subscribe(CommandContext ctx)
    {
        var reg = RegistryOf(ctx.Engine);
        var client = ctx.Client;
        var subs = client.GetExtension<ClientSubscriptions>();
        for (int j = 1; j < ctx.Args.Count; j++)
        {
            var channel = ctx.Args[j];
            subs.ChannelSet.GetOrAdd(channel, out bool already);
            if (!already)
            {
                var stored = subs.ChannelSet.GetStoredKey(channel)!;
                subs.Channels.Add(stored);
                ref var list = ref reg.Channels.GetOrAdd(channel, out bool exists, stored);
                if (!exists) list = new List<ClientSession>();
                list.Add(client);
            }
            WriteSubscriptionReply(ctx.Reply, "subscribe"u8, channel, false, subs.Count);
        }
        client.Flags |= ClientFlags.PubSub;
    }

    private static void Unsubscribe(CommandContext ctx)
    {
        var client = ctx.Client;
        var subs = client.FindExtension<ClientSubscriptions>();
        Registries.TryGetValue(ctx.Engine, out var reg);
        if (ctx.Args.Count == 1)
        {
            int removed = 0;
            if (subs is not null && reg is not null)
                foreach (var ch in subs.Channels.ToArray())
                {
                    RemoveChannel(reg, client, subs, ch);
                    removed++;
                    WriteSubscriptionReply(ctx.Reply, "unsubscribe"u8, ch, false, subs.Count);
                }
            if (removed == 0) WriteSubscriptionReply(ctx.Reply, "unsubscribe"u8, default, true, subs?.Count ?? 0);
        }
        else
        {
            for (int j = 1; j < ctx.Args.Count; j++)
            {
                var channel = ctx.Args[j];
                if (subs is not null && reg is not null && subs.ChannelSet.ContainsKey(channel))
                    RemoveChannel(reg, client, subs, subs.ChannelSet.GetStoredKey(channel)!);
                WriteSubscriptionReply(ctx.Reply, "unsubscribe"u8, channel, false, subs?.Count ?? 0);
            }
        }
        if ((subs?.Count ?? 0) == 0) client.Flags &= ~ClientFlags.PubSub;
    }

    private static void RemoveChannel(Registry reg, ClientSession client, ClientSubscriptions subs, byte[] channel)
    {
        subs.ChannelSet.Remove(channel);
        subs.Channels.Remove(channel);
        ref var list = ref reg.Channels.Find(channel);
        if (Unsafe.IsNullRef(ref list)) return;
        list.Remove(client);
        // Drop empty channels so PUBSUB CHANNELS and memory do not grow with dead names (as Redis).
        if (list.Count == 0) reg.Channels.Remove(channel);
    }

    // ---- PSUBSCRIBE / PUNSUBSCRIBE ----

    private static void PSubscribe(CommandContext ctx)
    {
        var reg = RegistryOf(ctx.Engine);
        var client = ctx.Client;
        var subs = client.GetExtension<ClientSubscriptions>();
        for (int j = 1; j < ctx.Args.Count; j++)
        {
            var pattern = ctx.Args[j];
            if (IndexOf(subs.Patterns, pattern) < 0)
            {
                var stored = pattern.ToArray();
                subs.Patterns.Add(stored);
                ref var list = ref reg.Patterns.GetOrAdd(pattern, out bool exists, stored);
                if (!exists) list = new List<ClientSession>();
                list.Add(client);
            }
            WriteSubscriptionReply(ctx.Reply, "psubscribe"u8, pattern, false, subs.Count);
        }
        client.Flags |= ClientFlags.PubSub;
    }

    private static void PUnsubscribe(CommandContext ctx)
    {
        var client = ctx.Client;
        var subs = client.FindExtension<ClientSubscriptions>();
        Registries.TryGetValue(ctx.Engine, out var reg);
        if (ctx.Args.Count == 1)
        {
            int removed = 0;
            if (subs is not null && reg is not null)
                foreach (var p in subs.Patterns.ToArray())
                {
                    RemovePattern(reg, client, subs, p);
                    removed++;
                    WriteSubscriptionReply(ctx.Reply, "punsubscribe"u8, p, false, subs.Count);
                }
            if (removed == 0) WriteSubscriptionReply(ctx.Reply, "punsubscribe"u8, default, true, subs?.Count ?? 0);
        }
        else
        {
            for (int j = 1; j < ctx.Args.Count; j++)
            {
                var pattern = ctx.Args[j];
                int at = subs is null ? -1 : IndexOf(subs.Patterns, pattern);
                if (at >= 0 && reg is not null) RemovePattern(reg, client, subs!, subs!.Patterns[at]);
                WriteSubscriptionReply(ctx.Reply, "punsubscribe"u8, pattern, false, subs?.Count ?? 0);
            }
        }
        if ((subs?.Count ?? 0) == 0) client.Flags &= ~ClientFlags.PubSub;
    }

    private static void RemovePattern(Registry reg, ClientSession client, ClientSubscriptions subs, byte[] pattern)
    {
        subs.Patterns.Remove(pattern);
        ref var list = ref reg.Patterns.Find(pattern);
        if (Unsafe.IsNullRef(ref list)) return;
        list.Remove(client);
        if (list.Count == 0) reg.Patterns.Remove(pattern);
    }

    private static int IndexOf(List<byte[]> items, ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < items.Count; i++)
            if (value.SequenceEqual(items[i])) return i;
        return -1;
    }

    // ---- PUBLISH ----

    /// <summary>
    /// Delivers a message to every subscriber of <paramref name="channel"/> and every matching pattern subscriber;
    /// returns the number of receivers (a client counted once per matching subscription, as Redis). Call under the
    /// node lock. <paramref name="publisher"/> (may be null) is not woken: its own reply follows in the same flush.
    /// </summary>
    public static long PublishMessage(RedisEngine engine, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message, ClientSession? publisher = null)
    {
        if (!Registries.TryGetValue(engine, out var reg)) return 0;
        long receivers = 0;
        ref var list = ref reg.Channels.Find(channel);
        if (!Unsafe.IsNullRef(ref list))
        {
            foreach (var target in list)
            {
                var w = target.Writer;
                if (w.IsResp3) w.PushHeader(3);
                else w.ArrayHeader(3);
                w.Bulk("message"u8);
                w.Bulk(channel);
                w.Bulk(message);
                if (target != publisher) target.NotifyOutput();
                receivers++;
            }
        }
        if (reg.Patterns.Count > 0)
        {
            foreach (var (pattern, clients) in reg.Patterns.Entries())
            {
                if (!GlobMatcher.IsMatch(pattern, channel)) continue;
                foreach (var target in clients)
                {
                    var w = target.Writer;
                    if (w.IsResp3) w.PushHeader(4);
                    else w.ArrayHeader(4);
                    w.Bulk("pmessage"u8);
                    w.Bulk(pattern);
                    w.Bulk(channel);
                    w.Bulk(message);
                    if (target != publisher) target.NotifyOutput();
                    receivers++;
                }
            }
        }
        return receivers;
    }

    private static void Publish(CommandContext ctx)
    {
        long receivers = PublishMessage(ctx.Engine, ctx.Args[1], ctx.Args[2], ctx.Client);
        // Redis forces PUBLISH into the replication stream (forceCommandPropagation) so subscribers of replicas
        // see it too. Our sinks have no REPL/AOF split, so the AOF receives it as well.
        ctx.PropagateAs(ctx.Args.ToArrays());
        ctx.Reply.Integer(receivers);
    }

    // ---- PUBSUB ----

    private static void Channels(CommandContext ctx)
    {
        if (ctx.Args.Count > 3)
        {
            SubcommandSyntaxError(ctx);
            return;
        }
        var matches = new List<byte[]>();
        if (Registries.TryGetValue(ctx.Engine, out var reg))
            foreach (var (channel, _) in reg.Channels.Entries())
                if (ctx.Args.Count == 2 || GlobMatcher.IsMatch(ctx.Args[2], channel)) matches.Add(channel);
        ctx.Reply.ArrayHeader(matches.Count);
        foreach (var m in matches) ctx.Reply.Bulk(m);
    }

    private static void NumSub(CommandContext ctx)
    {
        Registries.TryGetValue(ctx.Engine, out var reg);
        ctx.Reply.ArrayHeader((ctx.Args.Count - 2) * 2L);
        for (int j = 2; j < ctx.Args.Count; j++)
        {
            ctx.Reply.Bulk(ctx.Args[j]);
            long n = 0;
            if (reg is not null)
            {
                ref var list = ref reg.Channels.Find(ctx.Args[j]);
                if (!Unsafe.IsNullRef(ref list)) n = list.Count;
            }
            ctx.Reply.Integer(n);
        }
    }

    private static void NumPat(CommandContext ctx) =>
        ctx.Reply.Integer(Registries.TryGetValue(ctx.Engine, out var reg) ? reg.Patterns.Count : 0);

    // Shard channels (SSUBSCRIBE) are cluster-mode features this node does not offer: always empty.
    private static void ShardChannels(CommandContext ctx)
    {
        if (ctx.Args.Count > 3)
        {
            SubcommandSyntaxError(ctx);
            return;
        }
        ctx.Reply.ArrayHeader(0);
    }

    private static void ShardNumSub(CommandContext ctx)
    {
        ctx.Reply.ArrayHeader((ctx.Args.Count - 2) * 2L);
        for (int j = 2; j < ctx.Args.Count; j++)
        {
            ctx.Reply.Bulk(ctx.Args[j]);
            ctx.Reply.Integer(0);
        }
    }

    private static void Help(CommandContext ctx)
    {
        string[] lines =
        [
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
            "HELP",
            "    Prints this help.",
        ];
        ctx.Reply.ArrayHeader(lines.Length);
        foreach (var l in lines) ctx.Reply.SimpleString(l);
    }

    /// <summary>Redis's addReplySubcommandSyntaxError.</summary>
    private static void SubcommandSyntaxError(CommandContext ctx)
    {
        string sub = ctx.Args.GetString(1);
        if (sub.Length > 128) sub = sub[..128];
        ctx.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {ctx.Args.GetString(0).ToUpperInvariant()} HELP.");
    }
}
