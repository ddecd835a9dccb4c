// The replica side of replication (Redis 7.0's replication.c, replica half), minimal form: REPLICAOF at runtime
// or from the config, the handshake (PING, then AUTH, REPLCONF listening-port and capa eof psync2 written back to
// back, then PSYNC with the cached replid/offset+1 or `? -1`), both snapshot framings loaded through the RDB reader,
// the stream applied through the dispatcher as a Master-flagged client, ACK every second and on GETACK,
// replica-read-only. Reconnects after any link loss with PSYNC. Chained replication as Redis 7.0 proxies it: the
// bytes applied from the master go verbatim into this node's backlog and to its own replicas (FeedFromMaster);
// a full sync or a new replid on +CONTINUE disconnects them so they resync. A dump's repl-id/repl-offset let a
// restarted replica PSYNC into its old history. replica-serve-stale-data no and the FAILOVER answer are in
// ReplicationReplica.WriteSafety.cs.
using System.Buffers;
using System.Globalization;
using System.Text;
using RedisPanel.Engine;
using RedisPanel.Protocol;
using RedisPanel.Storage;
using RedisPanel.Storage.Rdb;

namespace RedisPanel.Replication;

/// <summary>Opens a byte stream to a master (the node gives a TCP socket, tests may give a pipe).</summary>
public delegate Task<Stream> MasterConnector(string host, int port, CancellationToken ct);

/// <summary>The replica link's state as ROLE shows it.</summary>
public enum MasterLinkState { Connect, Connecting, Handshake, Sync, Connected }

public sealed partial class ReplicationReplica
{
    private readonly RedisEngine _engine;
    private readonly ReplicationMaster _master;
    private readonly MasterConnector _connector;
    private CancellationTokenSource? _cts;
    private Task _loop = Task.CompletedTask;
    private string? _cachedReplId; // the history we can PSYNC into (null: full sync)
    private int _cachedDb; // the db the cached master had selected: a partial resync continues in it
    private long _readAhead; // stream bytes read but not applied yet (an open MULTI, a partial command)
    private ClientSession? _masterClient;
    private Stream? _link;
    private readonly SemaphoreSlim _sendGate = new(1, 1);

    public ReplicationReplica(RedisEngine engine, ReplicationMaster master, MasterConnector connector)
    {
        _engine = engine;
        _master = master;
        _connector = connector;
        master.Replica = this;
        engine.ReplicationGate = Gate;
    }

    public string? MasterHost { get; private set; }
    public int MasterPort { get; private set; }
    public bool IsReplica => MasterHost is not null;
    public MasterLinkState State { get; private set; }

    /// <summary>Unix ms of the last byte from the master (master_last_io_seconds_ago), 0 before any.</summary>
    public long LastIoMs { get; private set; }

    /// <summary>Unix ms the link went down, or -1 when it never was up since REPLICAOF.</summary>
    public long LinkDownSinceMs { get; private set; } = -1;

    /// <summary>
    /// Awaited by the link task before its first connection: the node's start-up load, so a replica restarted from its
    /// dump PSYNCs with the history the dump restored (Redis loads before it connects to its master).
    /// </summary>
    public Func<Task>? BeforeConnect { get; set; }

    /// <summary>
    /// The db the master stream is applied in (the master client's, else the cached master's); null when there is
    /// neither (rdbPopulateSaveInfo gives a replica's dump a history only then).
    /// </summary>
    internal int? StreamDb => _masterClient?.Db ?? (_cachedReplId is null ? null : _cachedDb);

    /// <summary>Raised (under the lock) when the link comes up after a full (false) or partial (true) sync.</summary>
    public event Action<bool>? LinkUp;

    /// <summary>Raised (on the link task, no lock) when the link fails or is lost, with the reason, before a retry.</summary>
    public event Action<string>? LinkLost;

    private string? Gate(ClientSession client, CommandDef def)
    {
        // processCommand's order: NOREPLICAS (masters), READONLY, then MASTERDOWN (ReplicationReplica.WriteSafety.cs).
        if (!IsReplica) return _master.NoReplicasRefusal(client, def);
        // processCommand: writes from anyone but the master are refused on a read-only replica; EXEC of a queue
        // holding a write counts as a write (is_write_command), so the dispatcher turns it into EXECABORT.
        if (IsReplica && _engine.Config.ReplicaReadOnly && !client.Has(ClientFlags.Master)
            && (def.IsWrite || (def.Name == "exec" && _engine.QueuesWrite(client))))
            return Errors.ReadOnly;
        return StaleRefusal(client, def);
    }

