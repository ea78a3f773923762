using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Interactions;

namespace NewsPush.Tests.Web.Reader;

/// <summary>
/// The site with a clock the test moves and small abuse limits: 30 interactions per reader per day, 10 per reader in
/// training, beacon windows of an hour (so no window ends during a test).
/// </summary>
public class AbuseFactory : NewsPushFactory
{
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public AbuseFactory(TestDatabase database, int beaconsPerUser = 1000, int beaconsPerAddress = 100_000) : base(database)
    {
        Settings["Interactions:DailyCapPerReader"] = "30";
        Settings["Recommender:MaxInteractionsPerReader"] = "10";
        Settings["Beacon:PerUser:PermitLimit"] = beaconsPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Beacon:PerUser:WindowSeconds"] = "3600";
        Settings["Beacon:PerAddress:PermitLimit"] = beaconsPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Beacon:PerAddress:WindowSeconds"] = "3600";
    }

    public TestClock Clock { get; } = new(Start);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public Task FlushInteractionsAsync() => Services.GetRequiredService<InteractionRecorder>().FlushAsync(Services, default);

    /// <summary>An article published an hour before the test clock's now.</summary>
    public Task<(int Id, string Slug)> PublishAsync(string title, string body = "Body") =>
        ReaderTestData.PublishAsync(this, title, body, publishedAt: Clock.Now.UtcDateTime.AddHours(-1));
}

public sealed class AbuseSqliteFactory() : AbuseFactory(TestDatabase.Sqlite);

public sealed class AbusePostgreSqlFactory() : AbuseFactory(TestDatabase.PostgreSql);

/// <summary>Three beacons per reader and five per address an hour.</summary>
public sealed class BeaconLimitFactory() : AbuseFactory(TestDatabase.Sqlite, beaconsPerUser: 3, beaconsPerAddress: 5);
