using NewsPush.Web.Infrastructure;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using Quartz;

namespace NewsPush.Web.Newsroom;

/// <summary>
/// Moves articles through <see cref="ArticleWorkflow"/>, records each move in the audit log, and keeps one
/// Quartz trigger per scheduled article so it is published on time, also after a restart.
/// </summary>
public sealed class PublishingService(NewsPushDbContext db, AuditLog audit, ISchedulerFactory schedulers, TimeProvider clock, ILogger<PublishingService> logger)
{
    public static readonly JobKey JobKey = new("publish-article", "publishing");

    public static TriggerKey TriggerKeyFor(int articleId) => new($"article-{articleId}", "publishing");

    /// <summary>Applies <paramref name="action"/>; returns null on success or the reason it was refused.</summary>
    public async Task<string?> TransitionAsync(int articleId, WorkflowAction action, DateTime? scheduledAt, ClaimsPrincipal actor, CancellationToken ct)
    {
        var article = await db.Articles.SingleOrDefaultAsync(a => a.Id == articleId, ct);
        if (article is null)
        {
            return "The article does not exist.";
        }
        var from = article.Status;
        var now = clock.GetUtcNow().UtcDateTime;
        var error = ArticleWorkflow.Apply(article, action, now, scheduledAt);
        if (error is not null)
        {
            audit.Add(actor, "article.transition-refused", nameof(Article), article.Id.ToString(), $"{from} --{action}--> refused: {error}");
            await db.SaveChangesAsync(ct);
            return error;
        }
        audit.Add(actor, $"article.{action.ToString().ToLowerInvariant()}", nameof(Article), article.Id.ToString(),
            $"{from} → {article.Status}" + (article.ScheduledAt is { } at ? $" at {at:yyyy-MM-dd HH:mm:ss}Z" : "") + $": {article.Title}");
        await db.SaveChangesAsync(ct);

        if (article.Status == ArticleStatus.Scheduled)
        {
            await ScheduleTriggerAsync(article.Id, article.ScheduledAt!.Value, ct);
        }
        else if (from == ArticleStatus.Scheduled)
        {
            await (await schedulers.GetScheduler(ct)).UnscheduleJob(TriggerKeyFor(article.Id), ct);
        }
        return null;
    }

    /// <summary>Publishes one article if it is still scheduled and due (what the Quartz trigger runs).</summary>
    public async Task<bool> PublishIfDueAsync(int articleId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // A trigger may fire a moment before the stored time; a second of slack covers clock granularity.
        var article = await db.Articles.SingleOrDefaultAsync(a => a.Id == articleId && a.Status == ArticleStatus.Scheduled && a.ScheduledAt <= now.AddSeconds(1), ct);
        if (article is null)
        {
            return false;
        }
        Publish(article, now);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Publishes every scheduled article whose time has come (start-up catch-up, belt and braces to misfires).</summary>
    public async Task<int> PublishDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.Articles.Where(a => a.Status == ArticleStatus.Scheduled && a.ScheduledAt <= now).ToListAsync(ct);
        foreach (var article in due)
        {
            Publish(article, now);
        }
        await db.SaveChangesAsync(ct);
        if (due.Count > 0)
        {
            logger.LogInformation("Published {Count} scheduled article(s) whose time had passed", due.Count);
        }
        return due.Count;
    }

    /// <summary>Re-creates missing triggers for future scheduled articles (e.g. a database restored without QRTZ rows).</summary>
    public async Task EnsureTriggersAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var scheduled = await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Scheduled && a.ScheduledAt > now)
            .Select(a => new { a.Id, a.ScheduledAt }).ToListAsync(ct);
        var scheduler = await schedulers.GetScheduler(ct);
        foreach (var a in scheduled)
        {
            if (!await scheduler.Exists(TriggerKeyFor(a.Id), ct))
            {
                await ScheduleTriggerAsync(a.Id, a.ScheduledAt!.Value, ct);
            }
        }
    }

    private void Publish(Article article, DateTime now)
    {
        article.Status = ArticleStatus.Published;
        article.PublishedAt = now;
        article.ScheduledAt = null;
        article.UpdatedAt = now;
        audit.Add(null, "article.published-on-schedule", nameof(Article), article.Id.ToString(), $"Scheduled → Published: {article.Title}");
    }

    private async Task ScheduleTriggerAsync(int articleId, DateTime at, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(TriggerKeyFor(articleId))
            .ForJob(JobKey)
            .UsingJobData(PublishArticleJob.ArticleIdKey, articleId)
            .StartAt(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)))
            // Missed while the site was down: publish at the next start rather than never.
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, ct);
    }
}

/// <summary>Publishes one scheduled article; the work is in <see cref="PublishingService"/>.</summary>
[DisallowConcurrentExecution]
public sealed class PublishArticleJob(PublishingService publishing) : IJob
{
    public const string ArticleIdKey = "articleId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        if (context.MergedJobDataMap.ContainsKey(ArticleIdKey))
        {
            await publishing.PublishIfDueAsync(context.MergedJobDataMap.GetInt(ArticleIdKey), ct);
        }
        else
        {
            // "Run now" from the job monitor: publish everything that is due.
            await publishing.PublishDueAsync(ct);
        }
    }
}

/// <summary>At start-up: publishes what fell due while the site was down and re-creates lost triggers.</summary>
public sealed class PublishingCatchUp(IServiceScopeFactory scopes, IOptions<PublishingOptions> options, ILogger<PublishingCatchUp> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.CatchUpOnStart)
        {
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var publishing = scope.ServiceProvider.GetRequiredService<PublishingService>();
            await publishing.PublishDueAsync(cancellationToken);
            await publishing.EnsureTriggersAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never keep the site from starting; the Quartz triggers still publish.
            logger.LogError(e, "Start-up publishing catch-up failed");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The "Publishing" section.</summary>
public sealed class PublishingOptions
{
    public const string SectionName = "Publishing";

    /// <summary>
    /// Publish overdue scheduled articles at start-up, on top of Quartz's misfire handling. Off only to
    /// observe the misfire handling alone.
    /// </summary>
    public bool CatchUpOnStart { get; set; } = true;
}
