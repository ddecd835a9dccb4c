using System.Text;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Replication.Tests;

/// <summary>What several replication test classes share: bounded polling and small RDB payloads.</summary>
internal static class Poll
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws after <see cref="Timeout"/>.</summary>
    public static void Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what);
            Thread.Sleep(5); // polling interval, bounded by the deadline
        }
    }

    /// <summary>An RDB holding the given string keys in db 0.</summary>
    public static byte[] Rdb(params (string Key, string Value)[] pairs)
    {
        var ks = new Keyspace(16, TimeProvider.System);
        foreach (var (k, v) in pairs) ks[0].Set(Encoding.ASCII.GetBytes(k), Encoding.ASCII.GetBytes(v));
        using var snap = ks.TakeSnapshot();
        var ms = new MemoryStream();
        var w = new RdbWriter(ms);
        w.WriteHeader(new RdbSaveInfo());
        w.WriteDatabases(snap);
        w.WriteEnd();
        return ms.ToArray();
    }
}
