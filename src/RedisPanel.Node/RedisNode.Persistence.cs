// Loading the dump at node start, as redis-server does before serving: the listener is already up, so clients
// get -LOADING (and INFO shows loading:1) until the dataset is in. A dump that cannot be loaded fails the
// node with the loader's message (file, offset, what was expected); Redis exits in that case. With appendonly
// yes the AOF directory (base + incremental files, RedisEngine.Aof.cs) is loaded instead, then kept open.
using Microsoft.Extensions.Logging;
using RedisPanel.Engine;
using RedisPanel.Storage.Aof;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Node;

public sealed partial class RedisNode
{
    private bool _datasetLoadAttempted;
    private Task _datasetLoaded = Task.CompletedTask;

    /// <summary>Completes when the start-up load of the dump (if any) has finished, successfully or not.</summary>
    public Task DatasetLoaded => _datasetLoaded;

    // Set once the start-up load has begun (or was skipped): the replica link waits for it, then for the load.
    private readonly TaskCompletionSource _datasetLoadBegun = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the start-up load is over; awaited by the replica link before it first connects.</summary>
    private async Task WaitDatasetLoadedAsync()
    {
        await _datasetLoadBegun.Task;
        await _datasetLoaded;
    }

    private void BeginLoadingDataset()
    {
        try
        {
            LoadDatasetInBackground();
        }
        finally
        {
            _datasetLoadBegun.TrySetResult();
        }
    }

    private void LoadDatasetInBackground()
    {
        // Only the first start loads: a stopped node keeps its dataset in memory across Stop/Start.
        if (_datasetLoadAttempted) return;
        _datasetLoadAttempted = true;
        Engine.PersistenceWarning += w => NodeLog.PersistenceWarning(Logger, Name, w);
        string path = Engine.RdbPath;
        bool aof = Options.Config.AppendOnly;
        // With appendonly yes Redis 7.0 loads only the AOF (never dump.rdb), migrating a pre-7.0 appendonly.aof into
        // the AOF directory first, and creates the AOF when there is none.
        if (!aof && !File.Exists(path)) return;
        lock (Engine.SyncRoot) Engine.Loading = true;
        _datasetLoaded = Task.Run(async () =>
        {
            try
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                if (aof)
                {
                    Engine.UpgradeLegacyAof();
                    if (Engine.AofExists)
                    {
                        long commands = Engine.LoadAppendOnlyFiles();
                        NodeLog.AofLoaded(Logger, Name, commands, started.Elapsed.TotalSeconds);
                    }
                    OpenAppendOnly();
                }
                else
                {
                    var result = Engine.LoadDump(path);
                    // loadDataFromDisk: the dump's repl-id/repl-offset keep the node's place in its replication history.
                    lock (Engine.SyncRoot) Replication.RestoreHistory(result.ReplId, result.ReplOffset, result.ReplStreamDb, result.ExpiredKeys);
                    NodeLog.DatasetLoaded(Logger, Name, result.KeysLoaded, result.KeysExpired, started.Elapsed.TotalSeconds);
                }
            }
            catch (Exception e) when (e is RdbFormatException or IOException or UnauthorizedAccessException
                or AofLoadException or AofManifestException)
            {
                NodeLog.DatasetLoadFailed(Logger, Name, e.Message);
                lock (Engine.SyncRoot) Engine.Loading = false;
                await StopAsync();
                SetState(NodeState.Failed, $"Fatal error loading the DB: {e.Message}");
                return;
            }
            lock (Engine.SyncRoot) Engine.Loading = false;
        });
    }

    /// <summary>Opens the AOF for appending (creating base and incr files when there are none).</summary>
    private void OpenAppendOnly()
    {
        lock (Engine.SyncRoot) Engine.OpenAppendOnlyOnStart();
    }
}
