using System.Collections.Concurrent;
using Quartz;

namespace NewsPush.Web.Jobs;

/// <summary>Last run and last error of every job on this node, for the job monitor.</summary>
public sealed class JobRunTracker(TimeProvider clock) : IJobListener
{
    private readonly ConcurrentDictionary<JobKey, JobRunInfo> runs = new();

    public string Name => "newspush-run-tracker";

    public JobRunInfo? Get(JobKey key) => runs.GetValueOrDefault(key);

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        var key = context.JobDetail.Key;
        var now = clock.GetUtcNow();
        runs.AddOrUpdate(key,
            _ => new JobRunInfo(now, jobException is null ? null : Message(jobException), jobException is null ? null : now),
            (_, old) => new JobRunInfo(now, jobException is null ? old.LastError : Message(jobException), jobException is null ? old.LastErrorAt : now));
        return ValueTask.CompletedTask;
    }

    private static string Message(JobExecutionException e) => e.GetBaseException().Message;
}

public sealed record JobRunInfo(DateTimeOffset LastRunAt, string? LastError, DateTimeOffset? LastErrorAt);
