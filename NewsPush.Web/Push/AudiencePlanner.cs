using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Push;

/// <summary>One endpoint a reader gets a content on: <see cref="Delivery.EndpointId"/> 0 for inbox and e-mail.</summary>
public readonly record struct PlannedEndpoint(DeliveryChannel Channel, long EndpointId = 0);

/// <summary>
/// Where one reader gets a content: the endpoints in the order the weekly cap lets them through (inbox first),
/// and the earliest instant it may go out (the end of their quiet hours for a non-critical push).
/// </summary>
public sealed record ReaderPlan(string UserId, IReadOnlyList<PlannedEndpoint> Endpoints, DateTime? NotBefore)
{
    public bool IsSkipped => Endpoints.Count == 0;
}

/// <summary>
/// The one place that decides which channels and endpoints a reader gets, from their preferences: the channels
/// they turned on (e-mail only to a confirmed address and never after an unsubscribe), within the weekly cap
/// across all channels, outside quiet hours unless the push is critical. Digests, breaking news and tests all
/// plan through here; a new channel adds its endpoints here.
/// </summary>
public sealed class AudiencePlanner(NewsPushDbContext db)
{
    /// <summary>Readers with at least one channel on: the cheap filter producers apply before planning.</summary>
    public static readonly Expression<Func<ReaderPreferences, bool>> HasAnyChannel =
        p => p.InboxEnabled || (p.EmailEnabled && p.EmailUnsubscribedAt == null) || p.WebPushEnabled || p.WebhookEnabled || p.AppPushEnabled;

    /// <summary>Readers with a channel that interrupts (everything but the inbox): those a push's fan-out plans.</summary>
    public static readonly Expression<Func<ReaderPreferences, bool>> HasInterruptingChannel =
        p => (p.EmailEnabled && p.EmailUnsubscribedAt == null) || p.WebPushEnabled || p.WebhookEnabled || p.AppPushEnabled;

    /// <summary>The rolling period the weekly cap counts over.</summary>
    public static readonly TimeSpan CapPeriod = TimeSpan.FromDays(7);

