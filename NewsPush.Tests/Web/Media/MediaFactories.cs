using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Media;

namespace NewsPush.Tests.Web.Media;

/// <summary>
/// Sites whose seeded articles get their generated pictures (off in the other tests' sites: drawing and encoding 48
/// cards costs every test class a few seconds of CPU).
/// </summary>
public static class SeededPictures
{
    public static void Enable(NewsPushFactory factory) => factory.Settings["Media:SeedImages"] = "true";

    /// <summary>Waits until the start-up step has given every seeded article its picture.</summary>
    public static Task ReadyAsync(this NewsPushFactory factory) => factory.Services.GetRequiredService<MediaSeeder>().Completed.WaitAsync(TimeSpan.FromMinutes(2));
}

public sealed class PicturesSqliteFactory : NewsPushFactory
{
    public PicturesSqliteFactory() : base(TestDatabase.Sqlite) => SeededPictures.Enable(this);
}

public sealed class PicturesPostgreSqlFactory : NewsPushFactory
{
    public PicturesPostgreSqlFactory() : base(TestDatabase.PostgreSql) => SeededPictures.Enable(this);
}
