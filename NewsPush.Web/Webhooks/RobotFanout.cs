using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Push;

namespace NewsPush.Web.Webhooks;

/// <summary>What sending a story to the robots did: the robots it was queued for, or why nothing was sent.</summary>
public sealed record RobotFanoutResult(IReadOnlyList<string> Robots, string? Refused)
{
    public string Message => Refused ?? (Robots.Count == 1
        ? $"Sent to the chat robot \"{Robots[0]}\"."
        : $"Sent to {Robots.Count} chat robots: {string.Join(", ", Robots.Select(r => $"\"{r}\""))}.");
}

/// <summary>
/// Breaking news to the newsroom's robots: one <see cref="PushCampaign"/> for the story (the content every channel
/// renders) and one delivery per robot that receives breaking news from the story's column.
/// </summary>
public sealed class RobotFanout(NewsPushDbContext db, AuditLog audit, DeliverySignal signal, IOptions<WebhookOptions> options, TimeProvider clock)
{
    /// <summary>The same story is not pushed to the robots twice within this time.</summary>
    public static readonly TimeSpan RepeatGuard = TimeSpan.FromHours(1);

    /// <summary>Queues <paramref name="campaignId"/> for every robot that takes breaking news from <paramref name="columnId"/>; returns their names.</summary>
    public async Task<IReadOnlyList<string>> QueueAsync(long campaignId, int columnId, string userId, CancellationToken ct) =>
        await QueueAsync(campaignId, await RobotsForAsync(columnId, ct), userId, ct);

    /// <summary>The switched-on newsroom robots that take breaking news from the column (none ticked: every column).</summary>
    private async Task<List<(long Id, string Name)>> RobotsForAsync(int columnId, CancellationToken ct) =>
        (await db.WebhookEndpoints.AsNoTracking()
            .Where(w => w.Owner == WebhookOwner.Newsroom && w.IsActive && w.ReceivesBreaking).Select(w => new { w.Id, w.Name, w.BreakingColumns }).ToListAsync(ct))
        .Where(w => RobotAdmin.ColumnIds(w.BreakingColumns) is var columns && (columns.Count == 0 || columns.Contains(columnId)))
        .Select(w => (w.Id, w.Name)).ToList();

    private async Task<IReadOnlyList<string>> QueueAsync(long campaignId, List<(long Id, string Name)> robots, string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var robot in robots)
        {
            db.Deliveries.Add(new Delivery
            {
                UserId = userId, Channel = DeliveryChannel.Webhook, EndpointId = robot.Id, ContentKind = DeliveryContentKind.Breaking, ContentId = campaignId,
                Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = now.AddHours(options.Value.DeliverByHours),
            });
        }
        await db.SaveChangesAsync(ct);
        if (robots.Count > 0)
        {
            signal.Notify();
        }
        return robots.Select(r => r.Name).ToList();
    }

    /// <summary>An editor sends a published story to the robots as breaking news.</summary>
    public async Task<RobotFanoutResult> SendStoryAsync(int articleId, ClaimsPrincipal actor, CancellationToken ct)
    {
        var article = await db.Articles.AsNoTracking().Where(a => a.Id == articleId)
            .Select(a => new { a.Id, a.Title, a.Summary, a.Status, a.ColumnId, Column = a.Column!.Name }).SingleOrDefaultAsync(ct);
        if (article is null)
        {
            return new RobotFanoutResult([], "The article does not exist.");
        }
        if (article.Status != ArticleStatus.Published)
        {
            return new RobotFanoutResult([], "Only a published story can go out as breaking news.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - RepeatGuard;
        var earlier = await db.PushCampaigns.AsNoTracking().Where(c => c.ArticleId == articleId && c.SentAt > since)
            .Where(c => db.Deliveries.Any(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == c.Id && d.Channel == DeliveryChannel.Webhook))
            .OrderByDescending(c => c.SentAt).Select(c => c.SentAt).FirstOrDefaultAsync(ct);
        if (earlier is { } at)
        {
            return new RobotFanoutResult([], $"This story went to the chat robots {Math.Max(1, (int)(now - at).TotalMinutes)} minutes ago; it is not sent twice within an hour.");
        }
        var robots = await RobotsForAsync(article.ColumnId, ct);
        if (robots.Count == 0)
        {
            return new RobotFanoutResult([], $"No chat robot receives breaking news from {article.Column}. Add one, or tick {article.Column}, under Newsroom › Chat robots.");
        }
        var campaign = db.PushCampaigns.Add(new PushCampaign
        {
            ArticleId = article.Id, Title = article.Title, Message = article.Summary, Segment = PushSegment.Everyone, Status = CampaignStatus.Sent,
            AudienceSize = 0, CreatedById = actor.UserId(), ApprovedById = actor.UserId(), CreatedAt = now, SentAt = now,
        }).Entity;
        await db.SaveChangesAsync(ct);
        var names = await QueueAsync(campaign.Id, robots, actor.RequiredUserId(), ct);
        audit.Add(actor, "robot.breaking", nameof(PushCampaign), campaign.Id.ToString(CultureInfo.InvariantCulture), $"article {article.Id} to {names.Count} robots");
        await db.SaveChangesAsync(ct);
        return new RobotFanoutResult(names, null);
    }
}
