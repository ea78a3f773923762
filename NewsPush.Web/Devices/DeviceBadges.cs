using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Web.Inbox;

namespace NewsPush.Web.Devices;

/// <summary>
/// Reading in the site lowers the app badges: a device never shows more than the reader's unread items. The icon
/// itself changes with the next push, or when the app asks <c>GET /api/me/badge</c> on opening.
/// </summary>
public sealed class DeviceBadges(NewsPushDbContext db) : IInboxReadListener
{
    public async Task OnReadAsync(string userId, Func<string, CancellationToken, Task<int>> unread, CancellationToken ct)
    {
        // Most readers have no app showing a badge: one cheap query, and the unread count only when there is one.
        if (!await db.Devices.AnyAsync(d => d.UserId == userId && d.BadgeCount > 0, ct))
        {
            return;
        }
        var left = await unread(userId, ct);
        await db.Devices.Where(d => d.UserId == userId && d.BadgeCount > left).ExecuteUpdateAsync(s => s.SetProperty(d => d.BadgeCount, left), ct);
    }
}
