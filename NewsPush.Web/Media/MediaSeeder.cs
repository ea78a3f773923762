using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;

namespace NewsPush.Web.Media;

/// <summary>
/// A start-up step after the data seeding: on a demo database where nobody has stored a picture yet, every published article
/// gets a generated card (<see cref="SeedCards"/>) as its feature image. It runs once, before the site takes requests; with
/// pictures already stored (an editor uploaded one, or an earlier start seeded them) it does nothing.
/// </summary>
public sealed partial class MediaSeeder(IServiceScopeFactory scopes, IOptions<MediaOptions> options, ILogger<MediaSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedImages)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        if (await db.MediaImages.AnyAsync(cancellationToken))
        {
            return;
        }
        var processor = scope.ServiceProvider.GetRequiredService<ImageProcessor>();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var articles = await db.Articles.Where(a => a.FeatureImageId == null)
            .Select(a => new { a.Id, a.Title, ColumnSlug = a.Column!.Slug, ColumnName = a.Column.Name }).ToListAsync(cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var a in articles)
        {
            using var card = SeedCards.Draw(a.ColumnSlug, a.ColumnName, a.Title);
            var image = await library.SaveAsync(processor.Encode(card), null, cancellationToken);
            await db.Articles.Where(x => x.Id == a.Id && x.FeatureImageId == null).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.FeatureImageId, image.Id)
                .SetProperty(x => x.FeatureImageAlt, $"Illustration in the colours of {a.ColumnName} with the headline “{a.Title}”"), cancellationToken);
            db.ChangeTracker.Clear();
        }
        if (articles.Count > 0)
        {
            LogSeeded(articles.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Made feature images for {Count} seeded articles in {Seconds:0.0} s")]
    private partial void LogSeeded(int count, double seconds);
}
