// The engine's view of one client connection: selected db, protocol, auth, name, MULTI state, and the reply
// buffer. The node's connection drives it; everything here is read and written under the node's ordering lock
// (the reply buffer's swap also takes the buffer's monitor, see TakeOutput).
using RedisPanel.Protocol;

namespace RedisPanel.Engine;

[Flags]
public enum ClientFlags
{
    None = 0,
    /// <summary>The link from this replica to its master (Redis's 'M').</summary>
    Master = 1 << 0,
    /// <summary>A replica connected to this master (Redis's 'S').</summary>
    Replica = 1 << 1,
    Monitor = 1 << 2,
    PubSub = 1 << 3,
    Multi = 1 << 4,
    Blocked = 1 << 5,
    CloseAfterReply = 1 << 6,
    CloseAsap = 1 << 7,
    DirtyCas = 1 << 8,
    DirtyExec = 1 << 9,
    ReadOnlyCluster = 1 << 10,
    NoEvict = 1 << 11,
    /// <summary>An internal client (AOF loading, dashboard console) with no socket.</summary>
    Internal = 1 << 12,
}

public sealed class ClientSession
{
    private readonly object _outputLock = new();
    private ReplyBuffer _reply = new();
    private ReplyBuffer _spare = new();

    public ClientSession(long id, string addr, string laddr, long createdMs)
    {
        Id = id;
        Address = addr;
        LocalAddress = laddr;
        CreatedMs = createdMs;
        LastInteractionMs = createdMs;
        Writer = new RespWriter(_reply);
    }

    public long Id { get; }
    public string Address { get; }
    public string LocalAddress { get; }
    public long CreatedMs { get; }
    public long LastInteractionMs { get; set; }
    public string Name { get; set; } = "";
    public string User { get; set; } = "default";
    public int Db { get; set; }
    public bool Authenticated { get; set; }
    public ClientFlags Flags { get; set; }
    public string LastCommand { get; set; } = "NULL";

    /// <summary>
    /// Whether a protected action (enable-debug-command, enable-protected-configs) set to <paramref name="setting"/>
    /// allows this client: yes, or local for a unix socket or the loopback address 127.0.0.1 / ::1 (Redis's
    /// allowProtectedAction and islocalClient).
    /// </summary>
    public bool AllowsProtectedAction(string setting)
    {
        if (setting == "yes") return true;
        if (setting != "local") return false;
        if (Address.StartsWith('/')) return true;
        int colon = Address.LastIndexOf(':');
        var ip = (colon > 0 ? Address.AsSpan(0, colon) : Address.AsSpan()).Trim("[]");
        return ip is "127.0.0.1" or "::1";
    }

    /// <summary>
    /// Redis's c->woff: the replication offset right after this client's last command (set by the dispatcher, not
    /// for queued commands). WAIT waits for it, so a client that ran nothing waits for offset 0.
    /// </summary>
    public long WriteOffset { get; set; }
    public string LibName { get; set; } = "";
    public string LibVersion { get; set; } = "";

    /// <summary>Replies are written here (under the node lock).</summary>
    public RespWriter Writer { get; }

    /// <summary>Bytes of output not yet handed to the socket.</summary>
    public int PendingOutput => _reply.Length;

    /// <summary>Bytes of the current query buffer (set by the connection for CLIENT LIST's qbuf).</summary>
    public int QueryBufferBytes { get; set; }

    /// <summary>Commands queued by MULTI (null when not in a transaction).</summary>
    public List<byte[][]>? MultiQueue { get; set; }

    /// <summary>Raised when output was produced outside the client's own request (pub/sub, unblock, kill).</summary>
    public Action<ClientSession>? OutputReady { get; set; }

    /// <summary>Raised when the connection must close (CLIENT KILL, QUIT after its reply, protocol error).</summary>
    public Action<ClientSession>? CloseRequested { get; set; }

    /// <summary>Set by a blocking command while the client waits; completed (under the node lock) once the
    /// client was served or timed out and its reply written.</summary>
    public TaskCompletionSource? Unblocked { get; set; }

    /// <summary>Set by a blocking command: forgets the client's blocking state when it disconnects.</summary>
    public Action<ClientSession>? CancelBlock { get; set; }

    /// <summary>Per-family state (watched keys, subscriptions, blocking) owned by the family that sets it.</summary>
    public Dictionary<Type, object>? Extensions { get; set; }

    public T GetExtension<T>() where T : class, new()
    {
        Extensions ??= new();
        if (!Extensions.TryGetValue(typeof(T), out var v))
        {
            v = new T();
            Extensions[typeof(T)] = v;
        }
        return (T)v;
    }

    public T? FindExtension<T>() where T : class =>
        Extensions is not null && Extensions.TryGetValue(typeof(T), out var v) ? (T)v : null;

    public bool Has(ClientFlags f) => (Flags & f) != 0;

    /// <summary>
    /// Swaps out the pending output (the caller holds the node lock and the connection's write gate) for the pump to write to the socket; returns null when there is none.
    /// The caller must hand the buffer back with <see cref="ReturnOutput"/>.
    /// </summary>
    public ReplyBuffer? TakeOutput()
    {
        lock (_outputLock)
        {
            if (_reply.Length == 0) return null;
            var full = _reply;
            _reply = _spare;
            _spare = null!;
            Writer.Redirect(_reply);
            return full;
        }
    }

    public void ReturnOutput(ReplyBuffer buffer)
    {
        buffer.Clear();
        lock (_outputLock) _spare = buffer;
    }

    /// <summary>Signals that output was written outside the client's own request cycle.</summary>
    public void NotifyOutput() => OutputReady?.Invoke(this);

    public void RequestClose() => CloseRequested?.Invoke(this);

    /// <summary>CLIENT LIST / CLIENT INFO flags column, as Redis prints it.</summary>
    public string FlagString()
    {
        var s = new System.Text.StringBuilder();
        if (Has(ClientFlags.Replica)) s.Append(Has(ClientFlags.Monitor) ? 'O' : 'S');
        if (Has(ClientFlags.Master)) s.Append('M');
        if (Has(ClientFlags.PubSub)) s.Append('P');
        if (Has(ClientFlags.Multi)) s.Append('x');
        if (Has(ClientFlags.Blocked)) s.Append('b');
        if (Has(ClientFlags.DirtyCas)) s.Append('d');
        if (Has(ClientFlags.CloseAfterReply)) s.Append('c');
        if (Has(ClientFlags.CloseAsap)) s.Append('A');
        if (Has(ClientFlags.NoEvict)) s.Append('e');
        if (s.Length == 0) s.Append('N');
        return s.ToString();
    }
}
