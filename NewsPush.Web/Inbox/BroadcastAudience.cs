using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Inbox;

/// <summary>
/// Who a broadcast reaches, as one rule the database evaluates. An admin's broadcast (no push) reaches everyone. A
/// breaking-news push's inbox part is stored once (the broadcast model, ADR-012) with its audience fixed when it
/// started: readers (a deleted account has no preferences row: deleting it removes the row in the same transaction)
/// who joined before it (<see cref="ReaderPreferences.JoinedAt"/>, so the rule reads one table and not the accounts), whose topics (if they chose any) include the story's column, in
/// the chosen zones, of the chosen language or of none known, in the segment (everyone, followers of the chosen columns or
/// tags, or — predicted interest — a member of the set stored for the push, <see cref="PushAudienceMember"/>), not pushed breaking news
/// from <see cref="Broadcast.ExcludePushedSince"/> until it started. The inbox shows it to those among them with the
/// inbox on; the push's fan-out uses the same rule for every other channel, so the counts agree by construction.
/// </summary>
public sealed class BroadcastAudience(NewsPushDbContext db)
{
    /// <summary>The rule, channels aside: reader <c>p</c> is in the audience of push broadcast <c>b</c>.</summary>
    public Expression<Func<ReaderPreferences, Broadcast, bool>> Rule => (p, b) =>
        p.JoinedAt <= b.CreatedAt
        && (b.AudienceColumnId == null || !p.Topics.Any() || p.Topics.Any(t => t.ColumnId == b.AudienceColumnId))
        && (b.AudienceZones == "" || b.AudienceZones.Contains("," + p.TimeZoneId + ","))
        && (b.AudienceLanguage == "" || p.Language == null || p.Language == b.AudienceLanguage)
        && (b.AudienceSegment == PushSegment.Everyone
            || (b.AudienceSegment == PushSegment.PredictedInterested && db.PushAudienceMembers.Any(m => m.CampaignId == b.CampaignId && m.UserId == p.UserId))
            || db.Follows.Any(f => f.UserId == p.UserId
                && ((b.AudienceSegment == PushSegment.ColumnFollowers && f.Kind == FollowKind.Column) || (b.AudienceSegment == PushSegment.TagFollowers && f.Kind == FollowKind.Tag))
                && b.AudienceTargets.Contains("," + f.TargetId.ToString() + ",")))
        && (b.ExcludePushedSince == null || !db.Deliveries.Any(d => d.UserId == p.UserId && d.ContentKind == DeliveryContentKind.Breaking
            && d.ContentId != b.CampaignId && d.CreatedAt >= b.ExcludePushedSince && d.CreatedAt < b.CreatedAt
            && d.Status != DeliveryStatus.Suppressed && d.Status != DeliveryStatus.Failed));

    /// <summary>The broadcasts reader <paramref name="userId"/> may see: everyone's, and the pushes whose audience holds them with the inbox on.</summary>
    public Expression<Func<Broadcast, bool>> Reaches(string userId)
    {
        var rule = Rule;
        Expression<Func<Broadcast, bool>> reaches = b => b.CampaignId == null
            || db.ReaderPreferences.Any(p => p.UserId == userId && p.InboxEnabled && rule.Invoke(p, b));
        return reaches.Inline();
    }

    /// <summary>
    /// The readers in the audience of <paramref name="broadcast"/>, saved or not (the composer's preview builds one
    /// from the form): the rule with the broadcast's values as parameters.
    /// </summary>
    public IQueryable<ReaderPreferences> Readers(Broadcast broadcast)
    {
        var rule = Rule;
        var box = new StrongBox<Broadcast>(broadcast);
        return db.ReaderPreferences.AsNoTracking().Where(p => rule.Invoke(p, box.Value!)).Inline();
    }

    /// <summary>
    /// Live push broadcasts that reach each of <paramref name="userIds"/> and they have not read or archived, as
    /// (reader, count): the per-reader part of the badges a channel shows for a group of deliveries.
    /// </summary>
    public async Task<Dictionary<string, int>> UnreadPushesAsync(IReadOnlyCollection<string> userIds, DateTime now, CancellationToken ct)
    {
        var ids = userIds.ToList();
        var rule = Rule;
        var query =
            from p in db.ReaderPreferences
            where ids.Contains(p.UserId) && p.InboxEnabled
            from b in db.Broadcasts
            where b.CampaignId != null && (b.ExpiresAt == null || b.ExpiresAt > now) && rule.Invoke(p, b)
                && !db.BroadcastReceipts.Any(r => r.BroadcastId == b.Id && r.UserId == p.UserId && (r.ReadAt != null || r.ArchivedAt != null))
            group b by p.UserId into g
            select new { UserId = g.Key, Count = g.Count() };
        return await query.Inline().ToDictionaryAsync(x => x.UserId, x => x.Count, ct);
    }
}