    /// <summary>
    /// Plans a content for readers. Digests are timed by their window (which already avoids quiet hours), so
    /// <paramref name="respectQuietHours"/> is for pushes sent at an editor's moment. Without <paramref name="inbox"/> the
    /// inbox is left out of the plan and of the cap: a push's inbox part is one broadcast for its whole audience.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ReaderPlan>> PlanAsync(
        IReadOnlyCollection<string> userIds, DateTime now, bool respectQuietHours, CancellationToken ct,
        DeliveryContentKind kind = DeliveryContentKind.Digest, bool inbox = true)
    {
        var ids = userIds.Distinct().ToList();
        var readers = await db.ReaderPreferences.AsNoTracking()
            .Where(p => ids.Contains(p.UserId) && p.User!.DeletedAt == null)
            .Select(p => new
            {
                p.UserId, p.InboxEnabled, p.WebPushEnabled, p.WebhookEnabled, p.AppPushEnabled, Email = p.EmailEnabled && p.EmailUnsubscribedAt == null && p.User!.EmailConfirmed && p.User.Email != null,
                p.WeeklyPushCap, p.TimeZoneId, p.QuietHoursStart, p.QuietHoursEnd,
            })
            .ToListAsync(ct);
        var capSince = now - CapPeriod;
        var withBrowsers = readers.Where(r => r.WebPushEnabled).Select(r => r.UserId).ToList();
        // Each browser that wants this kind of content; all of a reader's browsers together count once against the cap.
        var browsers = (withBrowsers.Count == 0 ? [] : await db.WebPushSubscriptions.AsNoTracking()
                .Where(w => withBrowsers.Contains(w.UserId) && (kind == DeliveryContentKind.Breaking ? w.ReceivesBreaking : kind != DeliveryContentKind.Digest || w.ReceivesDigests))
                .OrderBy(w => w.Id).Select(w => new { w.UserId, w.Id }).ToListAsync(ct))
            .ToLookup(w => w.UserId, w => w.Id);
        // A reader's own webhooks (Slack, generic) take digests and breaking news; together they count once against the cap.
        var withHooks = readers.Where(r => r.WebhookEnabled).Select(r => r.UserId).ToList();
        var hooks = (withHooks.Count == 0 || kind is not (DeliveryContentKind.Digest or DeliveryContentKind.Breaking) ? [] : await db.WebhookEndpoints.AsNoTracking()
                .Where(w => withHooks.Contains(w.UserId) && w.Owner == WebhookOwner.Reader && w.IsActive && (kind != DeliveryContentKind.Breaking || w.ReceivesBreaking))
                .OrderBy(w => w.Id).Select(w => new { w.UserId, w.Id }).ToListAsync(ct))
            .ToLookup(w => w.UserId, w => w.Id);
        // Each app install (phone, tablet) that takes this kind; all of them together count once against the cap.
        var withApps = readers.Where(r => r.AppPushEnabled).Select(r => r.UserId).ToList();
        // The platform is checked here, not in SQL: given a platform condition, SQLite walks the (platform, token) index
        // over every install instead of looking up the batch's readers.
        var apps = (withApps.Count == 0 || kind is not (DeliveryContentKind.Digest or DeliveryContentKind.Breaking or DeliveryContentKind.Test) ? [] : await db.Devices.AsNoTracking()
                .Where(d => d.UserId != null && withApps.Contains(d.UserId) && d.PushEnabled && d.DeactivatedAt == null
                    && (kind == DeliveryContentKind.Breaking ? d.ReceivesBreaking : kind != DeliveryContentKind.Digest || d.ReceivesDigests))
                .Select(d => new { d.UserId, d.Id, d.Platform }).ToListAsync(ct))
            .Where(d => d.Platform is DevicePlatform.Android or DevicePlatform.Ios).OrderBy(d => d.Id)
            .ToLookup(d => d.UserId!, d => new PlannedEndpoint(DeviceChannelOf(d.Platform), d.Id));
        // What the cap counts (Counted) is picked here, not in SQL: given a condition on the content kind, SQLite walks the
        // outbox's (kind, content, reader…) index instead of looking up the batch's readers. The same below.
        var pushed = (await db.Deliveries.AsNoTracking()
                .Where(d => ids.Contains(d.UserId) && d.CreatedAt >= capSince && !ManyEndpointChannels.Contains(d.Channel)
                    && d.Status != DeliveryStatus.Suppressed && d.Status != DeliveryStatus.Failed && d.Status != DeliveryStatus.Expired)
                .GroupBy(d => new { d.UserId, d.ContentKind }).Select(g => new { g.Key.UserId, g.Key.ContentKind, Count = g.Count() })
                .ToListAsync(ct))
            .Where(x => Counted.Contains(x.ContentKind)).GroupBy(x => x.UserId).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
        // Webhook deliveries count only when they went to the reader's own hooks (a newsroom robot's are the newsroom's),
        // all of them as one push per content.
        if (withHooks.Count > 0)
        {
            var pushedToHooks = (await db.Deliveries.AsNoTracking()
                    .Where(d => withHooks.Contains(d.UserId) && d.CreatedAt >= capSince && d.Channel == DeliveryChannel.Webhook
                        && d.Status != DeliveryStatus.Suppressed && d.Status != DeliveryStatus.Failed && d.Status != DeliveryStatus.Expired
                        && db.WebhookEndpoints.Any(w => w.Id == d.EndpointId && w.Owner == WebhookOwner.Reader))
                    .Select(d => new { d.UserId, d.ContentKind, d.ContentId }).Distinct().ToListAsync(ct))
                .Where(d => Counted.Contains(d.ContentKind)).GroupBy(d => d.UserId);
            foreach (var g in pushedToHooks)
            {
                pushed[g.Key] = pushed.GetValueOrDefault(g.Key) + g.Count();
            }
        }
        if (withBrowsers.Count > 0)
        {
            var pushedToBrowsers = (await db.Deliveries.AsNoTracking()
                    .Where(d => withBrowsers.Contains(d.UserId) && d.CreatedAt >= capSince && d.Channel == DeliveryChannel.WebPush
                        && d.Status != DeliveryStatus.Suppressed && d.Status != DeliveryStatus.Failed && d.Status != DeliveryStatus.Expired)
                    .Select(d => new { d.UserId, d.ContentKind, d.ContentId }).Distinct().ToListAsync(ct))
                .Where(d => Counted.Contains(d.ContentKind)).GroupBy(d => d.UserId);
            foreach (var g in pushedToBrowsers)
            {
                pushed[g.Key] = pushed.GetValueOrDefault(g.Key) + g.Count();
            }
        }
        if (withApps.Count > 0)
        {
            var pushedToApps = (await db.Deliveries.AsNoTracking()
                    .Where(d => withApps.Contains(d.UserId) && d.CreatedAt >= capSince && (d.Channel == DeliveryChannel.Fcm || d.Channel == DeliveryChannel.Apns)
                        && d.Status != DeliveryStatus.Suppressed && d.Status != DeliveryStatus.Failed && d.Status != DeliveryStatus.Expired)
                    .Select(d => new { d.UserId, d.ContentKind, d.ContentId }).Distinct().ToListAsync(ct))
                .Where(d => Counted.Contains(d.ContentKind)).GroupBy(d => d.UserId);
            foreach (var g in pushedToApps)
            {
                pushed[g.Key] = pushed.GetValueOrDefault(g.Key) + g.Count();
            }
        }

        var plans = new Dictionary<string, ReaderPlan>(readers.Count);
        foreach (var r in readers)
        {
            // Channels in the order the cap lets them through: inbox, e-mail, then every wanted browser as one, every app
            // install as one, the reader's own webhooks as one.
            var wanted = new List<IReadOnlyList<PlannedEndpoint>>(3);
            if (r.InboxEnabled && inbox)
            {
                wanted.Add([new PlannedEndpoint(DeliveryChannel.Inbox)]);
            }
            if (r.Email)
            {
                wanted.Add([new PlannedEndpoint(DeliveryChannel.Email)]);
            }
            if (browsers[r.UserId].Select(id => new PlannedEndpoint(DeliveryChannel.WebPush, id)).ToList() is { Count: > 0 } webPush)
            {
                wanted.Add(webPush);
            }
            if (apps[r.UserId].ToList() is { Count: > 0 } devices)
            {
                wanted.Add(devices);
            }
            if (hooks[r.UserId].Select(id => new PlannedEndpoint(DeliveryChannel.Webhook, id)).ToList() is { Count: > 0 } own)
            {
                wanted.Add(own);
            }
            var allowed = AllowedChannels(wanted.Count, pushed.GetValueOrDefault(r.UserId), r.WeeklyPushCap);
            DateTime? notBefore = null;
            if (respectQuietHours && TimeZones.TryFind(r.TimeZoneId, out var zone))
            {
                var local = TimeZoneInfo.ConvertTimeFromUtc(now, zone);
                var after = AfterQuietHours(local, r.QuietHoursStart, r.QuietHoursEnd);
                if (after != local)
                {
                    notBefore = TimeZones.ToUtc(after, zone);
                }
            }
            plans[r.UserId] = new ReaderPlan(r.UserId, wanted.Take(allowed).SelectMany(c => c).ToList(), notBefore);
        }
        return plans;
    }

    /// <summary>Channels a reader may have several endpoints on: all of a reader's endpoints of one count once per content.</summary>
    private static readonly DeliveryChannel[] ManyEndpointChannels = [DeliveryChannel.WebPush, DeliveryChannel.Webhook, DeliveryChannel.Fcm, DeliveryChannel.Apns];

    /// <summary>The channel an app install is pushed through: FCM for Android, APNs for iOS.</summary>
    public static DeliveryChannel DeviceChannelOf(DevicePlatform platform) => platform == DevicePlatform.Ios ? DeliveryChannel.Apns : DeliveryChannel.Fcm;

    /// <summary>What the weekly cap counts: what the site chose to push, not a reader's own test or a notice about their browser.</summary>
    private static readonly DeliveryContentKind[] Counted =
        [DeliveryContentKind.Digest, DeliveryContentKind.Breaking, DeliveryContentKind.Broadcast, DeliveryContentKind.SystemAlert];

    /// <summary>
    /// The endpoints a reader set up beyond the site itself (browsers, app installs, their own hooks), for a test
    /// notification: no cap, no quiet hours, the reader asked for it.
    /// </summary>
    public async Task<IReadOnlyList<(PlannedEndpoint Endpoint, string Label)>> PersonalEndpointsAsync(string userId, CancellationToken ct) =>
        (await db.WebPushSubscriptions.AsNoTracking().Where(w => w.UserId == userId).OrderBy(w => w.Id).Select(w => new { w.Id, w.Browser }).ToListAsync(ct))
            .Select(w => (new PlannedEndpoint(DeliveryChannel.WebPush, w.Id), w.Browser))
            .Concat((await db.Devices.AsNoTracking().Where(d => d.UserId == userId && d.PushEnabled && d.DeactivatedAt == null
                    && (d.Platform == DevicePlatform.Android || d.Platform == DevicePlatform.Ios)).OrderBy(d => d.Id)
                .Select(d => new { d.Id, d.Platform, d.AppVersion }).ToListAsync(ct))
                .Select(d => (new PlannedEndpoint(DeviceChannelOf(d.Platform), d.Id), (d.Platform == DevicePlatform.Ios ? "iOS app" : "Android app") + (d.AppVersion is { } v ? " " + v : ""))))
            .Concat((await db.WebhookEndpoints.AsNoTracking().Where(w => w.UserId == userId && w.Owner == WebhookOwner.Reader && w.IsActive).OrderBy(w => w.Id)
                .Select(w => new { w.Id, w.Name }).ToListAsync(ct)).Select(w => (new PlannedEndpoint(DeliveryChannel.Webhook, w.Id), w.Name))).ToList();

    /// <summary>True when <paramref name="time"/> lies in [start, end), which may wrap past midnight.</summary>
    public static bool IsQuiet(TimeOnly time, TimeOnly? start, TimeOnly? end)
    {
        if (start is not { } s || end is not { } e || s == e)
        {
            return false;
        }
        return s < e ? time >= s && time < e : time >= s || time < e;
    }

    /// <summary>A local time inside quiet hours moves to their end (the next morning when they wrap).</summary>
    public static DateTime AfterQuietHours(DateTime local, TimeOnly? start, TimeOnly? end)
    {
        var time = TimeOnly.FromDateTime(local);
        if (!IsQuiet(time, start, end))
        {
            return local;
        }
        var endAt = local.Date + end!.Value.ToTimeSpan();
        return endAt > local ? endAt : endAt.AddDays(1);
    }

    /// <summary>
    /// How many channels a push may use given the pushes already sent in the cap period: inbox first, then the
    /// others, as long as the cap allows. Zero means the push is skipped.
    /// </summary>
    public static int AllowedChannels(int wantedChannels, int sentInPeriod, int weeklyCap) =>
        Math.Clamp(weeklyCap - sentInPeriod, 0, wantedChannels);
}
