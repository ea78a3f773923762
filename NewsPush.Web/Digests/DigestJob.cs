using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using Quartz;

namespace NewsPush.Web.Digests;

/// <summary>The digest Quartz job: one job, one trigger per DigestSchedule row; it only delegates to <see cref="DigestRunner"/>.</summary>
[DisallowConcurrentExecution]
public sealed class DigestJob(DigestRunner runner) : IJob
{
    public static readonly JobKey Key = new("digest", "digests");
    public const string FrequencyKey = "frequency";

    public static TriggerKey TriggerKeyFor(string scheduleName) => new($"digest-{scheduleName}", "digests");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var frequency = Enum.TryParse<DigestFrequency>(context.MergedJobDataMap.GetString(FrequencyKey), out var f) ? f : DigestFrequency.Daily;
        await runner.RunAsync(frequency, ct);
    }
}

/// <summary>At start-up, creates or updates the triggers `digest-{Name}` (group `digests`) from the DigestSchedule table.</summary>
public sealed partial class DigestScheduleSync(IServiceProvider services, ISchedulerFactory schedulers, IOptions<DigestOptions> options, ILogger<DigestScheduleSync> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SchedulingEnabled)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var schedules = await db.DigestSchedules.AsNoTracking().ToListAsync(cancellationToken);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var s in schedules)
        {
            var key = DigestJob.TriggerKeyFor(s.Name);
            if (!s.IsEnabled || !IsValidCron(s.CronExpression))
            {
                await scheduler.UnscheduleJob(key, cancellationToken);
                if (s.IsEnabled)
                {
                    LogInvalidCron(logger, s.Name, s.CronExpression);
                }
                continue;
            }
            var trigger = TriggerBuilder.Create()
                .WithIdentity(key)
                .ForJob(DigestJob.Key)
                .UsingJobData(DigestJob.FrequencyKey, s.Frequency.ToString())
                .WithCronSchedule(s.CronExpression, c => c.InTimeZone(TimeZoneInfo.Utc))
                .Build();
            if (await scheduler.GetTrigger(key, cancellationToken) is null)
            {
                await scheduler.ScheduleJob(trigger, default(ScheduleJobOptions), cancellationToken);
            }
            else
            {
                await scheduler.RescheduleJob(key, trigger, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static bool IsValidCron(string expression)
    {
        try
        {
            _ = new CronExpression(expression);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Digest schedule {Name} has an invalid cron expression '{Cron}'; not scheduled")]
    private static partial void LogInvalidCron(ILogger logger, string name, string cron);
}
