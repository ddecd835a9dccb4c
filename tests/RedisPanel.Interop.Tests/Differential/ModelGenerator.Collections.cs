// Collection families of the model generator: lists, hashes, sets, sorted sets. Replies whose order Redis does
// not define (hash-table order, random picks) get the check documented in ModelCommand.ReplyCheck; everything
// else is byte for byte. Blocking commands appear with a 10 ms timeout outside MULTI (only this client writes, so
// an empty key always times out the same way) and with timeout 0 inside MULTI (never blocks there).
namespace RedisPanel.Interop.Tests.Differential;

public sealed partial class ModelGenerator
{
    private ModelCommand Lists()
    {
        string k = Key("l");
        switch (_rng.Next(26))
        {
            case 0:
            case 1: return new(["LPUSH", k, .. Enumerable.Range(0, 1 + _rng.Next(3)).Select(_ => V())]);
            case 2:
            case 3: return new(["RPUSH", k, .. Enumerable.Range(0, 1 + _rng.Next(3)).Select(_ => V())]);
            case 4: return new([Pick("LPUSHX", "RPUSHX"), k, V()]);
            case 5: return Chance(50) ? new(["LPOP", k]) : new(["LPOP", k, Pick("0", "1", "2", "5", "-1", "x")]);
            case 6: return Chance(50) ? new(["RPOP", k]) : new(["RPOP", k, Pick("0", "1", "3", "-1")]);
            case 7:
            case 8: return new(["LRANGE", k, Pick(Indexes), Pick(Indexes)]);
            case 9: return new(["LINDEX", k, Pick(Indexes)]);
            case 10: return new(["LSET", k, Pick(Indexes), V()]);
            case 11: return new(["LINSERT", k, Pick("BEFORE", "AFTER", "MIDDLE"), V(), V()]);
            case 12: return new(["LLEN", k]);
            case 13: return new(["LREM", k, Pick("0", "1", "-1", "2", "x"), V()]);
            case 14: return new(["LTRIM", k, Pick(Indexes), Pick(Indexes)]);
            case 15:
            {
                var args = new List<string> { "LPOS", k, V() };
                if (Chance(40)) args.AddRange(["RANK", Pick("1", "2", "-1", "-2", "0", "-9223372036854775808")]);
                if (Chance(40)) args.AddRange(["COUNT", Pick("0", "1", "2", "-1")]);
                if (Chance(30)) args.AddRange(["MAXLEN", Pick("0", "1", "3", "-1")]);
                return new([.. args]);
            }
            case 16:
            case 17: return new(["LMOVE", k, Key("l"), Pick("LEFT", "RIGHT"), Pick("LEFT", "RIGHT", "UP")]);
            case 18: return new(["RPOPLPUSH", k, Key("l")]);
            case 19:
            {
                var args = new List<string> { "LMPOP", Pick("1", "2", "2", "0"), k, Key("l"), Pick("LEFT", "RIGHT") };
                if (args[1] == "1") args.RemoveAt(3);
                if (Chance(50)) args.AddRange(["COUNT", Pick("1", "2", "10", "0")]);
                return new([.. args]);
            }
            case 20:
            case 21: return Pick(BlockingList(_inMulti ? "0" : "0.01"));
            default: return new(["LLEN", k]);
        }
    }

    /// <summary>Blocking list commands with the given timeout.</summary>
    private ModelCommand[] BlockingList(string timeout)
    {
        string a = Key("l"), b = Key("l");
        return
        [
            new(["BLPOP", a, b, timeout]),
            new(["BRPOP", a, timeout]),
            new(["BLMOVE", a, b, Pick("LEFT", "RIGHT"), Pick("LEFT", "RIGHT"), timeout]),
            new(["BRPOPLPUSH", a, b, timeout]),
            new(["BLMPOP", timeout, "2", a, b, Pick("LEFT", "RIGHT"), "COUNT", Pick("1", "3")]),
        ];
    }

    private ModelCommand Hashes()
    {
        string k = Key("h");
        switch (_rng.Next(22))
        {
            case 0:
            case 1:
            case 2: return new(["HSET", k, M(), V(), .. Chance(40) ? [M(), V()] : Array.Empty<string>()]);
            case 3: return new(["HSETNX", k, M(), V()]);
            case 4: return new(["HMSET", k, M(), V()]);
            case 5:
            case 6: return new(["HGET", k, M()]);
            case 7: return new(["HMGET", k, M(), M()]);
            case 8: return new(["HDEL", k, M(), .. Chance(40) ? [M()] : Array.Empty<string>()]);
            case 9: return new(["HLEN", k]);
            case 10: return new(["HEXISTS", k, M()]);
            case 11: return new(["HINCRBY", k, M(), Pick(Integers)]);
            case 12: return new(["HINCRBYFLOAT", k, M(), Pick(Floats)]);
            case 13: return new(["HSTRLEN", k, M()]);
            case 14: return new(["HKEYS", k], ReplyCheck.Sorted);
            case 15: return new(["HVALS", k], ReplyCheck.Sorted);
            case 16:
            case 17: return new(["HGETALL", k], ReplyCheck.SortedPairs);
            case 18:
                return _rng.Next(3) switch
                {
                    0 => new(["HRANDFIELD", k], ReplyCheck.Shape),
                    1 => new(["HRANDFIELD", k, Pick("1", "3", "100", "-3", "0", "x")], ReplyCheck.Shape),
                    _ => new(["HRANDFIELD", k, Pick("2", "100", "-2"), "WITHVALUES"], ReplyCheck.Shape),
                };
            case 19:
                return Chance(50)
                    ? new(["HSCAN", k, "0", "COUNT", "1000"], ReplyCheck.ScanPairs)
                    : new(["HSCAN", k, "0", "MATCH", Pick("*", "a*", "?"), "COUNT", "1000"], ReplyCheck.ScanPairs);
            default: return new(["HGET", k, M()]);
        }
    }

