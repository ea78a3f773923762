using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsPush.Web.Recommendations;
using Quartz;

namespace NewsPush.Tests.Recommender.Web;

public sealed class RetrainModelJobTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNewsPushRecommendations(configuration, Path.GetTempPath());
        services.AddSingleton<IConfiguration>(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task RetrainJobIsScheduledWithTheCronFromOptionsAndNeverRunsTwiceAtOnce()
    {
        await using var services = Build(new() { ["Recommender:RetrainCron"] = "0 15 2 * * ?" });
        var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var job = await scheduler.GetJobDetail(RetrainModelJob.Key);
        Assert.NotNull(job);
        Assert.True(job!.ConcurrentExecutionDisallowed);
        var trigger = Assert.IsAssignableFrom<ICronTrigger>(Assert.Single(await scheduler.GetTriggersOfJob(RetrainModelJob.Key)));
        Assert.Equal("0 15 2 * * ?", trigger.CronExpressionString);
        await scheduler.Shutdown();
    }

    [Fact]
    public void InvalidCronIsRejectedAtStartup()
    {
        using var services = Build(new() { ["Recommender:RetrainCron"] = "every night", ["Recommender:RetrainEnabled"] = "false" });
        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RecommenderOptions>>().Value);
        Assert.Contains("RetrainCron", ex.Message);
    }
}
