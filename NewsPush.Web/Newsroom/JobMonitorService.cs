using NewsPush.Web.Infrastructure;
using System.Security.Claims;
using NewsPush.Web.Jobs;
using Quartz;

namespace NewsPush.Web.Newsroom;

public sealed record TriggerRow(string Name, string Group, string State, DateTimeOffset? PreviousFireTime, DateTimeOffset? NextFireTime, string Schedule);

public sealed record JobRow(string Name, string Group, string? Description, bool Durable, IReadOnlyList<TriggerRow> Triggers, JobRunInfo? LastRun);

/// <summary>The job monitor: Quartz jobs and triggers with their times and errors; pause, resume, run now.</summary>
public sealed class JobMonitorService(ISchedulerFactory schedulers, JobRunTracker runs, AuditLog audit, NewsPush.Data.NewsPushDbContext db)
{
    public async Task<IReadOnlyList<JobRow>> ListAsync(CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var rows = new List<JobRow>();
        foreach (var jobKey in (await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup(), ct)).OrderBy(k => k.Group).ThenBy(k => k.Name))
        {
            var detail = await scheduler.GetJobDetail(jobKey, ct);
            var triggers = new List<TriggerRow>();
            foreach (var trigger in await scheduler.GetTriggersOfJob(jobKey, ct))
            {
                var state = await scheduler.GetTriggerState(trigger.Key, ct);
                var schedule = trigger switch
                {
                    ICronTrigger cron => $"cron {cron.CronExpressionString}",
                    ISimpleTrigger simple when simple.RepeatCount == 0 => "once",
                    ISimpleTrigger simple => $"every {simple.RepeatInterval}",
                    _ => trigger.GetType().Name,
                };
                triggers.Add(new TriggerRow(trigger.Key.Name, trigger.Key.Group, state.ToString(), trigger.PreviousFireTimeUtc, trigger.NextFireTimeUtc, schedule));
            }
            rows.Add(new JobRow(jobKey.Name, jobKey.Group, detail?.Description, detail?.Durable ?? false, triggers.OrderBy(t => t.NextFireTime).ToList(), runs.Get(jobKey)));
        }
        return rows;
    }

    public async Task<string?> PauseAsync(string name, string group, bool pause, ClaimsPrincipal actor, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var key = new JobKey(name, group);
        if (!await scheduler.Exists(key, ct))
        {
            return "The job does not exist.";
        }
        if (pause)
        {
            await scheduler.PauseJob(key, ct);
        }
        else
        {
            await scheduler.ResumeJob(key, ct);
        }
        audit.Add(actor, pause ? "job.paused" : "job.resumed", "Job", key.ToString());
        await db.SaveChangesAsync(ct);
        return null;
    }

    public async Task<string?> RunNowAsync(string name, string group, ClaimsPrincipal actor, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var key = new JobKey(name, group);
        if (!await scheduler.Exists(key, ct))
        {
            return "The job does not exist.";
        }
        await scheduler.TriggerJob(key, ct);
        audit.Add(actor, "job.run-now", "Job", key.ToString());
        await db.SaveChangesAsync(ct);
        return null;
    }
}
