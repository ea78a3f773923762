using Microsoft.Extensions.Options;
using NewsPush.Data.Entities;
using NewsPush.Web.Jobs;
using Quartz;

namespace NewsPush.Web.Digests;

/// <summary>The digest Quartz job: one job, one trigger per DigestSchedule row; it only delegates to <see cref="DigestRunner"/>.</summary>
[DisallowConcurrentExecution]
public sealed class DigestJob(DigestRunner runner) : IJob
{
    public const string Group = "digests";
    public static readonly JobKey Key = new("digest", Group);
    public const string FrequencyKey = "frequency";

    public static TriggerKey TriggerKeyFor(string scheduleName) => new($"digest-{scheduleName}", Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var frequency = Enum.TryParse<DigestFrequency>(context.MergedJobDataMap.GetString(FrequencyKey), out var f) ? f : DigestFrequency.Daily;
        await runner.RunAsync(frequency, ct);
    }
}

/// <summary>
/// At start-up, makes the triggers `digest-{Name}` (group `digests`) match the DigestSchedule table, through
/// <see cref="DigestScheduleService.ApplyAsync"/> — the one place digest triggers are built, also used when an
/// admin edits a schedule.
/// </summary>
public sealed partial class DigestScheduleSync(IServiceProvider services, IOptions<DigestOptions> options, ILogger<DigestScheduleSync> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SchedulingEnabled)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var schedules = scope.ServiceProvider.GetRequiredService<DigestScheduleService>();
        foreach (var s in await schedules.ListAsync(cancellationToken))
        {
            if (s.IsEnabled && !Cron.IsValid(s.CronExpression))
            {
                LogInvalidCron(logger, s.Name, s.CronExpression);
                s.IsEnabled = false;
            }
            await schedules.ApplyAsync(s, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Digest schedule {Name} has an invalid cron expression '{Cron}'; not scheduled")]
    private static partial void LogInvalidCron(ILogger logger, string name, string cron);
}
