using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Inbox;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Infrastructure.Email;
using NewsPush.Web.Push;

namespace NewsPush.Web.Devices;

/// <summary>One notification for one app install, in the words both FCM and APNs render.</summary>
public sealed record DevicePush(
    string Token, string Title, string Body, string? ImageUrl, string Link, string CollapseKey, bool Immediate, TimeSpan TimeToLive,
    DateTime ExpiresAt, int Badge, string Kind, IReadOnlyDictionary<string, string> Data);

/// <summary>What FCM or APNs said about one push, in the channel's terms.</summary>
public enum DeviceOutcome { Sent, TokenGone, Rejected, Retry, AuthFailed }

public readonly record struct DeviceAnswer(DeviceOutcome Outcome, string Detail, TimeSpan? RetryAfter = null, DateTime? UnregisteredAt = null);

/// <summary>
/// Pushes to app installs, shared by the FCM (Android) and APNs (iOS) channels: one delivery is one device
/// (<see cref="Delivery.EndpointId"/> is its row). Before sending it checks the device still belongs to the reader, is
/// active, takes pushes and this kind, and is within its push hours (else the delivery waits for them, unless the push
/// is critical); the time to live is what is left of the content's. Every push carries the badge: the reader's unread
/// inbox items (those this push adds included), or, for a reader without the inbox, the pushes since the app was
/// last opened. The service's answer decides the outcome: token gone → the device is deactivated; throttled or down
/// → retried later with its Retry-After; our credentials refused → the channel pauses and admins are told.
/// </summary>
public abstract class DeviceChannel(
    NewsPushDbContext db, InboxService inbox, DeviceRegistry registry, IOptions<EmailOptions> site, IOptions<DeviceOptions> options, TimeProvider clock,
    ILogger logger) : IChannelSender
{
    private static readonly IReadOnlySet<DeliveryContentKind> Kinds = new HashSet<DeliveryContentKind>
    {
        DeliveryContentKind.Digest, DeliveryContentKind.Breaking, DeliveryContentKind.Test,
    };

    public abstract DeliveryChannel Channel { get; }

    public IReadOnlySet<DeliveryContentKind> Carries => Kinds;

    /// <summary>Outcomes are recorded after each group: a crash repeats at most this many notifications.</summary>
    public int GroupSize => 500;

    protected abstract DevicePlatform Platform { get; }

    /// <summary>"FCM" or "APNs", for messages.</summary>
    protected abstract string Service { get; }

    protected abstract int Parallelism { get; }

    /// <summary>Null when the service can be used; else why not (no credentials), which pauses the channel.</summary>
    protected abstract string? NotConfiguredReason { get; }

    protected abstract Task<DeviceAnswer> SendOneAsync(DevicePush push, CancellationToken ct);

    public async Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
    {
        if (NotConfiguredReason is { } missing)
        {
            report.ChannelMisconfigured(missing);
            return;
        }
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = group.Select(d => d.Delivery.EndpointId).Distinct().ToList();
        var devices = await db.Devices.AsNoTracking().Where(d => ids.Contains(d.Id))
            .Select(d => new
            {
                d.Id, d.UserId, d.Platform, d.Token, d.PushEnabled, d.ReceivesDigests, d.ReceivesBreaking, d.DeactivatedAt, d.TimeZoneId,
                d.PushHoursStart, d.PushHoursEnd, d.BadgeCount, d.TokenUpdatedAt,
            })
            .ToDictionaryAsync(d => d.Id, ct);
        var sendable = new List<(OutboundDelivery Delivery, long DeviceId, string Token, TimeSpan Ttl)>(group.Count);
        var zones = new Dictionary<string, TimeZoneInfo>();
        foreach (var d in group)
        {
            if (!devices.TryGetValue(d.Delivery.EndpointId, out var device) || device.UserId != d.UserId)
            {
                report.Suppressed(d.Id, "The app was signed out or removed from this account before this was sent.");
                continue;
            }
            if (device.Platform != Platform)
            {
                report.Failed(d.Id, $"This device is not an {Service} device.");
                continue;
            }
            if (device.DeactivatedAt is not null)
            {
                report.Suppressed(d.Id, $"{Service} no longer accepts this device's token; it waits for the app to register again.");
                continue;
            }
            if (d.Content.Kind != DeliveryContentKind.Test && (!device.PushEnabled
                || (d.Content.Kind == DeliveryContentKind.Digest && !device.ReceivesDigests)
                || (d.Content.Kind == DeliveryContentKind.Breaking && !device.ReceivesBreaking)))
            {
                report.Suppressed(d.Id, "The reader turned this off for this device.");
                continue;
            }
            var ttl = TimeToLive(d.Content.Kind, o);
            var age = now - d.Delivery.CreatedAt;
            if (d.Content.Kind is DeliveryContentKind.Digest or DeliveryContentKind.Breaking && age > ttl)
            {
                report.Suppressed(d.Id, $"Not sent: older than its time to live ({ttl.TotalHours:0.#} h) when the channel could send it.");
                continue;
            }
            if (d.Content.Kind != DeliveryContentKind.Test && !d.Content.IsCritical && device.PushHoursStart is { } start && device.PushHoursEnd is { } end)
            {
                var zone = TimeZones.TryFind(device.TimeZoneId, out var own) ? own : await ReaderZoneAsync(d.UserId, zones, ct);
                var local = TimeZoneInfo.ConvertTimeFromUtc(now, zone);
                // Push hours are when pushes are welcome: outside them is quiet.
                var opens = AudiencePlanner.AfterQuietHours(local, end, start);
                if (opens != local)
                {
                    report.Defer(d.Id, TimeZones.ToUtc(opens, zone), $"Waits for this device's push hours ({DeviceRegistry.Format(start)}–{DeviceRegistry.Format(end)}).");
                    continue;
                }
            }
            var left = d.Content.Kind is DeliveryContentKind.Digest or DeliveryContentKind.Breaking ? ttl - age : ttl;
            sendable.Add((d, device.Id, device.Token, left < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left));
        }
        if (sendable.Count == 0)
        {
            return;
        }
        var badges = await BadgesAsync(sendable.Select(s => s.Delivery).ToList(), devices.ToDictionary(x => x.Key, x => x.Value.BadgeCount), ct);
        var sent = new ConcurrentDictionary<long, int>();
        var gone = new ConcurrentBag<long>();
        var baseUrl = site.Value.BaseUrl(null);
        await Parallel.ForEachAsync(sendable, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (item, token) =>
        {
            var (d, deviceId, deviceToken, ttl) = item;
            if (!report.MaySend)
            {
                return;
            }
            var badge = badges[d.Id];
            var push = Render(d, deviceToken, ttl, now, badge, baseUrl);
            var answer = await SendOneAsync(push, token);
            switch (answer.Outcome)
            {
                case DeviceOutcome.Sent:
                    sent.AddOrUpdate(deviceId, badge, (_, was) => Math.Max(was, badge));
                    report.Sent(d.Id);
                    break;
                case DeviceOutcome.TokenGone:
                    var registered = devices[deviceId].TokenUpdatedAt;
                    if (answer.UnregisteredAt is { } at && at <= registered)
                    {
                        // APNs says the token ended before the app last registered it: the newer registration stands.
                        report.Retry(d.Id, $"{answer.Detail} The app registered the token again after that, so it is tried again.");
                    }
                    else
                    {
                        gone.Add(deviceId);
                        report.Failed(d.Id, answer.Detail);
                    }
                    break;
                case DeviceOutcome.Rejected:
                    report.Failed(d.Id, answer.Detail);
                    break;
                case DeviceOutcome.Retry:
                    report.Retry(d.Id, answer.Detail, answer.RetryAfter);
                    break;
                case DeviceOutcome.AuthFailed:
                    logger.LogWarning("{Service} refused our credentials: {Detail}", Service, answer.Detail);
                    report.ChannelMisconfigured($"{Service} refused our credentials: {answer.Detail}");
                    break;
            }
        });
        await RecordAsync(sent, gone.Distinct().ToList(), now);
    }

    /// <summary>
    /// The badge each push carries. With the inbox on, the reader's unread items, counting this push's own inbox item
    /// when the inbox has not stored it yet (the two channels run independently); without it, one more than the device shows.
    /// </summary>
    private async Task<Dictionary<long, int>> BadgesAsync(List<OutboundDelivery> deliveries, Dictionary<long, int> shown, CancellationToken ct)
    {
        var users = deliveries.Select(d => d.UserId).Distinct().ToList();
        var inboxOn = (await db.ReaderPreferences.AsNoTracking().Where(p => users.Contains(p.UserId) && p.InboxEnabled).Select(p => p.UserId).ToListAsync(ct)).ToHashSet();
        var unread = inboxOn.Count == 0 ? new Dictionary<string, int>() : await inbox.UnreadCountsAsync(inboxOn, ct);
        var contentIds = deliveries.Select(d => d.Delivery.ContentId).Distinct().ToList();
        var pendingInbox = inboxOn.Count == 0 ? [] : (await db.Deliveries.AsNoTracking()
                .Where(x => x.Channel == DeliveryChannel.Inbox && inboxOn.Contains(x.UserId) && contentIds.Contains(x.ContentId)
                    && (x.Status == DeliveryStatus.Queued || x.Status == DeliveryStatus.Sending))
                .Select(x => new { x.UserId, x.ContentKind, x.ContentId }).ToListAsync(ct))
            .Select(x => (x.UserId, x.ContentKind, x.ContentId)).ToHashSet();
        var result = new Dictionary<long, int>(deliveries.Count);
        var extra = new Dictionary<string, int>();
        foreach (var d in deliveries)
        {
            if (inboxOn.Contains(d.UserId))
            {
                if (pendingInbox.Contains((d.UserId, d.Delivery.ContentKind, d.Delivery.ContentId)))
                {
                    // Several pushes of one reader in a group each add their own pending item.
                    extra[d.UserId] = extra.GetValueOrDefault(d.UserId) + 1;
                }
                result[d.Id] = Math.Max(0, unread.GetValueOrDefault(d.UserId) + extra.GetValueOrDefault(d.UserId));
            }
            else
            {
                shown[d.Delivery.EndpointId] = shown.GetValueOrDefault(d.Delivery.EndpointId) + 1;
                result[d.Id] = shown[d.Delivery.EndpointId];
            }
        }
        return result;
    }

    private DevicePush Render(OutboundDelivery d, string token, TimeSpan ttl, DateTime now, int badge, string baseUrl)
    {
        var c = d.Content;
        var story = c.Stories.Count > 0 ? c.Stories[0] : null;
        var target = story is null ? (PushEndpoints.IsLocal(c.Url) ? c.Url! : "/") : Slugs.ArticlePath(story.Slug);
        var link = story is null
            ? $"{baseUrl}/t/c/{d.Delivery.TrackingToken}?u={Uri.EscapeDataString(target)}"
            : $"{baseUrl}/t/c/{d.Delivery.TrackingToken}?a={story.ArticleId}&u={Uri.EscapeDataString(target)}";
        var (kind, collapse) = c.Kind switch
        {
            DeliveryContentKind.Digest => ("digest", $"digest-{c.Id}"),
            DeliveryContentKind.Breaking => ("breaking", c.CollapseKey ?? (story is null ? $"breaking-{c.Id}" : $"story-{story.ArticleId}")),
            DeliveryContentKind.Test => ("test", "test"),
            _ => (c.Kind.ToString().ToLowerInvariant(), $"{c.Kind.ToString().ToLowerInvariant()}-{c.Id}"),
        };
        var data = new Dictionary<string, string>
        {
            ["kind"] = kind,
            ["path"] = target,
            ["delivery"] = d.Delivery.TrackingToken,
        };
        if (story is not null)
        {
            data["articleId"] = story.ArticleId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return new DevicePush(token, c.Title, c.Summary, null, link, collapse, c.Kind == DeliveryContentKind.Breaking || c.Kind == DeliveryContentKind.Test,
            ttl, now + ttl, badge, kind, data);
    }

    /// <summary>Device health after a group: the badge each now shows and the last success; gone tokens deactivated.</summary>
    private async Task RecordAsync(ConcurrentDictionary<long, int> sent, List<long> gone, DateTime now)
    {
        foreach (var byBadge in sent.GroupBy(x => x.Value, x => x.Key))
        {
            var ids = byBadge.ToList();
            var badge = byBadge.Key;
            await db.Devices.Where(d => ids.Contains(d.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.BadgeCount, badge).SetProperty(d => d.LastSuccessAt, now), CancellationToken.None);
        }
        if (gone.Count > 0)
        {
            await registry.DeactivateAsync(gone, $"{Service} said the token no longer works (the app was removed or the token expired).", CancellationToken.None);
        }
    }

    private async Task<TimeZoneInfo> ReaderZoneAsync(string userId, Dictionary<string, TimeZoneInfo> cache, CancellationToken ct)
    {
        if (!cache.TryGetValue(userId, out var zone))
        {
            zone = cache[userId] = await db.TimeZoneOfAsync(userId, ct);
        }
        return zone;
    }

    public static TimeSpan TimeToLive(DeliveryContentKind kind, DeviceOptions o) => kind switch
    {
        DeliveryContentKind.Breaking => TimeSpan.FromHours(o.BreakingTtlHours),
        DeliveryContentKind.Test => TimeSpan.FromMinutes(10),
        _ => TimeSpan.FromHours(o.DigestTtlHours),
    };
}
