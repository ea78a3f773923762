using System.Net;
using System.Net.Sockets;

namespace NewsPush.Tests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1 for the servers the tests start (PostgreSQL, Redis).</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
