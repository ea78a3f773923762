using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Digests;
using NewsPush.Web.Newsroom;
using Quartz;

namespace NewsPush.Tests.Web.Admin;

public sealed class JobsAdminTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [Fact]
    public async Task JobMonitorListsThePublishingJobAndRunNowRunsIt()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var page = await admin.GetStringAsync("/admin/jobs");
        Assert.Contains("publishing.publish-article", page);
        Assert.Contains("daily", page);

        var response = await admin.PostFormAsync("/admin/jobs", new Dictionary<string, string> { ["name"] = "publish-article", ["group"] = "publishing" }, "/admin/jobs/run");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("Job started.", await admin.GetStringAsync("/admin/jobs"));
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "job.run-now")));
    }

    [Fact]
    public async Task InvalidCronIsRefusedWithAMessageAndNothingStored()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var id = await factory.WithDbAsync(db => db.DigestSchedules.Where(s => s.Name == "weekly").Select(s => s.Id).SingleAsync());
        var before = await factory.WithDbAsync(db => db.DigestSchedules.Where(s => s.Id == id).Select(s => s.CronExpression).SingleAsync());
        var response = await admin.PostFormAsync($"/admin/jobs/schedules/{id}", new Dictionary<string, string> { ["cronExpression"] = "every monday", ["isEnabled"] = "true" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Not a valid Quartz cron expression", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await factory.WithDbAsync(db => db.DigestSchedules.Where(s => s.Id == id).Select(s => s.CronExpression).SingleAsync()));
    }

    [Fact]
    public async Task PreviewShowsNextFiveFireTimesAndSaveStoresTheCron()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var id = await factory.WithDbAsync(db => db.DigestSchedules.Where(s => s.Name == "daily").Select(s => s.Id).SingleAsync());
        var preview = await admin.PostFormAsync($"/admin/jobs/schedules/{id}", new Dictionary<string, string> { ["cronExpression"] = "0 30 6 * * ?", ["isEnabled"] = "true", ["preview"] = "1" });
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Count(html, @"<li>\d{4}-\d\d-\d\d 06:30:00 \w{3}</li>"));

        var save = await admin.PostFormAsync($"/admin/jobs/schedules/{id}", new Dictionary<string, string> { ["cronExpression"] = "0 30 6 * * ?", ["isEnabled"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, save.StatusCode);
        Assert.Equal("0 30 6 * * ?", await factory.WithDbAsync(db => db.DigestSchedules.Where(s => s.Id == id).Select(s => s.CronExpression).SingleAsync()));
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "digest-schedule.updated" && e.EntityId == "daily")));
    }

    [Fact]
    public async Task ApplyingAScheduleReschedulesTheDigestTriggerWhenTheDigestJobExists()
    {
        _ = factory.Server;
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.AddJob(JobBuilder.Create<NoOpJob>().WithIdentity(DigestJob.Key).StoreDurably().Build(), AddJobOptions.Replacing);
        try
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var service = scope.ServiceProvider.GetRequiredService<DigestScheduleService>();
            var schedule = new NewsPush.Data.Entities.DigestSchedule { Name = "weekly", Frequency = NewsPush.Data.Entities.DigestFrequency.Weekly, CronExpression = "0 0 7 ? * MON", IsEnabled = true };
            Assert.True(await service.ApplyAsync(schedule, default));
            var trigger = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(DigestJob.TriggerKeyFor("weekly")));
            Assert.Equal("0 0 7 ? * MON", trigger.CronExpressionString);
            Assert.Equal(DayOfWeek.Monday, trigger.NextFireTimeUtc!.Value.DayOfWeek);

            schedule.CronExpression = "0 0 8 ? * FRI";
            await service.ApplyAsync(schedule, default);
            trigger = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(DigestJob.TriggerKeyFor("weekly")));
            Assert.Equal("0 0 8 ? * FRI", trigger.CronExpressionString);
            // The digest job reads the frequency from the trigger: an admin's edit must keep a weekly schedule weekly.
            Assert.Equal("Weekly", trigger.JobDataMap.GetString(NewsPush.Web.Digests.DigestJob.FrequencyKey));

            schedule.IsEnabled = false;
            await service.ApplyAsync(schedule, default);
            Assert.Null(await scheduler.GetTrigger(DigestJob.TriggerKeyFor("weekly")));
        }
        finally
        {
            await scheduler.DeleteJob(DigestJob.Key);
        }
    }

    [Fact]
    public async Task AuditLogViewerFiltersAndPages()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        await factory.WithDbAsync(async db =>
        {
            for (var i = 0; i < 60; i++)
            {
                db.AuditLog.Add(new NewsPush.Data.Entities.AuditLogEntry { Action = "test.paging", EntityType = "Probe", EntityId = i.ToString("00"), ActorName = "robot", CreatedAt = DateTime.UtcNow.AddSeconds(i) });
            }
            await db.SaveChangesAsync();
        });
        var first = await admin.GetStringAsync("/admin/audit?action=test.paging");
        Assert.True(first.Contains("60 entries", StringComparison.Ordinal), first[first.IndexOf("<main", StringComparison.Ordinal)..]);
        Assert.Contains("Probe 59", first);
        Assert.DoesNotContain("Probe 05", first);
        Assert.Contains("Probe 05", await admin.GetStringAsync("/admin/audit?action=test.paging&page=2"));
        Assert.Contains("0 entries", await admin.GetStringAsync("/admin/audit?action=test.paging&actor=nobody"));
    }

    [Fact]
    public async Task JobMonitorShowsPausedTriggersAndTheLastErrorOfAFailingJob()
    {
        _ = factory.Server;
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var key = new JobKey("always-fails", "probe");
        await scheduler.AddJob(JobBuilder.Create<FailingJob>().WithIdentity(key).StoreDurably().Build(), AddJobOptions.Replacing);
        await scheduler.ScheduleJob(TriggerBuilder.Create().WithIdentity("probe-later", "probe").ForJob(key).StartAt(DateTimeOffset.UtcNow.AddDays(1)).Build());
        try
        {
            using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
            await admin.PostFormAsync("/admin/jobs", new Dictionary<string, string> { ["name"] = key.Name, ["group"] = key.Group, ["pause"] = "true" }, "/admin/jobs/pause");
            Assert.Contains("probe-later: Paused", await admin.GetStringAsync("/admin/jobs"));
            await admin.PostFormAsync("/admin/jobs", new Dictionary<string, string> { ["name"] = key.Name, ["group"] = key.Group, ["pause"] = "false" }, "/admin/jobs/pause");
            Assert.Contains("probe-later: Normal", await admin.GetStringAsync("/admin/jobs"));

            await admin.PostFormAsync("/admin/jobs", new Dictionary<string, string> { ["name"] = key.Name, ["group"] = key.Group }, "/admin/jobs/run");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var page = "";
            while (DateTime.UtcNow < deadline && !page.Contains(FailingJob.Message, StringComparison.Ordinal))
            {
                await Task.Delay(250);
                page = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/jobs"));
            }
            Assert.Contains($"): {FailingJob.Message}", page);
        }
        finally
        {
            await scheduler.DeleteJob(key);
        }
    }

    private sealed class FailingJob : IJob
    {
        public const string Message = "upstream feed unreachable";

        public ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => throw new InvalidOperationException(Message);
    }

    private sealed class NoOpJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => ValueTask.CompletedTask;
    }
}
