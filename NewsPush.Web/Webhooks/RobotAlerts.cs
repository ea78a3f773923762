using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Push;

namespace NewsPush.Web.Webhooks;

/// <summary>
/// System alerts for the newsroom's robots that receive them ("a team's Slack channel gets alerts"): a channel that
/// pauses, a robot the provider refuses, deliveries that failed (once an hour per channel). One <see cref="SystemAlert"/> row, one delivery per robot.
/// </summary>
public sealed class RobotAlerts(NewsPushDbContext db, DeliverySignal signal, TimeProvider clock) : IChannelPauseListener, IDeliveryFailureListener
{
    /// <summary>Saves the alert and one delivery for each robot that receives alerts — except <paramref name="exceptRobotId"/>.</summary>
    public async Task<int> AddAsync(string title, string text, string? url, long? exceptRobotId, CancellationToken ct)
    {
        var robots = await db.WebhookEndpoints.AsNoTracking()
            .Where(w => w.Owner == WebhookOwner.Newsroom && w.ReceivesAlerts && w.IsActive && w.Id != (exceptRobotId ?? 0))
            .Select(w => new { w.Id, w.UserId }).ToListAsync(ct);
        if (robots.Count == 0)
        {
            return 0;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var alert = db.SystemAlerts.Add(new SystemAlert { Title = Texts.Clip(title, 200), Text = Texts.Clip(text, 2000), Url = url, CreatedAt = now }).Entity;
        await db.SaveChangesAsync(ct);
        foreach (var robot in robots)
        {
            db.Deliveries.Add(new Delivery
            {
                UserId = robot.UserId, Channel = DeliveryChannel.Webhook, EndpointId = robot.Id, ContentKind = DeliveryContentKind.SystemAlert, ContentId = alert.Id,
                Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = now.AddHours(24),
            });
        }
        await db.SaveChangesAsync(ct);
        signal.Notify();
        return robots.Count;
    }

    /// <summary>A channel paused: its robots that receive alerts are told, once per pause (the webhook channel's own pause too).</summary>
    public async Task OnPausedAsync(DeliveryChannel channel, ChannelFault fault, CancellationToken ct)
    {
        var needsPerson = fault.Kind == ChannelPauseKind.Configuration;
        await AddAsync($"The {channel} channel is paused", (needsPerson
                ? "It refuses our settings and waits for an admin: "
                : "Its service cannot be reached; it retries by itself: ") + fault.Reason,
            "/admin/deliveries", null, ct);
    }

    /// <summary>At most one "deliveries failed" alert per channel in this time; the count says how many in the first batch.</summary>
    public static readonly TimeSpan FailureAlertInterval = TimeSpan.FromHours(1);

    /// <summary>Deliveries ended without being sent: told once an hour per channel, with the last error.</summary>
    public async Task OnEndedUnsentAsync(DeliveryChannel channel, int count, string? lastError, CancellationToken ct)
    {
        var title = $"Deliveries failed on the {channel} channel";
        var since = clock.GetUtcNow().UtcDateTime - FailureAlertInterval;
        if (await db.SystemAlerts.AnyAsync(a => a.Title == title && a.CreatedAt > since, ct))
        {
            return;
        }
        await AddAsync(title, $"{count} {(count == 1 ? "delivery" : "deliveries")} ended without being sent. Last error: {lastError}", "/admin/deliveries", null, ct);
    }
}

/// <summary>The content of a <see cref="DeliveryContentKind.SystemAlert"/> delivery.</summary>
public sealed class SystemAlertContentSource(NewsPushDbContext db) : IDeliveryContentSource
{
    public DeliveryContentKind Kind => DeliveryContentKind.SystemAlert;

    public async Task<IReadOnlyDictionary<long, DeliveryContent>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct) =>
        await db.SystemAlerts.AsNoTracking().Where(a => ids.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => new DeliveryContent(DeliveryContentKind.SystemAlert, a.Id, a.Title, a.Text, a.Url, []), ct);
}
