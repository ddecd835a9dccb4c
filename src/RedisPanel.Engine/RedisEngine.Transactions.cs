// Propagation of a transaction as one unit (Redis 7.0's also_propagate + propagatePendingCommands): while a
// batch is open, Propagate() collects commands instead of sending them; closing the batch sends them wrapped
// in MULTI ... EXEC when more than one was collected (a single command is atomic on its own).
namespace RedisPanel.Engine;

public sealed partial class RedisEngine
{
    private static readonly byte[] MultiBytes = "*1\r\n$5\r\nMULTI\r\n"u8.ToArray();
    private static readonly byte[] ExecBytes = "*1\r\n$4\r\nEXEC\r\n"u8.ToArray();
    private List<(int Db, byte[] Command)>? _propagationBatch;

    /// <summary>Starts collecting propagated commands (EXEC). Returns false when a batch is already open (nested).</summary>
    public bool BeginPropagationBatch()
    {
        if (_propagationBatch is not null) return false;
        _propagationBatch = new();
        return true;
    }

    /// <summary>Sends the collected commands, wrapped in MULTI/EXEC when there are several. MULTI takes the db of
    /// the first command and EXEC the db of the last, so no extra SELECT is emitted (as Redis).</summary>
    public void EndPropagationBatch()
    {
        var batch = _propagationBatch;
        _propagationBatch = null;
        if (batch is null || batch.Count == 0) return;
        bool wrap = batch.Count > 1;
        if (wrap) foreach (var sink in _sinks) sink.Propagate(batch[0].Db, MultiBytes);
        foreach (var (db, command) in batch)
            foreach (var sink in _sinks) sink.Propagate(db, command);
        if (wrap) foreach (var sink in _sinks) sink.Propagate(batch[^1].Db, ExecBytes);
    }
}
