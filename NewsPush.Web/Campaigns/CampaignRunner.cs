using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using Quartz;

namespace NewsPush.Web.Campaigns;

/// <summary>
/// One pass of the campaign job: scheduled pushes whose time came start sending; a recurring push whose next run came
/// gets a run (a copy that sends at once), exactly once per occurrence; every push still sending continues its fan-out.
/// </summary>
public sealed class CampaignRunner(NewsPushDbContext db, CampaignSender sender, TimeProvider clock, ILogger<CampaignRunner> logger)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.PushCampaigns.Where(c => c.Status == CampaignStatus.Scheduled && c.Cron == null && c.ScheduledAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sending).SetProperty(c => c.UpdatedAt, now), ct);
        await StartRecurringRunsAsync(now, ct);
        var sending = await db.PushCampaigns.AsNoTracking().Where(c => c.Status == CampaignStatus.Sending).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct);
        var queued = 0;
        foreach (var id in sending)
        {
            queued += await sender.FanoutAsync(id, ct);
        }
        return queued;
    }

    private async Task StartRecurringRunsAsync(DateTime now, CancellationToken ct)
    {
        var due = await db.PushCampaigns.AsNoTracking().Where(c => c.Status == CampaignStatus.Scheduled && c.Cron != null && c.NextRunAt <= now).ToListAsync(ct);
        foreach (var template in due)
        {
            var occurrence = template.NextRunAt!.Value;
            var next = CampaignWorkflow.NextRunUtc(template.Cron!, template.ScheduleTimeZoneId, now);
            // Claiming the occurrence moves NextRunAt on; a second node (or a second pass) finds it moved and makes no run.
            var claimed = await db.PushCampaigns.Where(c => c.Id == template.Id && c.NextRunAt == occurrence)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextRunAt, next).SetProperty(c => c.UpdatedAt, now), ct);
            if (claimed == 0)
            {
                continue;
            }
            db.PushCampaigns.Add(new PushCampaign
            {
                ArticleId = template.ArticleId, Title = template.Title, Message = template.Message, Segment = template.Segment, SegmentTargetId = template.SegmentTargetId,
                TargetIds = template.TargetIds, TimeZoneFilter = template.TimeZoneFilter, ExcludePushedWithinHours = template.ExcludePushedWithinHours,
                Language = template.Language, PredictedTopPercent = template.PredictedTopPercent, PredictedThreshold = template.PredictedThreshold,
                IsCritical = template.IsCritical, Status = CampaignStatus.Sending, ScheduledAt = occurrence, ParentId = template.Id,
                CreatedById = template.CreatedById, ApprovedById = template.ApprovedById, ApprovedAt = template.ApprovedAt, CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            logger.LogInformation("Recurring push {CampaignId}: the run of {Occurrence:u} starts", template.Id, occurrence);
        }
    }
}

/// <summary>The Quartz job (clustered: one node at a time) that runs <see cref="CampaignRunner"/>.</summary>
[DisallowConcurrentExecution]
public sealed class CampaignJob(CampaignRunner runner) : IJob
{
    public static readonly JobKey Key = new("campaigns", "push");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await runner.RunAsync(ct);
}
