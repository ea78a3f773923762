using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace NewsPush.Web.Infrastructure.Realtime;

/// <summary>
/// Live inbox notifications at /hubs/notifications. Server → client only: "inboxChanged" tells the reader's
/// open pages to refresh the unread badge. Users are addressed by their Identity id (Clients.User).
/// </summary>
[Authorize]
public sealed class NotificationHub : Hub
{
    public const string Path = "/hubs/notifications";
    public const string InboxChanged = "inboxChanged";
}
