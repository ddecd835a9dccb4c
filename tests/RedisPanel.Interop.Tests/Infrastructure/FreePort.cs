using System.Net;
using System.Net.Sockets;

namespace RedisPanel.Interop.Tests.Infrastructure;

/// <summary>Asks the OS for a free loopback port (bind port 0, read it, release it).</summary>
public static class FreePort
{
    /// <summary>A port that was free a moment ago; callers retry on a bind race.</summary>
    public static int Next()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
