using RedisPanel.Node;
using RedisPanel.Web.Topology;
using static RedisPanel.Web.Tests.Infrastructure.FakeTopologyClient;
using RedisPanel.Web.Tests.Infrastructure;

namespace RedisPanel.Web.Tests.Components.Topology;

/// <summary>
/// A small topology with real-looking INFO replication: 6379 is a master at offset 5000 (history A, backlog
/// 1..5000) with replicas 6380 (caught up) and 6381 (at 4000); 6382 replicates from 6381 (a chain); 6383 is a
/// separate master with history B and 7 keys; 6384 is stopped.
/// </summary>
internal static class Scenario
{
    public static readonly string IdA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    public static readonly string IdB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    public static NodeViewModel Master => Replicating("6379", 6379, MasterRepl(IdA, 5000, replicas:
        [new ReplicaEntry("127.0.0.1", 6380, "online", 5000, 0), new ReplicaEntry("127.0.0.1", 6381, "online", 4000, 1)]), keys: 1234);

    public static NodeViewModel Caught => Replicating("6380", 6380, ReplicaRepl(IdA, 6379, 5000), keys: 1234);

    public static NodeViewModel Behind => Replicating("6381", 6381, ReplicaRepl(IdA, 6379, 4000) with
    {
        Replicas = new ValueList<ReplicaEntry>([new ReplicaEntry("127.0.0.1", 6382, "online", 3900, 2)]),
    }, keys: 1200);

    public static NodeViewModel Chained => Replicating("6382", 6382, ReplicaRepl(IdA, 6381, 3900), keys: 1199);

    public static NodeViewModel Other => Replicating("6383", 6383, MasterRepl(IdB, 800), keys: 7);

    public static NodeViewModel Stopped => FakeTopologyClient.Node("6384", NodeState.Stopped, port: 6384);

    public static NodeViewModel[] All => [Master, Caught, Behind, Chained, Other, Stopped];
}
