using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.WebPush;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>Keys from configuration: the same pair on every node, and a wrong pair stops the start, not the first push.</summary>
public sealed class WebPushKeyConfigurationTests
{
    [Fact]
    public async Task AConfiguredPairIsWhatTheSiteSignsWithAndNothingIsStored()
    {
        var pair = VapidKeyPair.Generate();
        await using var factory = new NewsPushFactory(TestDatabase.Sqlite);
        factory.Settings["WebPush:PublicKey"] = pair.PublicKey;
        factory.Settings["WebPush:PrivateKey"] = pair.PrivateKey;
        using var client = factory.CreateClient();

        Assert.Contains(pair.PublicKey, await client.GetStringAsync("/api/push/vapid-public-key"), StringComparison.Ordinal);
        Assert.Equal(0, await factory.WithDbAsync(db => Task.FromResult(db.SiteKeys.Count())));
    }

    [Fact]
    public async Task AMismatchedPairStopsTheStartWithAClearMessage()
    {
        await using var factory = new NewsPushFactory(TestDatabase.Sqlite);
        factory.Settings["WebPush:PublicKey"] = VapidKeyPair.Generate().PublicKey;
        factory.Settings["WebPush:PrivateKey"] = VapidKeyPair.Generate().PrivateKey;

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains("one P-256 pair", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGeneratedPairSurvivesARestartOfTheSite()
    {
        await using var first = new NewsPushFactory(TestDatabase.Sqlite);
        var key = await first.Services.GetRequiredService<VapidKeyStore>().GetAsync(CancellationToken.None);
        // A second host on the same database (another node, or the same one after a restart) reads the same pair.
        await using var second = new NewsPushFactory(TestDatabase.Sqlite);
        second.Settings["Database:ConnectionString"] = first.ConnectionString;
        second.Settings["Database:DataFolder"] = first.WorkDir;
        var again = await second.Services.GetRequiredService<VapidKeyStore>().GetAsync(CancellationToken.None);
        Assert.Equal(key, again);
    }
}
