// ZUNION / ZINTER / ZDIFF, their STORE forms and ZINTERCARD: one core, as Redis's zunionInterDiffGenericCommand.
// Inputs may be sorted sets or plain sets (score 1); WEIGHTS multiply, AGGREGATE SUM|MIN|MAX combines, and a
// NaN produced by inf*0 or inf-inf counts as 0, as in Redis.
using RedisPanel.Protocol;
using RedisPanel.Storage;

namespace RedisPanel.Engine.Commands;

public static partial class SortedSetCommands
{
    private enum SetOp { Union, Inter, Diff }

    private enum Aggregate { Sum, Min, Max }

    private sealed class OpSource
    {
        public RedisSortedSet? Zset;
        public IPlainSetMembers? Set;
        public object? Identity;
        public double Weight = 1;
        public long Count => Zset?.Count ?? Set?.Count ?? 0;

        public bool TryFind(ReadOnlySpan<byte> member, out double score)
        {
            if (Zset is not null) return Zset.TryGetScore(member, out score);
            score = 1;
            return Set is not null && Set.Contains(member);
        }

        public IEnumerable<(byte[] Member, double Score)> Elements()
        {
            if (Zset is not null)
                for (var n = Zset.First; n is not null; n = n.Next) yield return (n.Member, n.Score);
            else if (Set is not null)
                foreach (var m in Set.EnumerateMembers()) yield return (m, 1.0);
        }
    }

    private static void SetOpCore(CommandContext ctx, SetOp op, bool destination, bool cardinalityOnly)
    {
        var args = ctx.Args;
        var reply = ctx.Reply;
        int numKeysIdx = destination ? 2 : 1;
        if (!ctx.TryGetLong(numKeysIdx, out long setnum)) return;
        if (setnum < 1)
        {
            reply.Error($"ERR at least 1 input key is needed for '{ctx.Command.FullName}' command");
            return;
        }
        if (setnum > args.Count - (numKeysIdx + 1))
        {
            reply.Error(Errors.Syntax);
            return;
        }
        var src = new OpSource[setnum];
        int j = numKeysIdx + 1;
        for (int i = 0; i < setnum; i++, j++)
        {
            var source = new OpSource();
            var value = ctx.Db.Get(args[j]);
            if (value is not null)
            {
                ctx.Engine.Stats.KeyspaceHits++;
                if (value is RedisSortedSet z) source.Zset = z;
                else if (value is IPlainSetMembers s) source.Set = s;
                else
                {
                    reply.Error(Errors.WrongType);
                    return;
                }
                source.Identity = value;
            }
            else ctx.Engine.Stats.KeyspaceMisses++;
            src[i] = source;
        }
        var aggregate = Aggregate.Sum;
        bool withScores = false;
        long limit = 0;
        while (j < args.Count)
        {
            int remaining = args.Count - j;
            if (op != SetOp.Diff && !cardinalityOnly && remaining >= setnum + 1 && args.Is(j, "weights"))
            {
                j++;
                for (int i = 0; i < setnum; i++, j++)
                {
                    if (!RedisDouble.TryParse(args[j], out src[i].Weight))
                    {
                        reply.Error("ERR weight value is not a float");
                        return;
                    }
                }
            }
            else if (op != SetOp.Diff && !cardinalityOnly && remaining >= 2 && args.Is(j, "aggregate"))
            {
                j++;
                if (args.Is(j, "sum")) aggregate = Aggregate.Sum;
                else if (args.Is(j, "min")) aggregate = Aggregate.Min;
                else if (args.Is(j, "max")) aggregate = Aggregate.Max;
                else
                {
                    reply.Error(Errors.Syntax);
                    return;
                }
                j++;
            }
            else if (!destination && !cardinalityOnly && args.Is(j, "withscores"))
            {
                j++;
                withScores = true;
            }
            else if (cardinalityOnly && remaining >= 2 && args.Is(j, "limit"))
            {
                if (!RespParser.TryParseLong(args[j + 1], out limit) || limit < 0)
                {
                    reply.Error("ERR LIMIT can't be negative");
                    return;
                }
                j += 2;
            }
            else
            {
                reply.Error(Errors.Syntax);
                return;
            }
        }
        // Smallest input first (Redis sorts by cardinality for every operation but DIFF).
        if (op != SetOp.Diff) Array.Sort(src.Select(s => s.Count).ToArray(), src);

        var result = new RedisSortedSet(ctx.Engine.EncodingLimits, skiplist: true);
        long cardinality = 0;
        switch (op)
        {
            case SetOp.Inter:
                if (src[0].Count == 0) break;
                foreach (var (member, s0) in src[0].Elements())
                {
                    double score = src[0].Weight * s0;
                    if (double.IsNaN(score)) score = 0;
                    int i = 1;
                    for (; i < src.Length; i++)
                    {
                        double value;
                        if (src[i].Identity == src[0].Identity) value = s0;
                        else if (!src[i].TryFind(member, out value)) break;
                        Combine(ref score, value * src[i].Weight, aggregate);
                    }
                    if (i != src.Length) continue;
                    if (cardinalityOnly)
                    {
                        cardinality++;
                        if (limit != 0 && cardinality >= limit) break;
                    }
                    else result.Insert(member, score);
                }
                break;
            case SetOp.Union:
                var acc = new KeyTable<double>();
                foreach (var source in src)
                {
                    if (source.Count == 0) continue;
                    foreach (var (member, s) in source.Elements())
                    {
                        double score = source.Weight * s;
                        if (double.IsNaN(score)) score = 0;
                        ref double slot = ref acc.GetOrAdd(member, out bool exists, member);
                        if (!exists) slot = score;
                        else Combine(ref slot, score, aggregate);
                    }
                }
                foreach (var (member, score) in acc.Entries()) result.Insert(member, score);
                break;
            case SetOp.Diff:
                if (src[0].Count == 0) break;
                foreach (var (member, s0) in src[0].Elements())
                {
                    bool inOther = false;
                    for (int i = 1; i < src.Length && !inOther; i++)
                        inOther = src[i].Identity == src[0].Identity || src[i].TryFind(member, out _);
                    if (!inOther) result.Insert(member, s0);
                }
                break;
        }

        if (destination)
        {
            var dst = args[1];
            if (result.Count > 0)
            {
                result.ConvertToListpackIfSmall();
                ctx.Db.Set(dst, result);
                reply.Integer(result.Count);
                ctx.MarkDirty();
            }
            else
            {
                reply.Integer(0);
                if (ctx.Db.Remove(dst)) ctx.MarkDirty();
            }
            return;
        }
        if (cardinalityOnly)
        {
            reply.Integer(cardinality);
            return;
        }
        bool nested = withScores && reply.IsResp3;
        reply.ArrayHeader(withScores && !reply.IsResp3 ? result.Count * 2 : result.Count);
        for (var n = result.First; n is not null; n = n.Next) EmitMember(reply, n.Member, n.Score, withScores, nested);
    }

    private static void Combine(ref double target, double value, Aggregate aggregate)
    {
        switch (aggregate)
        {
            case Aggregate.Sum:
                target += value;
                // inf + -inf: Redis resets NaN to 0.
                if (double.IsNaN(target)) target = 0;
                break;
            case Aggregate.Min:
                target = value < target ? value : target;
                break;
            default:
                target = value > target ? value : target;
                break;
        }
    }
}
