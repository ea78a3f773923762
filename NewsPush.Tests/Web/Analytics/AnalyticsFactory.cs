using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Analytics;

namespace NewsPush.Tests.Web.Analytics;

/// <summary>The site on the fake clock with the roll-up job unscheduled: tests run it themselves.</summary>
public class AnalyticsFactory : PushFactory
{
    public AnalyticsFactory(TestDatabase database) : base(database)
    {
        Settings["Analytics:RollupEnabled"] = "false";
        Settings["Analytics:SettleSeconds"] = "0";
    }

    /// <summary>The scenario the test class seeded once on this site.</summary>
    public AnalyticsScenario? Scenario { get; set; }

    public async Task<RollupResult> RollUpAsync()
    {
        await FlushInteractionsAsync();
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RollupBuilder>().RunAsync(CancellationToken.None);
    }
}

public sealed class AnalyticsSqliteFactory() : AnalyticsFactory(TestDatabase.Sqlite);

public sealed class AnalyticsPostgreSqlFactory() : AnalyticsFactory(TestDatabase.PostgreSql);

public sealed record AnalyticsScenario(long PushId, long DigestRun, List<ApplicationUser> Readers);