    /// <summary>
    /// REPLICAOF host port (caller holds the lock): keeps the data, the history, the backlog and this node's own
    /// replicas (replicationSetMaster does not disconnect them: they may continue if the new master continues us),
    /// connects. <paramref name="fromConfig"/>: the `replicaof` directive at start, which caches no master (a
    /// history comes only from the dump, see <see cref="CacheMasterFromDump"/>).
    /// </summary>
    public void ReplicaOf(string host, int port, bool fromConfig = false)
    {
        bool wasMaster = !IsReplica;
        if (_masterClient is not null) _cachedDb = _masterClient.Db;
        StopLink();
        // A master turning replica caches itself (replicationCacheMasterUsingMyself), so it can PSYNC into the new
        // master's replid2 history. A replica switching masters keeps its cached master.
        if (wasMaster && !fromConfig)
        {
            _cachedReplId = _engine.ReplId;
            _cachedDb = 0;
        }
        _engine.DisconnectAllBlockedClients(); // replicationSetMaster: clients blocked on the old master get -UNBLOCKED
        MasterHost = host;
        MasterPort = port;
        LinkDownSinceMs = -1;
        _engine.Keyspace.IsReplica = true;
        _engine.Config.ReplicaOf = $"{host} {port}";
        State = MasterLinkState.Connect;
        _master.Raise(ReplicationEventKind.ReplicaOf, null, $"{host}:{port}", $"replicating from {host}:{port}");
        _cts = new CancellationTokenSource();
        var ct = _cts.Token;
        _loop = Task.Run(() => RunAsync(host, port, ct));
    }

    /// <summary>REPLICAOF NO ONE (caller holds the lock): drop the link, keep the data, shift the replid.</summary>
    public void NoOne()
    {
        if (!IsReplica) return;
        StopLink();
        MasterHost = null;
        MasterPort = 0;
        _cachedReplId = null;
        _engine.Keyspace.IsReplica = false;
        _engine.Config.ReplicaOf = null;
        _master.Promote();
        // replicationUnsetMaster: the replicas learn the new replid by reconnecting; they continue through replid2.
        _master.DisconnectReplicas();
    }

    /// <summary>
    /// loadDataFromDisk on a replica: the dump's repl-id becomes the cached master's history and repl-stream-db its
    /// db, so the first PSYNC after a restart asks for id offset+1 (caller holds the lock or the node is loading).
    /// </summary>
    internal void CacheMasterFromDump(string replId, int db)
    {
        _cachedReplId = replId;
        _cachedDb = db;
    }

    /// <summary>
    /// A fault drill for the dashboard (caller holds the lock): the link is dropped as a network cut would drop it
    /// (LinkDown is raised, the master sees the connection close) and the reconnection waits for
    /// <paramref name="duration"/>; then the usual retry loop reconnects with PSYNC. No effect on a master.
    /// </summary>
    public void SuspendLink(TimeSpan duration)
    {
        if (MasterHost is not { } host) return;
        int port = MasterPort;
        StopLink();
        if (State == MasterLinkState.Connected) LinkDownSinceMs = _engine.Keyspace.NowMs;
        State = MasterLinkState.Connect;
        OnLinkLost($"link cut for {duration.TotalSeconds:0.#} s");
        _cts = new CancellationTokenSource();
        var ct = _cts.Token;
        _loop = Task.Run(async () =>
        {
            await Task.Delay(duration, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!ct.IsCancellationRequested) await RunAsync(host, port, ct);
        });
    }

