// A point-in-time view of a keyspace without fork() (ARCHITECTURE §3.5). Taking one freezes the key tables
// (KeyTable.Freeze: the live tables copy a 1024-entry chunk before writing it while a snapshot is open) and bumps the keyspace's snapshot epoch. Values stay shared:
// strings as byte[] are immutable, and every mutable value (collections, MutableString) carries the epoch in
// which it was created or copied. While a snapshot is open, a writer about to mutate a value from an older
// epoch replaces it with a copy first (RedisDatabase.Unshare / GetForWrite), so the snapshot keeps seeing
// the old one. The snapshot is read from another thread; it only reads.
namespace RedisPanel.Storage;

public sealed class KeyspaceSnapshot : IDisposable
{
    private readonly Keyspace _owner;
    private readonly (KeyTable<ValueSlot> Main, KeyTable<long> Expires)[] _dbs;
    private int _disposed;

    internal KeyspaceSnapshot(Keyspace owner, (KeyTable<ValueSlot>, KeyTable<long>)[] dbs, long takenAtMs)
    {
        _owner = owner;
        _dbs = dbs;
        TakenAtMs = takenAtMs;
        foreach (var (main, _) in dbs) TotalKeys += main.Count;
    }

    public int DatabaseCount => _dbs.Length;

    /// <summary>Unix ms on the node's clock when the snapshot was taken.</summary>
    public long TakenAtMs { get; }

    public long TotalKeys { get; }

    /// <summary>Progress of the writer (INFO's current_save_keys_processed); written by the saving thread.</summary>
    public long KeysWritten { get; set; }

    /// <summary>The key and expiry tables of one db, frozen at the snapshot's instant. Read only.</summary>
    public (KeyTable<ValueSlot> Main, KeyTable<long> Expires) this[int db] => _dbs[db];

    /// <summary>Ends the snapshot: writers stop copying values for it. Safe to call from any thread, once or more.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _owner.ReleaseSnapshot();
    }
}
