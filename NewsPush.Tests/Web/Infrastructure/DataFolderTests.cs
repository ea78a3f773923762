using Microsoft.Extensions.DependencyInjection;
using NewsPush.Recommender.Ranking;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Infrastructure;

/// <summary>Database:DataFolder holds the local state: relative mail pickup and model folders resolve under it.</summary>
public sealed class DataFolderTests
{
    [Fact]
    public async Task RelativePickupAndModelFoldersAreInsideTheDataFolder()
    {
        await using var factory = new SqliteFactory();
        factory.Settings["Email:PickupFolder"] = "outbox";
        factory.Settings["Recommender:ModelFolder"] = "trained-models";
        var user = await factory.CreateUserAsync(Unique("data") + "@test.local");
        using var client = factory.CreateClient();

        await client.PostFormAsync("/account/forgot-password", new Dictionary<string, string> { ["Email"] = user.Email! });

        // The factory's DataFolder is its work folder.
        var outbox = Path.Combine(factory.WorkDir, "outbox");
        await LastMessageToAsync(outbox, user.Email!);
        Assert.Single(Directory.GetFiles(outbox, "*.eml"));
        Assert.Equal(Path.Combine(factory.WorkDir, "trained-models"), factory.Services.GetRequiredService<ModelStore>().Folder);
    }
}