    /// <summary>Stops the link (node stop). Caller holds no lock; waits for the link task.</summary>
    public async Task StopAsync()
    {
        Task loop;
        lock (_engine.SyncRoot)
        {
            StopLink();
            loop = _loop;
        }
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void StopLink()
    {
        if (_masterClient is not null) _cachedDb = _masterClient.Db;
        _cts?.Cancel();
        _cts = null;
        _link?.Dispose();
        _link = null;
        if (_masterClient is not null) _engine.OnClientClosed(_masterClient);
        _masterClient = null;
    }

    private async Task RunAsync(string host, int port, CancellationToken ct)
    {
        if (BeforeConnect is { } before) await before().WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SyncAndApplyAsync(host, port, ct);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or RdbFormatException
                                          or InvalidDataException or ObjectDisposedException or OperationCanceledException)
            {
                // Link lost or refused: reconnect (Redis retries from its 1 Hz cron).
                if (!ct.IsCancellationRequested) OnLinkLost(e.Message);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Anything else (a snapshot the reader rejects in an unexpected way ...) must not end the retries.
                OnLinkLost($"{e.GetType().Name}: {e.Message}");
            }
            bool wasConnected;
            lock (_engine.SyncRoot)
            {
                if (ct.IsCancellationRequested) return;
                wasConnected = State == MasterLinkState.Connected;
                if (wasConnected) LinkDownSinceMs = _engine.Keyspace.NowMs;
                State = MasterLinkState.Connect;
                // The master client becomes the cached master: its db is where a partial resync continues.
                if (_masterClient is not null)
                {
                    _cachedDb = _masterClient.Db;
                    _engine.OnClientClosed(_masterClient);
                }
                _masterClient = null;
            }
            // A lost link is retried at once (replicationHandleMasterDisconnection: "waiting 1 second may risk backlog
            // being recycled"); a failed attempt waits for the next cron: 1 Hz, or every 100 ms while a failover is
            // under way (Redis runs replicationCron that often then), so the switch retries faster.
            if (!wasConnected)
            {
                int retryMs = _master.FailoverState == FailoverState.NoFailover ? 1000 : 100;
                await Task.Delay(retryMs, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void OnLinkLost(string reason)
    {
        LinkLost?.Invoke(reason);
        _master.Raise(ReplicationEventKind.LinkDown, null, MasterHost is null ? null : $"{MasterHost}:{MasterPort}", reason);
    }

    private static byte[] Encode(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) sb.Append('$').Append(Encoding.Latin1.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    private async Task SendAsync(Stream s, byte[] bytes, CancellationToken ct)
    {
        await _sendGate.WaitAsync(ct);
        try
        {
            await s.WriteAsync(bytes, ct);
            await s.FlushAsync(ct);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async Task SyncAndApplyAsync(string host, int port, CancellationToken ct)
    {
        lock (_engine.SyncRoot) State = MasterLinkState.Connecting;
        using var stream = await _connector(host, port, ct);
        lock (_engine.SyncRoot)
        {
            if (ct.IsCancellationRequested) return;
            _link = stream;
            State = MasterLinkState.Handshake;
        }
        var reader = new MasterLinkReader(stream);
        using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        handshakeTimeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(5, _engine.Config.ReplTimeout)));
        var hct = handshakeTimeout.Token;

        // PING's reply is awaited first, and PSYNC is sent only after every other reply: a master refuses PSYNC with
        // pending output.
        await SendAsync(stream, Encode("PING"), hct);
        string pong = await reader.ReadLineAsync(hct);
        if (pong.StartsWith('-') && !pong.StartsWith("-NOAUTH") && !pong.StartsWith("-NOPERM") && !pong.StartsWith("-ERR operation not permitted"))
            throw new IOException("master replied to PING: " + pong);
        // AUTH and the two REPLCONFs go out back to back and their replies are read in order (syncWithMaster's
        // REPL_STATE_SEND_HANDSHAKE): one round trip instead of three on every (re)connection.
        bool auth = _engine.Config.MasterAuth.Length > 0;
        var handshake = new List<byte>();
        if (auth)
        {
            handshake.AddRange(_engine.Config.MasterUser.Length > 0
                ? Encode("AUTH", _engine.Config.MasterUser, _engine.Config.MasterAuth)
                : Encode("AUTH", _engine.Config.MasterAuth));
        }
        handshake.AddRange(Encode("REPLCONF", "listening-port", _engine.TcpPort.ToString(CultureInfo.InvariantCulture)));
        handshake.AddRange(Encode("REPLCONF", "capa", "eof", "capa", "psync2"));
        await SendAsync(stream, handshake.ToArray(), hct);
        if (auth)
        {
            string authReply = await reader.ReadLineAsync(hct);
            if (authReply.StartsWith('-')) throw new IOException("unable to AUTH to MASTER: " + authReply);
        }
        await reader.ReadLineAsync(hct); // errors are non critical
        await reader.ReadLineAsync(hct);

        string psyncId;
        long psyncOffset;
        bool failover;
        lock (_engine.SyncRoot)
        {
            psyncId = _cachedReplId ?? "?";
            psyncOffset = _cachedReplId is null ? -1 : _engine.ReplOffset + 1;
            failover = _master.FailoverState == FailoverState.InProgress;
        }
        string offsetText = psyncOffset.ToString(CultureInfo.InvariantCulture);
        // A master failing over to this link's target adds FAILOVER, which makes the target promote itself.
        await SendAsync(stream, failover ? Encode("PSYNC", psyncId, offsetText, "FAILOVER") : Encode("PSYNC", psyncId, offsetText), hct);
        string reply = await reader.ReadLineAsync(hct);
        // syncWithMaster settles a failover after the PSYNC answer took effect: a refusal aborts it here; an
        // acceptance clears it once +CONTINUE installed the new id (below), so no one sees "no-failover" with the
        // old id, and before a full transfer starts.
        if (failover && !FailoverAnswered(reply, ct)) return;
        bool partial;
        if (reply.StartsWith("+FULLRESYNC ", StringComparison.Ordinal))
        {
            var parts = reply.Split(' ');
            if (parts.Length != 3 || parts[1].Length != 40 || !long.TryParse(parts[2], out long offset))
                throw new InvalidDataException("bad +FULLRESYNC: " + reply);
            lock (_engine.SyncRoot)
            {
                State = MasterLinkState.Sync;
                if (failover) _master.OnFailoverPsyncReply(true);
                _master.Raise(ReplicationEventKind.SyncStarted, false, $"{host}:{port}", "full resync: loading the master's snapshot");
            }
            await LoadSnapshotAsync(reader, parts[1], offset, ct);
            partial = false;
        }
        else if (reply.StartsWith("+CONTINUE", StringComparison.Ordinal))
        {
            string newId = reply.Length > 10 ? reply[10..].Trim() : "";
            lock (_engine.SyncRoot)
            {
                // A new id on CONTINUE (the master was promoted, or restarted from its dump): the old one stays
                // valid as replid2, and our own replicas are disconnected so they learn the new id (Redis 7.0).
                if (newId.Length == 40 && newId != (_cachedReplId ?? _engine.ReplId))
                {
                    var ids = _master.Ids;
                    _master.SetIds(new ReplicationIds(newId, _cachedReplId ?? ids.ReplId, ids.Offset, ids.Offset + 1));
                    _master.DisconnectReplicas();
                }
                _cachedReplId = _engine.ReplId;
                if (failover) _master.OnFailoverPsyncReply(true);
                // replicationResurrectCachedMaster: the stream goes on in the db the cached master had selected.
                _masterClient = NewMasterClient(_cachedDb);
            }
            partial = true;
        }
        else
        {
            throw new IOException("unexpected PSYNC reply: " + reply);
        }

        lock (_engine.SyncRoot)
        {
            State = MasterLinkState.Connected;
            LastIoMs = _engine.Keyspace.NowMs;
            LinkUp?.Invoke(partial);
            _master.Raise(ReplicationEventKind.SyncFinished, partial, $"{host}:{port}", partial ? "link up after partial resync" : "link up after full sync");
        }
        await SendAckAsync(stream, ct); // right after loading, as replicationSendAck after readSyncBulkPayload
        using var ackLoopStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ackLoop = AckLoopAsync(stream, ackLoopStop.Token);
        try
        {
            await ApplyStreamAsync(reader, stream, ct);
        }
        finally
        {
            ackLoopStop.Cancel();
            await ackLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private ClientSession NewMasterClient(int db)
    {
        var c = _engine.CreateClient($"{MasterHost}:{MasterPort}", $"127.0.0.1:{_engine.TcpPort}");
        c.Flags |= ClientFlags.Master;
        c.Authenticated = true;
        c.Db = db;
        return c;
    }

    private async Task LoadSnapshotAsync(MasterLinkReader reader, string replId, long offset, CancellationToken ct)
    {
        string header = await reader.ReadLineAsync(ct);
        if (!header.StartsWith('$')) throw new InvalidDataException("bad snapshot header: " + header);
        byte[] rdb;
        if (header.StartsWith("$EOF:", StringComparison.Ordinal))
        {
            var mark = Encoding.Latin1.GetBytes(header[5..]);
            if (mark.Length != 40) throw new InvalidDataException("bad EOF mark: " + header);
            rdb = await reader.ReadUntilMarkAsync(mark, ct);
        }
        else
        {
            if (!long.TryParse(header.AsSpan(1), out long len) || len < 0) throw new InvalidDataException("bad bulk length: " + header);
            rdb = await reader.ReadExactAsync(len, ct);
        }
        // Loaded aside (no lock held while parsing) and swapped in whole; a replica keeps keys its master will expire.
        var fresh = new Keyspace(_engine.Keyspace.DatabaseCount, _engine.Time) { IsReplica = true };
        var result = RdbReader.Load(rdb, "master", fresh, new RdbLoadOptions
        {
            SkipExpired = false,
            NowMs = _engine.Keyspace.NowMs,
            VerifyChecksum = _engine.Config.RdbChecksum,
        });
        lock (_engine.SyncRoot)
        {
            ct.ThrowIfCancellationRequested();
            _engine.Keyspace.ReplaceContents(fresh);
            // replicationAttachToNewMaster + the end of readSyncBulkPayload: sub-replicas are disconnected, the backlog
            // is freed and recreated at the master's offset with its replid, replid2 cleared.
            _master.ResetForFullSync(replId, offset);
            _cachedReplId = replId;
            _masterClient = NewMasterClient(result.ReplStreamDb ?? 0);
        }
    }

    private Task SendAckAsync(Stream stream, CancellationToken ct)
    {
        long offset;
        lock (_engine.SyncRoot) offset = _engine.ReplOffset;
        return SendAsync(stream, Encode("REPLCONF", "ACK", offset.ToString(CultureInfo.InvariantCulture)), ct);
    }

    private async Task AckLoopAsync(Stream stream, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _engine.Time);
        while (await timer.WaitForNextTickAsync(ct)) await SendAckAsync(stream, ct);
    }

    /// <summary>
    /// Applies the stream: each complete command runs through the dispatcher as the master client (replies are
    /// dropped). The bytes of each applied command are then proxied verbatim (backlog, offset, own replicas), as Redis
    /// 7.0 does after a command from its master; inside MULTI nothing is applied (the offset does not move) until
    /// EXEC, so the whole transaction goes out at once. REPLCONF GETACK is answered with the offset before it.
    /// </summary>
    private async Task ApplyStreamAsync(MasterLinkReader reader, Stream stream, CancellationToken ct)
    {
        var batch = new CommandBatch();
        var args = new ArgList();
        var unapplied = new System.Buffers.ArrayBufferWriter<byte>(); // bytes of an open MULTI, not counted yet
        Volatile.Write(ref _readAhead, 0);
        while (true)
        {
            // slave_read_repl_offset counts every byte read (Redis's read_reploff), applied or not.
            Volatile.Write(ref _readAhead, unapplied.WrittenCount + reader.Buffered.Length);
            if (reader.Buffered.Length > 0)
            {
                batch.Clear();
                // Parsed in place: the commands' arguments point into the reader's buffer, which stays put until
                // the next fill (applying copies what it keeps; the stream's bytes are copied into the backlog).
                var memory = reader.BufferedMemory;
                var raw = memory.Span;
                var seq = new ReadOnlySequence<byte>(memory);
                var status = RespParser.Parse(seq, batch, new ParserLimits(long.MaxValue / 2, false), out var consumed, out string? error);
                if (status == ParseStatus.ProtocolError) throw new InvalidDataException("master protocol error: " + error);
                int used = (int)seq.Slice(0, consumed).Length;
                long? ackAt = null;
                lock (_engine.SyncRoot)
                {
                    var client = _masterClient ?? throw new ObjectDisposedException("master link");
                    LastIoMs = _engine.Keyspace.NowMs;
                    int pos = 0; // start of the next unaccounted byte of raw
                    for (int i = 0; i < batch.Count; i++)
                    {
                        batch.GetCommand(i, args);
                        // Stray newlines before a command are read (and counted) with it, as Redis's reploff does.
                        int start = pos;
                        while (pos < used && raw[pos] != (byte)'*') pos++;
                        pos += (int)EncodedLength(args);
                        if (pos > used) throw new InvalidDataException("master stream framing is not canonical RESP");
                        if (args.Count >= 2 && args.Is(0, "REPLCONF") && args.Is(1, "GETACK"))
                            ackAt = _engine.ReplOffset;
                        else
                            _engine.Execute(client, args);
                        var bytes = raw.Slice(start, pos - start);
                        if (client.Has(ClientFlags.Multi))
                        {
                            unapplied.Write(bytes);
                        }
                        else if (unapplied.WrittenCount > 0)
                        {
                            unapplied.Write(bytes);
                            _master.FeedFromMaster(unapplied.WrittenSpan);
                            unapplied.ResetWrittenCount();
                        }
                        else
                        {
                            _master.FeedFromMaster(bytes);
                        }
                    }
                    if (pos < used)
                    {
                        // Trailing newlines (keepalives): counted with whatever comes next.
                        unapplied.Write(raw.Slice(pos, used - pos));
                    }
                    Volatile.Write(ref _readAhead, unapplied.WrittenCount + (raw.Length - used));
                    // Nothing is ever replied to the master.
                    var dropped = client.TakeOutput();
                    if (dropped is not null) client.ReturnOutput(dropped);
                }
                reader.Consume(used);
                if (ackAt is long at)
                    await SendAsync(stream, Encode("REPLCONF", "ACK", at.ToString(CultureInfo.InvariantCulture)), ct);
                if (batch.Count > 0 || used > 0) continue;
            }
            if (!await reader.FillAsync(ct)) throw new IOException("master closed the link");
        }
    }

    /// <summary>Bytes of a command as a master writes it (`*N\r\n` then `$len\r\n&lt;arg&gt;\r\n` each).</summary>
    private static long EncodedLength(ArgList args)
    {
        long n = 1 + Digits(args.Count) + 2;
        for (int i = 0; i < args.Count; i++)
        {
            int len = args[i].Length;
            n += 1 + Digits(len) + 2 + len + 2;
        }
        return n;
    }

    private static int Digits(long v) => v < 10 ? 1 : (int)Math.Floor(Math.Log10(v)) + 1;

    // ---- introspection ----

    /// <summary>ROLE, replica form: ["slave", host, port, state, offset (-1 without a master client)].</summary>
    public void WriteRole(RespWriter reply)
    {
        reply.ArrayHeader(5);
        reply.Bulk("slave"u8);
        reply.Bulk(MasterHost ?? "");
        reply.Integer(MasterPort);
        reply.Bulk(State switch
        {
            MasterLinkState.Connect => "connect",
            MasterLinkState.Connecting => "connecting",
            MasterLinkState.Handshake => "handshake",
            MasterLinkState.Sync => "sync",
            _ => "connected",
        });
        reply.Integer(_masterClient is not null && State == MasterLinkState.Connected ? _engine.ReplOffset : -1);
    }

    /// <summary>The replica lines of INFO replication (role to replica_announced).</summary>
    internal void AppendInfo(StringBuilder sb)
    {
        long now = _engine.Keyspace.NowMs;
        void Line(string name, object value) => sb.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");
        bool up = State == MasterLinkState.Connected;
        Line("role", "slave");
        Line("master_host", MasterHost ?? "");
        Line("master_port", MasterPort);
        Line("master_link_status", up ? "up" : "down");
        Line("master_last_io_seconds_ago", _masterClient is null ? -1 : (now - LastIoMs) / 1000);
        Line("master_sync_in_progress", State == MasterLinkState.Sync ? 1 : 0);
        Line("slave_read_repl_offset", _engine.ReplOffset + (_masterClient is null ? 0 : Volatile.Read(ref _readAhead)));
        Line("slave_repl_offset", _engine.ReplOffset);
        if (!up) Line("master_link_down_since_seconds", LinkDownSinceMs < 0 ? -1 : (now - LinkDownSinceMs) / 1000);
        Line("slave_priority", _engine.Config.ReplicaPriority);
        Line("slave_read_only", _engine.Config.ReplicaReadOnly ? 1 : 0);
        Line("replica_announced", 1);
    }
}
