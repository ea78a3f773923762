using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Digests;
using Quartz;

namespace NewsPush.Tests.Web.Digests;

/// <summary>The site with scheduling on, as in production (the digest job itself is exercised in DigestPipelineTests).</summary>
public sealed class ScheduledPushFactory : PushFactory
{
    public ScheduledPushFactory() : base(TestDatabase.Sqlite) => Settings["Digest:SchedulingEnabled"] = "true";
}

public sealed class DigestScheduleTests(ScheduledPushFactory factory) : IClassFixture<ScheduledPushFactory>
{
    [Fact]
    public async Task EachDigestScheduleRowBecomesATriggerOfTheDigestJobWithItsCron()
    {
        _ = factory.Server;
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        Assert.NotNull(await scheduler.GetJobDetail(new JobKey("digest", "digests")));
        foreach (var (name, cron, frequency) in new[] { ("daily", "0 0/15 * * * ?", "Daily"), ("weekly", "0 5/15 * * * ?", "Weekly") })
        {
            var trigger = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(new TriggerKey($"digest-{name}", "digests")));
            Assert.Equal(cron, trigger.CronExpressionString);
            Assert.Equal(DigestJob.Key, trigger.JobKey);
            Assert.Equal(frequency, trigger.JobDataMap.GetString(DigestJob.FrequencyKey));
        }
    }
}
