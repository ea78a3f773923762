using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Infrastructure.Realtime;

/// <summary>
/// Live inbox notifications at /hubs/notifications. Server → client only: "inboxChanged" tells the reader's
/// open pages to refresh the unread badge. Users are addressed by their Identity id (Clients.User).
/// A user holds at most <see cref="RealtimeOptions.MaxConnectionsPerUser"/> connections per node; the next is closed.
/// </summary>
[Authorize]
public sealed class NotificationHub(HubConnectionLimiter limiter, IOptions<RealtimeOptions> options) : Hub
{
    public const string Path = "/hubs/notifications";
    public const string InboxChanged = "inboxChanged";
    public const string TooManyConnections = "Too many open connections for this account; close some tabs.";

    private const string CountedKey = "newspush.counted";

    public override async Task OnConnectedAsync()
    {
        if (Context.UserIdentifier is not { } userId || !limiter.TryAcquire(userId, options.Value.MaxConnectionsPerUser))
        {
            // The client sees the connection closed with this message (it does not reconnect on a server error).
            throw new HubException(TooManyConnections);
        }
        Context.Items[CountedKey] = true;
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.ContainsKey(CountedKey) && Context.UserIdentifier is { } userId)
        {
            limiter.Release(userId);
        }
        await base.OnDisconnectedAsync(exception);
    }
}
