using NewsPush.Web.Infrastructure;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Jobs;
using Quartz;

namespace NewsPush.Web.Digests;

/// <summary>
/// Digest schedules (cron, Quartz syntax, UTC) that admins edit. The digest job is registered under
/// <see cref="DigestJob.Key"/>; each schedule drives the trigger <c>digest-{Name}</c> in group
/// <c>digests</c>. Without that job, saving only stores the cron.
/// </summary>
public sealed class DigestScheduleService(NewsPushDbContext db, ISchedulerFactory schedulers, AuditLog audit, TimeProvider clock)
{

    public Task<List<DigestSchedule>> ListAsync(CancellationToken ct) => db.DigestSchedules.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);

    public Task<DigestSchedule?> FindAsync(int id, CancellationToken ct) => db.DigestSchedules.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);

    /// <summary>Null when <paramref name="cron"/> is a valid Quartz cron expression, else why not.</summary>
    public static string? Validate(string? cron) => Cron.Validate(cron);

    /// <summary>The next <paramref name="count"/> fire times (UTC) after now.</summary>
    public IReadOnlyList<DateTimeOffset> Preview(string cron, int count = 5)
    {
        var expression = CronExpression.Parse(cron.Trim()).WithTimeZone(TimeZoneInfo.Utc);
        var result = new List<DateTimeOffset>();
        var after = clock.GetUtcNow();
        while (result.Count < count && expression.GetNextValidTimeAfter(after) is { } next)
        {
            result.Add(next);
            after = next;
        }
        return result;
    }

    public async Task<string?> UpdateAsync(int id, string cron, bool enabled, ClaimsPrincipal actor, CancellationToken ct)
    {
        if (Validate(cron) is { } error)
        {
            return error;
        }
        var schedule = await db.DigestSchedules.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (schedule is null)
        {
            return "The schedule does not exist.";
        }
        var old = schedule.CronExpression;
        schedule.CronExpression = cron.Trim();
        schedule.IsEnabled = enabled;
        schedule.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Add(actor, "digest-schedule.updated", nameof(DigestSchedule), schedule.Name, $"{old} → {schedule.CronExpression}{(enabled ? "" : " (disabled)")}");
        await db.SaveChangesAsync(ct);
        await ApplyAsync(schedule, ct);
        return null;
    }

    /// <summary>
    /// Makes the scheduler match <paramref name="schedule"/>: reschedules (or creates) its trigger, or removes it
    /// when disabled. Returns false when the digest job is not registered, so there is nothing to drive.
    /// </summary>
    public async Task<bool> ApplyAsync(DigestSchedule schedule, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        if (!await scheduler.Exists(DigestJob.Key, ct))
        {
            return false;
        }
        var key = DigestJob.TriggerKeyFor(schedule.Name);
        if (!schedule.IsEnabled)
        {
            await scheduler.UnscheduleJob(key, ct);
            return true;
        }
        var trigger = TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(DigestJob.Key)
            .UsingJobData("schedule", schedule.Name)
            .UsingJobData(DigestJob.FrequencyKey, schedule.Frequency.ToString())
            .WithCronSchedule(schedule.CronExpression, c => c.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, ct);
        return true;
    }
}
