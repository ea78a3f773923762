using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Push;

namespace NewsPush.Web.Campaigns;

/// <summary>Who a push is for, before preferences: the segment, its columns or tags, the zones, and who was pushed lately.</summary>
public sealed record AudienceFilter(PushSegment Segment, IReadOnlyList<int> TargetIds, IReadOnlyList<string> TimeZones, int? ExcludePushedWithinHours)
{
    public static AudienceFilter Of(PushCampaign c) => new(c.Segment, Ids(c.TargetIds), Zones(c.TimeZoneFilter), c.ExcludePushedWithinHours);

    public static IReadOnlyList<int> Ids(string csv) =>
        csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.TryParse(s, out var i) ? i : 0).Where(i => i > 0).Distinct().ToList();

    public static IReadOnlyList<string> Zones(string csv) => csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
}

/// <summary>
/// The readers a push goes to, as a query: readers with a channel on (not deleted), whose topics (if they chose any)
/// include the article's column, in the segment (everyone, or followers of the chosen columns or tags), in the chosen
/// zones, not pushed breaking news within the chosen hours. Preferences, the cap and quiet hours are the planner's.
/// </summary>
public sealed class CampaignAudience(NewsPushDbContext db)
{
    public IQueryable<string> ReaderIds(AudienceFilter f, int articleColumnId, DateTime now)
    {
        var readers = db.ReaderPreferences.AsNoTracking().Where(AudiencePlanner.HasAnyChannel).Where(p => p.User!.DeletedAt == null)
            .Where(p => !p.Topics.Any() || p.Topics.Any(t => t.ColumnId == articleColumnId));
        if (f.TimeZones.Count > 0)
        {
            var zones = f.TimeZones.ToList();
            readers = readers.Where(p => zones.Contains(p.TimeZoneId));
        }
        var ids = f.TargetIds.ToList();
        readers = f.Segment switch
        {
            PushSegment.ColumnFollowers => readers.Where(p => db.Follows.Any(x => x.UserId == p.UserId && x.Kind == FollowKind.Column && ids.Contains(x.TargetId))),
            PushSegment.TagFollowers => readers.Where(p => db.Follows.Any(x => x.UserId == p.UserId && x.Kind == FollowKind.Tag && ids.Contains(x.TargetId))),
            _ => readers,
        };
        if (f.ExcludePushedWithinHours is { } hours and > 0)
        {
            var since = now.AddHours(-hours);
            readers = readers.Where(p => !db.Deliveries.Any(d => d.UserId == p.UserId && d.ContentKind == DeliveryContentKind.Breaking && d.CreatedAt >= since
                && d.Status != DeliveryStatus.Suppressed && d.Status != DeliveryStatus.Failed));
        }
        return readers.Select(p => p.UserId);
    }

    /// <summary>The next <paramref name="size"/> readers after <paramref name="after"/> in ordinal order of id: the batches preview and fan-out both walk.</summary>
    public Task<List<string>> NextBatchAsync(AudienceFilter f, int articleColumnId, DateTime now, string? after, int size, CancellationToken ct)
    {
        var query = ReaderIds(f, articleColumnId, now);
        if (after is not null)
        {
            query = query.Where(id => string.Compare(id, after) > 0);
        }
        return query.OrderBy(id => id).Take(size).ToListAsync(ct);
    }

    /// <summary>Why a reader qualifies, in words, for the preview's samples.</summary>
    public static string Reason(AudienceFilter f, string columnName) => f.Segment switch
    {
        PushSegment.ColumnFollowers => "follows the chosen column" + (f.TargetIds.Count > 1 ? "s" : ""),
        PushSegment.TagFollowers => "follows a chosen tag",
        _ => $"is a reader who wants {columnName} or chose no topics",
    } + (f.TimeZones.Count > 0 ? ", in a chosen time zone" : "") + (f.ExcludePushedWithinHours is > 0 ? $", no breaking push in the last {f.ExcludePushedWithinHours} h" : "");
}
