namespace RedisPanel.Storage;

/// <summary>
/// Base of every non-string value (list, hash, set, sorted set). Strings are byte[] / MutableString.
/// Gives the generic key commands (TYPE, OBJECT ENCODING, COPY, MEMORY USAGE, SCAN TYPE) what they need
/// without knowing the concrete types.
/// </summary>
public abstract class RedisCollection
{
    /// <summary>Redis's TYPE name: "list", "hash", "set", "zset".</summary>
    public abstract string TypeName { get; }

    /// <summary>Redis's OBJECT ENCODING name for the current representation (listpack, quicklist, hashtable, intset, skiplist).</summary>
    public abstract string Encoding { get; }

    /// <summary>Number of elements (LLEN, HLEN, SCARD, ZCARD).</summary>
    public abstract long Count { get; }

    /// <summary>An independent copy (COPY, snapshots that must not share a mutable value).</summary>
    public abstract RedisCollection DeepClone();

    /// <summary>Approximate bytes used, for MEMORY USAGE and INFO memory.</summary>
    public abstract long EstimateBytes();

    /// <summary>The keyspace snapshot epoch this value was created or copied in (copy-on-write; see KeyspaceSnapshot).</summary>
    internal int SnapshotEpoch;
}

/// <summary>Type names of stored values.</summary>
public static class ValueTypes
{
    public static string TypeName(object value) => value switch
    {
        byte[] or MutableString => "string",
        RedisCollection c => c.TypeName,
        _ => "none",
    };

    public static string EncodingOf(object value) => value is RedisCollection c ? c.Encoding : StringValue.Encoding(value);
}
