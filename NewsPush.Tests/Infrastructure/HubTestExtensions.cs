using NewsPush.Web.Infrastructure.Realtime;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using NewsPush.Web.Inbox;

namespace NewsPush.Tests.Infrastructure;

public static class HubTestExtensions
{
    /// <summary>A connection (not started) to the in-memory site's notification hub, signed in with <paramref name="client"/>'s cookies or anonymous.</summary>
    public static HubConnection NotificationHubConnection(this NewsPushFactory factory, LoggedInClient? client) => new HubConnectionBuilder()
        .WithUrl(new Uri(factory.Server.BaseAddress, NotificationHub.Path), o =>
        {
            o.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
            if (client is not null)
            {
                o.Headers["Cookie"] = client.CookieHeader;
            }
        })
        .Build();
}
