// Writing and reading whole dump files. A dump is written to a temp file in the same directory, flushed to
// disk (fsync) and renamed over the target, as Redis's rdbSave does, so a crash never leaves a torn dump.
namespace RedisPanel.Storage.Rdb;

public static class RdbFile
{
    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="path"/> atomically. Any thread; reads only the snapshot.</summary>
    public static void Save(string path, KeyspaceSnapshot snapshot, RdbSaveInfo info, bool compress = true, bool checksum = true)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        // Redis names it temp-<pid>.rdb; a node id keeps several nodes of one process apart.
        string tmp = Path.Combine(dir, $"temp-{Environment.ProcessId}-{Guid.NewGuid():N}.rdb");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var w = new RdbWriter(fs, compress);
                w.WriteHeader(info);
                w.WriteDatabases(snapshot);
                w.WriteEnd(checksum);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } // best effort; the original error is what matters
            throw;
        }
    }

    /// <summary>Loads a dump file into <paramref name="target"/> (a fresh keyspace, discarded on error).</summary>
    public static RdbLoadResult Load(string path, Keyspace target, RdbLoadOptions options)
        => RdbReader.Load(File.ReadAllBytes(path), path, target, options);
}
