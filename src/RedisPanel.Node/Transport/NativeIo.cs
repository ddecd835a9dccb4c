// The few Linux calls the node's event loop needs: an epoll instance, an eventfd to wake it, and non-blocking
// recv/send that report exactly how much moved (Socket.Send returns 0 when a non-blocking send stops half-way with
// EAGAIN, losing the count of what was sent).
using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RedisPanel.Node.Transport;

internal static partial class NativeIo
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Err = 0x008;
    public const uint Hup = 0x010;
    public const uint RdHup = 0x2000;
    public const uint EdgeTriggered = 1u << 31;

    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int CloExec = 0x80000; // EPOLL_CLOEXEC = EFD_CLOEXEC = O_CLOEXEC
    private const int EventFdNonBlock = 0x800;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int MsgNoSignal = 0x4000;

    /// <summary>Most iovecs per sendmsg (Linux takes 1024; a reply rarely spans more than a few blocks).</summary>
    public const int MaxSendSegments = 64;

    /// <summary>sizeof(struct epoll_event): packed to 12 bytes on x86-64 (the kernel's __EPOLL_PACKED), 16 elsewhere.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventSize - 8;

    public static int Create()
    {
        int fd = epoll_create1(CloExec);
        return fd >= 0 ? fd : throw Error("epoll_create1");
    }

    public static int CreateEventFd()
    {
        int fd = eventfd(0, CloExec | EventFdNonBlock);
        return fd >= 0 ? fd : throw Error("eventfd");
    }

    public static unsafe void Add(int epfd, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = data;
        if (epoll_ctl(epfd, CtlAdd, fd, ev) != 0) throw Error("epoll_ctl(ADD)");
    }

    /// <summary>Removes <paramref name="fd"/>; false when it was not registered or is already closed.</summary>
    public static unsafe bool Remove(int epfd, int fd)
    {
        byte* ev = stackalloc byte[16]; // kernels before 2.6.9 wanted a non-null event even for DEL
        return epoll_ctl(epfd, CtlDel, fd, ev) == 0;
    }

    /// <summary>Waits for events (retrying on EINTR); returns how many were written to <paramref name="events"/>.</summary>
    public static unsafe int Wait(int epfd, byte* events, int max, int timeoutMs)
    {
        while (true)
        {
            int n = epoll_wait(epfd, events, max, timeoutMs);
            if (n >= 0) return n;
            if (Marshal.GetLastPInvokeError() != EIntr) throw Error("epoll_wait");
        }
    }

    public static unsafe uint EventsAt(byte* events, int i) => *(uint*)(events + i * EventSize);

    public static unsafe ulong DataAt(byte* events, int i) => *(ulong*)(events + i * EventSize + DataOffset);

    public static unsafe void Signal(int eventFd)
    {
        ulong one = 1;
        _ = write(eventFd, &one, 8); // EAGAIN only when the counter is saturated: the loop is woken anyway
    }

    public static unsafe void Drain(int eventFd)
    {
        ulong value;
        _ = read(eventFd, &value, 8);
    }

    public static void Close(int fd) => _ = close(fd);

    /// <summary>One non-blocking recv into <paramref name="buffer"/>: bytes read (0 at end of stream), or -1 for EAGAIN.</summary>
    /// <exception cref="SocketException">Any other error (reset by the peer, ...).</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static unsafe int Receive(SafeHandle socket, Memory<byte> buffer)
    {
        bool added = false;
        using var pin = buffer.Pin();
        try
        {
            socket.DangerousAddRef(ref added); // the descriptor cannot be closed (and reused) under the call
            int fd = (int)socket.DangerousGetHandle();
            while (true)
            {
                nint n = recv(fd, pin.Pointer, buffer.Length, 0);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EAgain) return -1;
                if (errno != EIntr) throw PeerError(errno);
            }
        }
        finally
        {
            if (added) socket.DangerousRelease();
        }
    }

    /// <summary>One non-blocking send of as much of <paramref name="buffer"/> as the socket takes: bytes sent, 0 for EAGAIN.</summary>
    /// <exception cref="SocketException">Any other error (reset by the peer, ...).</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static unsafe long Send(SafeHandle socket, in ReadOnlySequence<byte> buffer)
    {
        bool added = false;
        Pins pins = default;
        int count = 0;
        try
        {
            socket.DangerousAddRef(ref added);
            int fd = (int)socket.DangerousGetHandle();
            if (buffer.IsSingleSegment)
            {
                pins[0] = buffer.First.Pin();
                count = 1;
                nint n;
                while ((n = send(fd, pins[0].Pointer, buffer.First.Length, MsgNoSignal)) < 0)
                    if (!Retryable()) return 0;
                return n;
            }
            // Several segments: one sendmsg with an iovec each (struct iovec: base, length).
            nint* iov = stackalloc nint[2 * MaxSendSegments];
            foreach (var segment in buffer)
            {
                if (segment.IsEmpty) continue;
                pins[count] = segment.Pin();
                iov[2 * count] = (nint)pins[count].Pointer;
                iov[2 * count + 1] = segment.Length;
                if (++count == MaxSendSegments) break;
            }
            // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags (7 words with padding).
            nint* msg = stackalloc nint[7];
            new Span<nint>(msg, 7).Clear();
            msg[2] = (nint)iov;
            msg[3] = count;
            nint sent;
            while ((sent = sendmsg(fd, msg, MsgNoSignal)) < 0)
                if (!Retryable()) return 0;
            return sent;
        }
        finally
        {
            for (int i = 0; i < count; i++) pins[i].Dispose();
            if (added) socket.DangerousRelease();
        }
    }

    /// <summary>After a failed send: true for EINTR (call again), false for EAGAIN; throws for anything else.</summary>
    private static bool Retryable()
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EAgain) return false;
        return errno == EIntr ? true : throw PeerError(errno);
    }

    private static SocketException PeerError(int errno) =>
        new((int)System.Net.Sockets.SocketError.ConnectionReset, Marshal.GetPInvokeErrorMessage(errno));

    /// <summary>Pins of the segments of one send.</summary>
    [InlineArray(MaxSendSegments)]
    private struct Pins
    {
        private MemoryHandle _e;
    }

    private static System.ComponentModel.Win32Exception Error(string call) =>
        new(Marshal.GetLastPInvokeError(), call + " failed");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int eventfd(uint initval, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint read(int fd, void* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, void* buf, nint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, void* buf, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint send(int fd, void* buf, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint sendmsg(int fd, void* msg, int flags);
}
