// The few Linux calls the node's event loop needs: an epoll instance and an eventfd to wake it.
using System.Runtime.InteropServices;

namespace RedisPanel.Node.Transport;

internal static partial class Epoll
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
}
