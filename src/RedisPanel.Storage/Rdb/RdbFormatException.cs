namespace RedisPanel.Storage.Rdb;

/// <summary>
/// An RDB file or DUMP payload that cannot be loaded. The message names the source (file path or "DUMP payload"),
/// the byte offset and what was expected there; <see cref="Key"/> is set when the problem is in one key's value.
/// </summary>
public sealed class RdbFormatException(string source, long offset, string problem, string? key = null)
    : Exception($"{source}: {problem} at offset {offset}{(key is null ? "" : $" (key '{key}')")}")
{
    public string Source2 { get; } = source;
    public long Offset { get; } = offset;
    public string Problem { get; } = problem;
    public string? Key { get; } = key;
}
