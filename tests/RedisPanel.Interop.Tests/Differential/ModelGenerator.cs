// Random command sequences for the randomized model test: every data family over a small key space (each family
// prefers its own keys but reaches into the others' often enough that WRONGTYPE paths run), MULTI/EXEC blocks
// (with WATCH, queue-time errors and blocking commands inside), SELECT between three databases, and expiries that
// stay deterministic: long TTLs (>= 100 s, never reached during a run), timestamps in the past or far future, and
// sub-second TTLs whose expiry the runner waits out before the next command (see ModelCommand.AwaitExpiry).
// The same seed always gives the same sequence.
namespace RedisPanel.Interop.Tests.Differential;

/// <summary>Generates a deterministic command sequence from a seed.</summary>
public sealed partial class ModelGenerator
{
    /// <summary>Family names understood by <c>REDISPANEL_MODEL_FAMILIES</c>.</summary>
    public static readonly string[] AllFamilies = ["strings", "keys", "expiry", "bitmaps", "lists", "hashes", "sets", "zsets", "bzpop", "multi", "select"];


    private static readonly string[] AllKeys = ["s1", "s2", "l1", "l2", "h1", "h2", "t1", "t2", "z1", "z2", "b1", "x"];

    // Values: integers (INCR, intsets), floats, text, binary, empty, and one longer than the lowered listpack
    // value limit so encodings convert.
    private static readonly string[] Values =
    [
        "", "0", "1", "-1", "7", "42", "100", "-100", "3.5", "-2.25", "1e3", "10.0", " 1", "abc", "hello", "x y", "a",
        "b", "9223372036854775807", "-9223372036854775808", "18446744073709551616", "\0\u00ff\r\n", "c",
        "a-value-longer-than-the-sixteen-byte-listpack-limit",
    ];

    private static readonly string[] Members = ["a", "b", "c", "d", "e", "1", "2", "3", "10", "-5", "f", "a-member-longer-than-sixteen-bytes"];
    private static readonly string[] Integers = ["0", "1", "-1", "5", "100", "-100", "9223372036854775807", "-9223372036854775808", "abc", "1.5", ""];
    private static readonly string[] Floats = ["1.5", "-0.25", "1e2", "0", "3", "inf", "abc", "5.0e3", "-7"];
    private static readonly string[] Scores = ["0", "1", "-1", "2.5", "1e2", "3", "0.1", "-inf", "+inf", "7", "nan", "x"];
    private static readonly string[] ScoreBounds = ["-inf", "+inf", "0", "(1", "1", "2.5", "(2.5", "100", "(-inf", "abc"];
    private static readonly string[] LexBounds = ["-", "+", "[a", "(b", "[c", "(d", "[1", "x"];
    private static readonly string[] Indexes = ["0", "1", "2", "-1", "-2", "-3", "3", "5", "-6", "100", "x"];

    private readonly Random _rng;
    private readonly HashSet<string> _families;
    private bool _inMulti;