    private ModelCommand Sets()
    {
        string k = Key("t");
        switch (_rng.Next(22))
        {
            case 0:
            case 1:
            case 2: return new(["SADD", k, .. Enumerable.Range(0, 1 + _rng.Next(3)).Select(_ => M())]);
            case 3: return new(["SREM", k, M(), .. Chance(40) ? [M()] : Array.Empty<string>()]);
            case 4: return new(["SCARD", k]);
            case 5: return new(["SISMEMBER", k, M()]);
            case 6: return new(["SMISMEMBER", k, M(), M()]);
            case 7:
            case 8: return new(["SMEMBERS", k], ReplyCheck.Sorted);
            case 9: return new([Pick("SINTER", "SUNION", "SDIFF"), k, Key("t"), .. Chance(30) ? [AnyKey()] : Array.Empty<string>()], ReplyCheck.Sorted);
            case 10:
            case 11: return new([Pick("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), Key("t"), k, Key("t")]);
            case 12:
            {
                var args = new List<string> { "SINTERCARD", "2", k, Key("t") };
                if (Chance(40)) args.AddRange(["LIMIT", Pick("0", "1", "2", "-1")]);
                return new([.. args]);
            }
            case 13:
            case 14: return new(["SMOVE", k, Key("t"), M()]);
            // SPOP picks at random: only with a count that takes the whole set (or none) is it deterministic.
            case 15: return new(["SPOP", k, Pick("100", "0", "-1")], ReplyCheck.Sorted);
            case 16:
                return Chance(30)
                    ? new(["SRANDMEMBER", k], ReplyCheck.Shape)
                    : new(["SRANDMEMBER", k, Pick("1", "2", "100", "-3", "-1", "0")], ReplyCheck.Shape);
            case 17: return new(["SSCAN", k, "0", "COUNT", "1000"], ReplyCheck.Scan);
            default: return new(["SCARD", k]);
        }
    }

    private ModelCommand SortedSets()
    {
        if (Chance(20)) return LexSortedSet();
        string k = Key("z");
        switch (_rng.Next(36))
        {
            case 0:
            case 1:
            case 2:
            case 3:
            {
                var args = new List<string> { "ZADD", k };
                if (Chance(20)) args.Add(Pick("NX", "XX"));
                if (Chance(15)) args.Add(Pick("GT", "LT"));
                if (Chance(20)) args.Add("CH");
                bool incr = Chance(10);
                if (incr) args.Add("INCR");
                for (int i = incr ? 1 : 1 + _rng.Next(3); i > 0; i--) args.AddRange([Pick(Scores), M()]);
                return new([.. args]);
            }
            case 4: return new(["ZINCRBY", k, Pick(Scores), M()]);
            case 5: return new(["ZSCORE", k, M()]);
            case 6: return new(["ZMSCORE", k, M(), M()]);
            case 7: return new(["ZCARD", k]);
            case 8: return new(["ZCOUNT", k, Pick(ScoreBounds), Pick(ScoreBounds)]);
            case 9: return new(["ZCARD", k]);
            case 10:
            case 11: return ZRange("ZRANGE", k);
            case 12: return new([Pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), k, Pick(ScoreBounds), Pick(ScoreBounds), .. Chance(40) ? ["WITHSCORES"] : Array.Empty<string>(), .. Chance(30) ? ["LIMIT", Pick("0", "1"), Pick("1", "2", "-1")] : Array.Empty<string>()]);
            case 13: return new(["ZRANGEBYSCORE", k, Pick(ScoreBounds), Pick(ScoreBounds)]);
            case 14: return new(["ZREVRANGE", k, Pick(Indexes), Pick(Indexes), .. Chance(40) ? ["WITHSCORES"] : Array.Empty<string>()]);
            case 15: return new([Pick("ZRANK", "ZREVRANK"), k, M()]);
            case 16: return new(["ZREM", k, M(), .. Chance(40) ? [M()] : Array.Empty<string>()]);
            case 17: return new(["ZREMRANGEBYRANK", k, Pick(Indexes), Pick(Indexes)]);
            case 18: return new(["ZREMRANGEBYSCORE", k, Pick(ScoreBounds), Pick(ScoreBounds)]);
            case 19: return new(["ZCOUNT", k, Pick(ScoreBounds), Pick(ScoreBounds)]);
            case 20: return new([Pick("ZPOPMIN", "ZPOPMAX"), k, .. Chance(50) ? [Pick("0", "1", "2", "10", "-1")] : Array.Empty<string>()]);
            case 21: return new(["ZMPOP", "2", k, Key("z"), Pick("MIN", "MAX"), .. Chance(50) ? ["COUNT", Pick("1", "3", "0")] : Array.Empty<string>()]);
            case 22:
            case 23:
            {
                // Inputs may be sets too (Redis treats a set member as score 1).
                var args = new List<string> { Pick("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"), Key("z"), "2", k, Chance(70) ? Key("z") : Key("t") };
                if (args[0] != "ZDIFFSTORE")
                {
                    if (Chance(40)) args.AddRange(["WEIGHTS", Pick("1", "2", "-1", "0.5", "inf", "0"), Pick("1", "3", "x")]);
                    if (Chance(40)) args.AddRange(["AGGREGATE", Pick("SUM", "MIN", "MAX", "AVG")]);
                }
                return new([.. args]);
            }
            case 24:
                return new([Pick("ZUNION", "ZINTER", "ZDIFF"), "2", k, Chance(70) ? Key("z") : Key("t"), .. Chance(50) ? ["WITHSCORES"] : Array.Empty<string>()]);
            case 25: return new(["ZINTERCARD", "2", k, Key("z"), .. Chance(40) ? ["LIMIT", Pick("0", "1", "-1")] : Array.Empty<string>()]);
            case 26: return ZRange("ZRANGESTORE", k);
            case 27:
                return _rng.Next(3) switch
                {
                    0 => new(["ZRANDMEMBER", k], ReplyCheck.Shape),
                    1 => new(["ZRANDMEMBER", k, Pick("1", "3", "100", "-3", "0")], ReplyCheck.Shape),
                    _ => new(["ZRANDMEMBER", k, Pick("2", "100", "-2"), "WITHSCORES"], ReplyCheck.Shape),
                };
            case 28: return new(["ZSCAN", k, "0", "COUNT", "1000"], ReplyCheck.ScanPairs);
            case 29 when Has("bzpop"): return BlockingZset(_inMulti ? "0" : "0.01");
            default: return new(["ZSCORE", k, M()]);
        }
    }

    /// <summary>
    /// Lexicographic ranges run only on "zl", whose members all have score 0: with mixed scores Redis leaves the
    /// result unspecified (a listpack is walked linearly, a skiplist's answer depends on its random levels).
    /// </summary>
    private ModelCommand LexSortedSet()
    {
        const string k = "zl";
        return _rng.Next(12) switch
        {
            0 or 1 or 2 => new(["ZADD", k, "0", M(), .. Chance(50) ? ["0", M()] : Array.Empty<string>()]),
            3 => new(["ZREM", k, M()]),
            4 => new(["ZLEXCOUNT", k, Pick(LexBounds), Pick(LexBounds)]),
            5 or 6 => new([Pick("ZRANGEBYLEX", "ZREVRANGEBYLEX"), k, Pick(LexBounds), Pick(LexBounds), .. Chance(30) ? ["LIMIT", Pick("0", "1"), Pick("1", "-1")] : Array.Empty<string>()]),
            7 => new(["ZREMRANGEBYLEX", k, Pick(LexBounds), Pick(LexBounds)]),
            8 or 9 => ZRange("ZRANGE", k, lex: true),
            10 => new([Pick("ZPOPMIN", "ZPOPMAX"), k]),
            _ => new(["ZRANGE", k, "0", "-1", "WITHSCORES"]),
        };
    }

    private ModelCommand ZRange(string cmd, string k, bool lex = false)
    {
        var args = new List<string> { cmd };
        if (cmd == "ZRANGESTORE") args.Add(Key("z"));
        args.Add(k);
        switch (lex ? 2 : _rng.Next(2))
        {
            case 0:
                args.AddRange([Pick(Indexes), Pick(Indexes)]);
                if (Chance(30)) args.Add("REV");
                break;
            case 1:
                args.AddRange([Pick(ScoreBounds), Pick(ScoreBounds), "BYSCORE"]);
                if (Chance(40)) args.Add("REV");
                if (Chance(30)) args.AddRange(["LIMIT", Pick("0", "1"), Pick("1", "2", "-1")]);
                break;
            default:
                args.AddRange([Pick(LexBounds), Pick(LexBounds), "BYLEX"]);
                if (Chance(40)) args.Add("REV");
                if (Chance(30)) args.AddRange(["LIMIT", Pick("0", "1"), Pick("1", "-1")]);
                break;
        }
        if (cmd == "ZRANGE" && Chance(40)) args.Add("WITHSCORES");
        return new([.. args]);
    }

    private ModelCommand BlockingZset(string timeout)
    {
        string a = Key("z"), b = Key("z");
        return _rng.Next(3) switch
        {
            0 => new(["BZPOPMIN", a, b, timeout]),
            1 => new(["BZPOPMAX", a, timeout]),
            _ => new(["BZMPOP", timeout, "2", a, b, Pick("MIN", "MAX"), "COUNT", Pick("1", "2")]),
        };
    }
}
