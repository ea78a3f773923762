using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Analytics;

/// <summary>
/// The reports behind the analytics pages and their API. They read only the roll-ups (and small tables: pushes, columns,
/// model versions, the unsubscribe index), never the raw deliveries, events or interactions. Days are the viewer's.
/// </summary>
public sealed class AnalyticsQueries(NewsPushDbContext db, TimeProvider clock)
{
    public static readonly int[] Ranges = [7, 30, 90];

    /// <summary>The newsroom's content: what editors send (digests, breaking pushes, robots' column digests).</summary>
    public static readonly DeliveryContentKind[] NewsroomKinds = [DeliveryContentKind.Digest, DeliveryContentKind.Breaking, DeliveryContentKind.ColumnDigest];

    private static readonly DeliveryContentKind[] AllKinds = Enum.GetValues<DeliveryContentKind>();

    public static int ClampDays(int days) => Ranges.Contains(days) ? days : 7;

    /// <summary>The last <paramref name="days"/> local days up to now, as UTC instants (the first day from its local midnight).</summary>
    private (DateTime From, DateTime To) Range(int days, TimeZoneInfo zone)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = TimeZoneInfo.ConvertTimeFromUtc(now, zone).Date;
        var from = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(today.AddDays(1 - days), DateTimeKind.Unspecified), zone);
        return (DateTime.SpecifyKind(from, DateTimeKind.Utc), now);
    }

    private static DateOnly LocalDate(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));

    private static IEnumerable<DateOnly> Dates(DateTime fromUtc, DateTime toUtc, TimeZoneInfo zone)
    {
        for (var d = LocalDate(fromUtc, zone); d <= LocalDate(toUtc, zone); d = d.AddDays(1))
        {
            yield return d;
        }
    }

    private sealed record Cell(DateTime Bucket, DeliveryChannel Channel, DeliveryEventType Metric, long Total, long Unique);

    public async Task<OverviewReport> OverviewAsync(int days, AnalyticsScope scope, TimeZoneInfo zone, CancellationToken ct)
    {
        days = ClampDays(days);
        var (from, to) = Range(days, zone);
        var kinds = scope == AnalyticsScope.All ? AllKinds : NewsroomKinds;
        var cells = await db.DeliveryRollups.AsNoTracking()
            .Where(r => r.Grain == RollupGrain.Hour && r.BucketStart >= from && r.BucketStart <= to && kinds.Contains(r.ContentKind))
            .GroupBy(r => new { r.BucketStart, r.Channel, r.Metric })
            .Select(g => new Cell(g.Key.BucketStart, g.Key.Channel, g.Key.Metric, g.Sum(r => r.Total), g.Sum(r => r.Unique)))
            .ToListAsync(ct);
        var contents = await db.DeliveryRollups.AsNoTracking()
            .Where(r => r.Grain == RollupGrain.Hour && r.BucketStart >= from && r.BucketStart <= to && r.Metric == DeliveryEventType.Queued
                && (r.ContentKind == DeliveryContentKind.Breaking || r.ContentKind == DeliveryContentKind.Digest))
            .Select(r => new { r.ContentKind, r.ContentId }).Distinct().ToListAsync(ct);
        var unsubscribes = await db.ReaderPreferences.AsNoTracking()
            .CountAsync(p => p.EmailUnsubscribedAt != null && p.EmailUnsubscribedAt >= from && p.EmailUnsubscribedAt <= to, ct);
        var series = Dates(from, to, zone).Select(date =>
        {
            var day = cells.Where(c => LocalDate(c.Bucket, zone) == date).ToList();
            return new DayPoint(date, Sum(day, DeliveryEventType.Sent, false), Sum(day, DeliveryEventType.Failed, false),
                Sum(day, DeliveryEventType.Opened, true), Sum(day, DeliveryEventType.Clicked, true));
        }).ToList();
        return new OverviewReport(days, scope, zone.Id, from, to,
            contents.Count(c => c.ContentKind == DeliveryContentKind.Breaking), contents.Count(c => c.ContentKind == DeliveryContentKind.Digest),
            unsubscribes, Funnels(cells), series);
    }

    private static long Sum(IEnumerable<Cell> cells, DeliveryEventType metric, bool unique) =>
        cells.Where(c => c.Metric == metric).Sum(c => unique ? c.Unique : c.Total);

    private static List<ChannelFunnel> Funnels(IEnumerable<Cell> cells) =>
        cells.GroupBy(c => c.Channel).OrderBy(g => g.Key).Select(g => new ChannelFunnel(g.Key,
            Sum(g, DeliveryEventType.Queued, false), Sum(g, DeliveryEventType.Sent, false), Sum(g, DeliveryEventType.Failed, false),
            Sum(g, DeliveryEventType.Delivered, true), Sum(g, DeliveryEventType.Opened, true), Sum(g, DeliveryEventType.Opened, false),
            Sum(g, DeliveryEventType.Clicked, true), Sum(g, DeliveryEventType.Clicked, false))).ToList();

    /// <summary>The pushes and digest runs that went out in the range, newest first, with their sent, opened and clicked.</summary>
    public async Task<List<ContentSummary>> RecentAsync(int days, TimeZoneInfo zone, CancellationToken ct)
    {
        var (from, to) = Range(ClampDays(days), zone);
        var rows = await db.DeliveryRollups.AsNoTracking()
            .Where(r => r.Grain == RollupGrain.Day && r.BucketStart >= from.Date && r.BucketStart <= to
                && (r.ContentKind == DeliveryContentKind.Breaking || r.ContentKind == DeliveryContentKind.Digest))
            .GroupBy(r => new { r.ContentKind, r.ContentId, r.Metric })
            .Select(g => new { g.Key.ContentKind, g.Key.ContentId, g.Key.Metric, Total = g.Sum(r => r.Total), Unique = g.Sum(r => r.Unique) })
            .ToListAsync(ct);
        var pushIds = rows.Where(r => r.ContentKind == DeliveryContentKind.Breaking).Select(r => r.ContentId).Distinct().ToList();
        var titles = await db.PushCampaigns.AsNoTracking().Where(c => pushIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Title, ct);
        return rows.GroupBy(r => (r.ContentKind, r.ContentId))
            .Select(g => new ContentSummary(g.Key.ContentKind, g.Key.ContentId,
                g.Key.ContentKind == DeliveryContentKind.Breaking ? titles.GetValueOrDefault(g.Key.ContentId, $"Push {g.Key.ContentId}") : DigestRunTitle(g.Key.ContentId),
                g.Where(x => x.Metric == DeliveryEventType.Sent).Sum(x => x.Total),
                g.Where(x => x.Metric == DeliveryEventType.Opened).Sum(x => x.Unique),
                g.Where(x => x.Metric == DeliveryEventType.Clicked).Sum(x => x.Unique)))
            .OrderByDescending(s => s.Kind == DeliveryContentKind.Digest ? RollupBuilder.DayOfRun(s.ContentId) : DateTime.MinValue)
            .ThenByDescending(s => s.ContentId).Take(50).ToList();
    }

    public static string DigestRunTitle(long run) => $"Digest run of {RollupBuilder.DayOfRun(run):yyyy-MM-dd} (UTC)";

    /// <summary>One push (breaking news) or one digest run; null when there is no such push.</summary>
    public async Task<ContentReport?> ContentAsync(DeliveryContentKind kind, long contentId, TimeZoneInfo zone, CancellationToken ct)
    {
        string title;
        DateTime? started;
        if (kind == DeliveryContentKind.Breaking)
        {
            var push = await db.PushCampaigns.AsNoTracking().Where(c => c.Id == contentId).Select(c => new { c.Title, c.SentAt, c.ApprovedAt }).FirstOrDefaultAsync(ct);
            if (push is null)
            {
                return null;
            }
            title = push.Title;
            started = push.ApprovedAt ?? push.SentAt;
        }
        else if (kind == DeliveryContentKind.Digest)
        {
            title = DigestRunTitle(contentId);
            started = null;
        }
        else
        {
            return null;
        }
        var cells = await db.DeliveryRollups.AsNoTracking()
            .Where(r => r.Grain == RollupGrain.Hour && r.ContentKind == kind && r.ContentId == contentId)
            .Select(r => new { r.BucketStart, r.Channel, r.Metric, r.ArticleId, r.Total, r.Unique })
            .ToListAsync(ct);
        var first = cells.Where(c => c.Metric == DeliveryEventType.Queued).Select(c => (DateTime?)c.BucketStart).Min() ?? started;
        var start = first is { } f ? new DateTime(f.Year, f.Month, f.Day, f.Hour, 0, 0, DateTimeKind.Utc) : (DateTime?)null;
        var plain = cells.Select(c => new Cell(c.BucketStart, c.Channel, c.Metric, c.Total, c.Unique)).ToList();
        var timeline = start is { } s
            ? plain.GroupBy(c => (int)Math.Floor((c.Bucket - s).TotalHours)).Where(g => g.Key >= 0).OrderBy(g => g.Key)
                .Select(g => new HourPoint(g.Key, Local(s.AddHours(g.Key), zone), Sum(g, DeliveryEventType.Sent, false),
                    Sum(g, DeliveryEventType.Opened, true), Sum(g, DeliveryEventType.Clicked, true))).ToList()
            : [];
        var clicked = cells.Where(c => c.Metric == DeliveryEventType.Clicked && c.ArticleId != 0)
            .GroupBy(c => c.ArticleId).Select(g => new { Id = g.Key, Unique = g.Sum(x => x.Unique), Total = g.Sum(x => x.Total) }).ToList();
        var ids = clicked.Select(c => c.Id).ToList();
        var articleTitles = await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Title, ct);
        var articles = clicked.Select(c => new ArticleClicks(c.Id, articleTitles.GetValueOrDefault(c.Id, $"Article {c.Id}"), c.Unique, c.Total))
            .OrderByDescending(a => a.ClickedUnique).ThenBy(a => a.ArticleId).ToList();
        return new ContentReport(kind, contentId, title, start is { } st ? Local(st, zone) : null, zone.Id, Funnels(plain), timeline, articles);
    }

    private static string Local(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    private sealed record InteractionCell(DateTime Bucket, InteractionType Type, long Count, double Sum);

    public async Task<ColumnReport?> ColumnAsync(int columnId, int days, TimeZoneInfo zone, CancellationToken ct)
    {
        var name = await db.Columns.AsNoTracking().Where(c => c.Id == columnId).Select(c => c.Name).FirstOrDefaultAsync(ct);
        if (name is null)
        {
            return null;
        }
        days = ClampDays(days);
        var (from, to) = Range(days, zone);
        var cells = await db.InteractionRollups.AsNoTracking()
            .Where(r => r.Grain == RollupGrain.Hour && r.ColumnId == columnId && r.BucketStart >= from && r.BucketStart <= to)
            .GroupBy(r => new { r.BucketStart, r.Type })
            .Select(g => new InteractionCell(g.Key.BucketStart, g.Key.Type, g.Sum(r => r.Count), g.Sum(r => r.ValueSum)))
            .ToListAsync(ct);
        // Readers are counted per UTC day (the set the roll-up keeps); the range's first UTC day is the one its start falls on.
        var firstDay = DateTime.SpecifyKind(from.Date, DateTimeKind.Utc);
        var readersByDay = await db.ColumnReaderDays.AsNoTracking()
            .Where(r => r.ColumnId == columnId && r.Day >= firstDay && r.Day <= to)
            .GroupBy(r => r.Day).Select(g => new { Day = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var readers = await db.ColumnReaderDays.AsNoTracking()
            .Where(r => r.ColumnId == columnId && r.Day >= firstDay && r.Day <= to).Select(r => r.UserId).Distinct().LongCountAsync(ct);
        var readersOfColumn = db.ColumnReaderDays.Where(r => r.ColumnId == columnId && r.Day >= firstDay && r.Day <= to).Select(r => r.UserId);
        var also = await db.ColumnReaderDays.AsNoTracking()
            .Where(r => r.ColumnId != columnId && r.Day >= firstDay && r.Day <= to && readersOfColumn.Contains(r.UserId))
            .Select(r => new { r.ColumnId, r.UserId }).Distinct()
            .GroupBy(r => r.ColumnId).Select(g => new { ColumnId = g.Key, Readers = g.LongCount() })
            .OrderByDescending(g => g.Readers).Take(5).ToListAsync(ct);
        var alsoIds = also.Select(a => a.ColumnId).ToList();
        var names = await db.Columns.AsNoTracking().Where(c => alsoIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        long Count(IEnumerable<InteractionCell> c, InteractionType t) => c.Where(x => x.Type == t).Sum(x => x.Count);
        var impressions = Count(cells, InteractionType.Impression);
        var clicks = Count(cells, InteractionType.Click);
        var dwellCount = Count(cells, InteractionType.Dwell);
        var dwell = dwellCount == 0 ? 0 : Math.Round(cells.Where(x => x.Type == InteractionType.Dwell).Sum(x => x.Sum) / dwellCount, 1);
        var series = Dates(from, to, zone).Select(date =>
        {
            var day = cells.Where(c => LocalDate(c.Bucket, zone) == date).ToList();
            var utcDay = DateTime.SpecifyKind(date.ToDateTime(TimeOnly.MinValue), DateTimeKind.Utc);
            return new ColumnDay(date, Count(day, InteractionType.Impression), Count(day, InteractionType.Click),
                readersByDay.Where(r => r.Day == utcDay).Sum(r => r.Count));
        }).ToList();
        return new ColumnReport(columnId, name, days, zone.Id, readers, impressions, clicks,
            impressions == 0 ? 0 : Math.Round((double)clicks / impressions, 4), dwell, Count(cells, InteractionType.Follow), series,
            also.Select(a => new AlsoRead(a.ColumnId, names.GetValueOrDefault(a.ColumnId, $"Column {a.ColumnId}"), a.Readers)).ToList());
    }

    public async Task<List<(int Id, string Name)>> ColumnsAsync(CancellationToken ct) =>
        (await db.Columns.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToListAsync(ct)).Select(c => (c.Id, c.Name)).ToList();

    public static readonly string[] RecommenderSources = ["foryou", "latest"];

    public async Task<RecommenderReport> RecommenderAsync(int days, TimeZoneInfo zone, CancellationToken ct)
    {
        days = ClampDays(days);
        var (from, to) = Range(days, zone);
        var sources = RecommenderSources;
        var cells = await db.InteractionRollups.AsNoTracking()
            .Where(r => r.Grain == RollupGrain.Hour && r.BucketStart >= from && r.BucketStart <= to && sources.Contains(r.Source)
                && (r.Type == InteractionType.Impression || r.Type == InteractionType.Click))
            .GroupBy(r => new { r.BucketStart, r.Source, r.ModelVersionId, r.Type })
            .Select(g => new { g.Key.BucketStart, g.Key.Source, g.Key.ModelVersionId, g.Key.Type, Count = g.Sum(r => r.Count) })
            .ToListAsync(ct);
        var versionIds = cells.Select(c => c.ModelVersionId).Distinct().ToList();
        var names = await db.ModelVersions.AsNoTracking().Where(v => versionIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Version, ct);
        var versions = cells.GroupBy(c => (c.ModelVersionId, c.Source)).OrderBy(g => g.Key.ModelVersionId).ThenBy(g => g.Key.Source)
            .Select(g => new RecommenderRow(g.Key.ModelVersionId, g.Key.ModelVersionId == 0 ? "none (popular and fresh)" : names.GetValueOrDefault(g.Key.ModelVersionId, $"#{g.Key.ModelVersionId}"),
                g.Key.Source, g.Where(x => x.Type == InteractionType.Impression).Sum(x => x.Count), g.Where(x => x.Type == InteractionType.Click).Sum(x => x.Count)))
            .ToList();
        var series = Dates(from, to, zone).SelectMany(date => sources.Select(source =>
        {
            var day = cells.Where(c => c.Source == source && LocalDate(c.BucketStart, zone) == date).ToList();
            return new RecommenderDay(date, source, day.Where(x => x.Type == InteractionType.Impression).Sum(x => x.Count), day.Where(x => x.Type == InteractionType.Click).Sum(x => x.Count));
        })).ToList();
        return new RecommenderReport(days, zone.Id, versions, series);
    }
}
