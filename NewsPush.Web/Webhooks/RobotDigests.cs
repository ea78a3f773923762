using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Push;
using Quartz;
using TimeZones = NewsPush.Web.Infrastructure.TimeZones;

namespace NewsPush.Web.Webhooks;

/// <summary>
/// A robot's daily digest of one column ("the department's WeCom group gets the Technology digest at 09:00"): due
/// when the robot's local time passes <see cref="WebhookEndpoint.DigestLocalTime"/> in its zone, queued once a local
/// day (the content id is the robot and the day), and made of the column's stories published in the 24 hours before.
/// </summary>
public sealed class RobotDigests(NewsPushDbContext db, DeliverySignal signal, IOptions<WebhookOptions> options, TimeProvider clock)
{
    /// <summary>A digest more than this late (the site was down) is skipped rather than sent in the afternoon.</summary>
    public static readonly TimeSpan CatchUp = TimeSpan.FromHours(3);

    public static long ContentId(long robotId, DateOnly localDay) => robotId * 100_000 + (localDay.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber);

    public static (long RobotId, DateOnly LocalDay) Parse(long contentId) =>
        (contentId / 100_000, DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)(contentId % 100_000)));

    /// <summary>The UTC instant of a robot's digest on a local day.</summary>
    public static DateTime DueAt(DateOnly localDay, TimeOnly time, TimeZoneInfo zone) => TimeZones.ToUtc(localDay.ToDateTime(time), zone);

    /// <summary>Queues the digests that are due now and not queued yet; returns how many.</summary>
    public async Task<int> QueueDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var robots = await db.WebhookEndpoints.AsNoTracking()
            .Where(w => w.Owner == WebhookOwner.Newsroom && w.IsActive && w.DigestColumnId != null && w.DigestLocalTime != null)
            .Select(w => new { w.Id, w.UserId, w.DigestLocalTime, w.DigestTimeZoneId }).ToListAsync(ct);
        var queued = 0;
        foreach (var robot in robots)
        {
            TimeZones.TryFind(robot.DigestTimeZoneId, out var zone);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
            var due = DueAt(today, robot.DigestLocalTime!.Value, zone);
            if (now < due || now >= due + CatchUp)
            {
                continue;
            }
            var contentId = ContentId(robot.Id, today);
            if (await db.Deliveries.AnyAsync(d => d.ContentKind == DeliveryContentKind.ColumnDigest && d.ContentId == contentId && d.EndpointId == robot.Id, ct))
            {
                continue;
            }
            db.Deliveries.Add(new Delivery
            {
                UserId = robot.UserId, Channel = DeliveryChannel.Webhook, EndpointId = robot.Id, ContentKind = DeliveryContentKind.ColumnDigest, ContentId = contentId,
                Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = now.AddHours(options.Value.DeliverByHours),
            });
            try
            {
                await db.SaveChangesAsync(ct);
                queued++;
            }
            catch (DbUpdateException)
            {
                // Another node queued it at the same moment: the outbox's unique key keeps one.
                db.ChangeTracker.Clear();
            }
        }
        if (queued > 0)
        {
            signal.Notify();
        }
        return queued;
    }
}

/// <summary>The stories of a robot's column digest, computed from the robot and the day (the same on every retry).</summary>
public sealed class ColumnDigestContentSource(NewsPushDbContext db) : IDeliveryContentSource
{
    public const int MaxStories = 10;

    public DeliveryContentKind Kind => DeliveryContentKind.ColumnDigest;

    public async Task<IReadOnlyDictionary<long, DeliveryContent>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var result = new Dictionary<long, DeliveryContent>();
        foreach (var id in ids.Distinct())
        {
            var (robotId, day) = RobotDigests.Parse(id);
            var robot = await db.WebhookEndpoints.AsNoTracking().Where(w => w.Id == robotId)
                .Select(w => new { w.DigestColumnId, w.DigestLocalTime, w.DigestTimeZoneId }).SingleOrDefaultAsync(ct);
            if (robot?.DigestColumnId is not { } columnId || robot.DigestLocalTime is not { } time)
            {
                continue;
            }
            TimeZones.TryFind(robot.DigestTimeZoneId, out var zone);
            var until = RobotDigests.DueAt(day, time, zone);
            var since = until.AddDays(-1);
            var column = await db.Columns.AsNoTracking().Where(c => c.Id == columnId).Select(c => new { c.Name, c.Slug }).SingleOrDefaultAsync(ct);
            if (column is null)
            {
                continue;
            }
            var stories = await db.Articles.AsNoTracking()
                .Where(a => a.ColumnId == columnId && a.Status == ArticleStatus.Published && a.PublishedAt > since && a.PublishedAt <= until)
                .OrderByDescending(a => a.PublishedAt).Take(MaxStories)
                .Select(a => new ContentStory(a.Id, a.Title, a.Summary, column.Name, a.Slug, "column digest")).ToListAsync(ct);
            var content = new DeliveryContent(DeliveryContentKind.ColumnDigest, id, $"{column.Name}: the day's stories, {day:d MMM yyyy}",
                stories.Count == 1 ? "One new story." : $"{stories.Count} new stories.", "/column/" + column.Slug, stories);
            result[id] = stories.Count == 0 ? content with { WithdrawnReason = $"No new stories in {column.Name} in the 24 hours before the digest." } : content;
        }
        return result;
    }
}

[DisallowConcurrentExecution]
public sealed class RobotDigestJob(RobotDigests digests, ILogger<RobotDigestJob> logger) : IJob
{
    public static readonly JobKey Key = new("robot-digests", "webhooks");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var queued = await digests.QueueDueAsync(ct);
        if (queued > 0)
        {
            logger.LogInformation("Queued {Count} robot column digests", queued);
        }
    }
}