    public ModelGenerator(int seed, IEnumerable<string>? families = null)
    {
        _rng = new Random(seed);
        _families = new HashSet<string>(families ?? AllFamilies, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>At least <paramref name="count"/> commands (a MULTI block is never cut short).</summary>
    public List<ModelCommand> Generate(int count, bool resp3)
    {
        var list = new List<ModelCommand>(count + 16);
        // HELLO's reply carries the connection id, so it is not compared.
        if (resp3) list.Add(new(["HELLO", "3"], ReplyCheck.NoReply));
        while (list.Count < count)
        {
            int r = _rng.Next(100);
            if (r < 4 && Has("multi")) MultiBlock(list);
            else if (r < 6 && Has("select")) list.Add(new(["SELECT", Pick("0", "0", "1", "2", "16", "-1", "x")]));
            else list.Add(One());
        }
        return list;
    }

    /// <summary>True for the key names sequences use.</summary>
    public static bool IsKeyName(string s) => AllKeys.Contains(s) || s == "zl";

    private bool Has(string family) => _families.Contains(family);

    private ModelCommand One()
    {
        // Families by weight; a missing family falls through to the next one present.
        while (true)
        {
            int r = _rng.Next(110);
            ModelCommand? c = r switch
            {
                < 16 => Has("strings") ? Strings() : null,
                < 28 => Has("keys") ? KeysCommand() : null,
                < 38 => Has("expiry") ? Expiry() : null,
                < 46 => Has("bitmaps") ? Bitmaps() : null,
                < 62 => Has("lists") ? Lists() : null,
                < 76 => Has("hashes") ? Hashes() : null,
                < 90 => Has("sets") ? Sets() : null,
                _ => Has("zsets") ? SortedSets() : null,
            };
            if (c is null) continue;
            // Now and then a command loses its tail: arity and syntax error paths (deterministic on both sides).
            // Only exact-compared commands: a shortened SPOP k 100 would be a random SPOP.
            if (c.Args.Length > 2 && c.Check == ReplyCheck.Exact && _rng.Next(60) == 0)
                c = c with { Args = c.Args[..(1 + _rng.Next(c.Args.Length - 1))] };
            return c;
        }
    }

    private void MultiBlock(List<ModelCommand> list)
    {
        if (_rng.Next(3) == 0) list.Add(new(["WATCH", .. Enumerable.Range(0, 1 + _rng.Next(2)).Select(_ => AnyKey())]));
        for (int i = _rng.Next(3); i > 0 && _rng.Next(2) == 0; i--) list.Add(One());
        list.Add(new(["MULTI"]));
        _inMulti = true;
        int n = 1 + _rng.Next(6);
        for (int i = 0; i < n; i++)
        {
            int r = _rng.Next(40);
            list.Add(r switch
            {
                0 => new(["SET", AnyKey()]),                       // queue-time arity error: EXEC then fails with EXECABORT
                1 => new(["NOSUCHCOMMAND", "x"]),                 // unknown command: same
                2 => new(["MULTI"]),                               // nested MULTI: an error, not queued
                3 => new(["WATCH", AnyKey()]),                     // WATCH inside MULTI: an error, not queued
                4 => Has("select") ? new(["SELECT", Pick("0", "1", "2")]) : One(),
                5 or 6 => Has("lists") ? Pick(BlockingList("0")) : One(), // blocking inside MULTI: never blocks
                7 => Has("bzpop") ? BlockingZset("0") : One(),
                _ => One(),
            });
        }
        _inMulti = false;
        list.Add(new([_rng.Next(8) == 0 ? "DISCARD" : "EXEC"]));
    }

    private string Pick(params string[] xs) => xs[_rng.Next(xs.Length)];

    private T Pick<T>(params T[] xs) => xs[_rng.Next(xs.Length)];

    private bool Chance(int percent) => _rng.Next(100) < percent;

    private string V() => Values[_rng.Next(Values.Length)];

    private string M() => Members[_rng.Next(Members.Length)];

    private string AnyKey() => AllKeys[_rng.Next(AllKeys.Length)];

    /// <summary>Mostly one of the family's own keys; one time in five any key (so types collide).</summary>
    private string Key(string prefix) => Chance(80) ? prefix + (1 + _rng.Next(prefix == "b" ? 1 : 2)) : AnyKey();

    private string Num(int lo, int hi) => _rng.Next(lo, hi + 1).ToString();

    private ModelCommand Strings()
    {
        string k = Key("s");
        switch (_rng.Next(24))
        {
            case 0:
            case 1:
            {
                var args = new List<string> { "SET", k, V() };
                if (Chance(25)) args.Add(Pick("NX", "XX"));
                if (Chance(20)) args.Add("GET");
                string? await = null;
                switch (_rng.Next(8))
                {
                    case 0: args.AddRange(["EX", Pick("100", "1000", "0", "-5", "x")]); break;
                    case 1: args.AddRange(["PX", Pick("150000", "9999999")]); break;
                    case 2: args.Add("KEEPTTL"); break;
                    // SET with a time in the past keeps the key, already expired (Redis 7.0 only deletes for
                    // EXPIREAT/GETEX): wait it out so a later RANDOMKEY cannot delete it at random.
                    case 3 when _inMulti: args.AddRange(["EXAT", "4102444800"]); break;
                    case 3: args.AddRange(["EXAT", Pick("4102444800", "1")]); await = args[^1] == "1" ? k : null; break;
                    case 4 when !_inMulti: args.AddRange(["PX", Num(1, 15)]); await = k; break;
                }
                return new([.. args], AwaitExpiry: await);
            }
            case 2: return new(["GET", k]);
            case 3: return new(["GETSET", k, V()]);
            case 4: return new(["GETDEL", k]);
            case 5:
                return _rng.Next(5) switch
                {
                    0 => new(["GETEX", k]),
                    1 => new(["GETEX", k, "EX", Pick("200", "0", "x")]),
                    2 => new(["GETEX", k, "PERSIST"]),
                    3 => new(["GETEX", k, "PXAT", Pick("4102444800000", "1")]),
                    _ => _inMulti ? new(["GETEX", k, "EX", "300"]) : new(["GETEX", k, "PX", Num(1, 15)], AwaitExpiry: k),
                };
            case 6: return new(["APPEND", k, V()]);
            case 7: return new(["STRLEN", k]);
            case 8: return new(["INCR", k]);
            case 9: return new(["DECR", k]);
            case 10: return new(["INCRBY", k, Integers[_rng.Next(Integers.Length)]]);
            case 11: return new(["DECRBY", k, Integers[_rng.Next(Integers.Length)]]);
            case 12: return new(["INCRBYFLOAT", k, Floats[_rng.Next(Floats.Length)]]);
            case 13: return new(["SETRANGE", k, Pick("0", "1", "3", "10", "-1", "x"), V()]);
            case 14: return new(["GETRANGE", k, Pick(Indexes), Pick(Indexes)]);
            case 15: return new(["SUBSTR", k, Pick(Indexes), Pick(Indexes)]);
            case 16: return new(["MSET", k, V(), Key("s"), V()]);
            case 17: return new(["MGET", k, Key("s"), AnyKey()]);
            case 18: return new(["MSETNX", k, V(), Key("s"), V()]);
            case 19: return new(["SETNX", k, V()]);
            case 20: return new(["SETEX", k, Pick("100", "500", "0", "-1", "x"), V()]);
            case 21:
                return _inMulti || Chance(40)
                    ? new(["PSETEX", k, Pick("200000", "0", "x"), V()])
                    : new(["PSETEX", k, Num(1, 15), V()], AwaitExpiry: k);
            default:
            {
                var args = new List<string> { "LCS", k, Key("s") };
                switch (_rng.Next(4))
                {
                    case 0: args.Add("LEN"); break;
                    case 1:
                        args.Add("IDX");
                        if (Chance(50)) args.AddRange(["MINMATCHLEN", Pick("0", "1", "2", "x")]);
                        if (Chance(50)) args.Add("WITHMATCHLEN");
                        break;
                }
                return new([.. args]);
            }
        }
    }

    private ModelCommand KeysCommand()
    {
        string k = AnyKey();
        switch (_rng.Next(20))
        {
            case 0: return new(["DEL", k, .. Chance(50) ? [AnyKey()] : Array.Empty<string>()]);
            case 1: return new(["UNLINK", k]);
            case 2: return new(["EXISTS", k, AnyKey(), k]);
            case 3:
            case 4: return new(["TYPE", k]);
            case 5: return new(["RENAME", k, AnyKey()]);
            case 6: return new(["RENAMENX", k, AnyKey()]);
            case 7:
            {
                var args = new List<string> { "COPY", k, AnyKey() };
                if (Chance(40)) args.AddRange(["DB", Pick("0", "1", "2", "99", "x")]);
                if (Chance(40)) args.Add("REPLACE");
                return new([.. args]);
            }
            case 8: return new(["MOVE", k, Pick("0", "1", "2", "99", "x")]);
            case 9: return new(["TOUCH", k, AnyKey()]);
            case 10: return new(["KEYS", Pick("*", "s*", "?1", "[lh]*", "x", "*2")], ReplyCheck.Sorted);
            case 11: return new(["DBSIZE"]);
            case 12: return new(["RANDOMKEY"], ReplyCheck.Shape);
            case 13:
            {
                var args = new List<string> { "SCAN", "0" };
                if (Chance(40)) args.AddRange(["MATCH", Pick("*", "s*", "*1")]);
                args.AddRange(["COUNT", "1000"]);
                if (Chance(30)) args.AddRange(["TYPE", Pick("string", "list", "hash", "set", "zset", "nosuchtype")]);
                return new([.. args], ReplyCheck.Scan);
            }
            case 14:
            case 15:
            case 16: return new(["OBJECT", "ENCODING", k]);
            case 17: return _rng.Next(12) == 0 ? new(["SWAPDB", Pick("0", "1"), Pick("1", "2", "99")]) : new(["EXISTS", k]);
            case 18: return _rng.Next(20) == 0 ? new(["FLUSHDB"]) : new(["TYPE", k]);
            default: return new(["DBSIZE"]);
        }
    }

    private ModelCommand Expiry()
    {
        string k = AnyKey();
        string[] opt = Chance(30) ? [Pick("NX", "XX", "GT", "LT", "XX")] : [];
        switch (_rng.Next(14))
        {
            case 0:
            case 1: return new(["EXPIRE", k, Pick("100", "200", "1000", "100", "-1", "0", "9223372036854775807", "x"), .. opt]);
            case 2:
                return _inMulti || Chance(50)
                    ? new(["PEXPIRE", k, Pick("150000", "300000", "-5"), .. opt])
                    : new(["PEXPIRE", k, Num(1, 15), .. opt], AwaitExpiry: k);
            case 3: return new(["EXPIREAT", k, Pick("1", "4102444800", "4102444900"), .. opt]);
            case 4: return new(["PEXPIREAT", k, Pick("1000", "4102444800000", "4102444800001"), .. opt]);
            case 5:
            case 6: return new(["PERSIST", k]);
            case 7:
            case 8: return new(["TTL", k], ReplyCheck.Tolerance, 1);
            case 9:
            case 10: return new(["PTTL", k], ReplyCheck.Tolerance, 50);
            case 11: return new(["EXPIRETIME", k], ReplyCheck.Tolerance, 1);
            case 12: return new(["PEXPIRETIME", k], ReplyCheck.Tolerance, 50);
            default: return new(["SET", k, V(), "EX", Pick("100", "150")]);
        }
    }

    private ModelCommand Bitmaps()
    {
        string k = Key("b");
        switch (_rng.Next(9))
        {
            case 0:
            case 1: return new(["SETBIT", k, Pick(Num(0, 70), Num(0, 70), "1000", "-1", "x"), Pick("1", "0", "1", "2")]);
            case 2: return new(["GETBIT", k, Pick(Num(0, 70), "5000", "-1")]);
            case 3:
            {
                var args = new List<string> { "BITCOUNT", k };
                if (Chance(60)) args.AddRange([Pick(Indexes), Pick(Indexes)]);
                if (args.Count > 2 && Chance(40)) args.Add(Pick("BYTE", "BIT", "WORD"));
                return new([.. args]);
            }
            case 4:
            {
                var args = new List<string> { "BITPOS", k, Pick("0", "1", "2") };
                if (Chance(60)) args.Add(Pick(Indexes));
                if (args.Count > 3 && Chance(50)) args.Add(Pick(Indexes));
                if (args.Count > 4 && Chance(40)) args.Add(Pick("BYTE", "BIT"));
                return new([.. args]);
            }
            case 5:
            {
                string op = Pick("AND", "OR", "XOR", "NOT", "NAND");
                return op == "NOT" ? new(["BITOP", op, Key("b"), Key("s")]) : new(["BITOP", op, Key("b"), k, Key("s"), Key("b")]);
            }
            case 6: return new(["BITFIELD_RO", k, "GET", BitType(), BitOffset()]);
            default:
            {
                var args = new List<string> { "BITFIELD", k };
                for (int i = 1 + _rng.Next(3); i > 0; i--)
                {
                    switch (_rng.Next(4))
                    {
                        case 0: args.AddRange(["GET", BitType(), BitOffset()]); break;
                        case 1: args.AddRange(["SET", BitType(), BitOffset(), Pick("0", "1", "255", "-1", "100000", "x")]); break;
                        case 2: args.AddRange(["INCRBY", BitType(), BitOffset(), Pick("1", "-1", "100", "-300", "9223372036854775807")]); break;
                        default: args.AddRange(["OVERFLOW", Pick("WRAP", "SAT", "FAIL", "BAD")]); break;
                    }
                }
                return new([.. args]);
            }
        }
    }

    private string BitType() => Pick("u1", "u8", "i8", "i16", "u63", "i64", "u64", "i5", "x8");

    private string BitOffset() => Pick("0", "3", "#1", "#2", "100", "-1");
}
