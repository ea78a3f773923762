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

        // The factory's DataFolder is its work folder. Account mail goes out in the background after the answer: wait for it.
        var outbox = Path.Combine(factory.WorkDir, "outbox");
        for (var i = 0; i < 150 && !(Directory.Exists(outbox) && Directory.GetFiles(outbox, "*.eml").Length > 0); i++)
        {
            await Task.Delay(100);
        }
        Assert.Single(Directory.GetFiles(outbox, "*.eml"));
        Assert.Equal(Path.Combine(factory.WorkDir, "trained-models"), factory.Services.GetRequiredService<ModelStore>().Folder);
    }
}
