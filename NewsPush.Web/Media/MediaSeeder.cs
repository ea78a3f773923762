using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;

namespace NewsPush.Web.Media;

/// <summary>
/// A start-up step after the data seeding: on a demo database where nobody has stored a picture yet, every article gets a
/// generated card (<see cref="SeedCards"/>) as its feature image. It runs in the background (a few cards a second on
/// one core; the site serves meanwhile, cards appearing as they are made) and only on a database with no picture at
/// all, so it never touches a newsroom's own articles. Two nodes starting at once make the same cards, stored once.
/// </summary>
public sealed partial class MediaSeeder(IServiceScopeFactory scopes, IOptions<MediaOptions> options, ILogger<MediaSeeder> logger) : BackgroundService
{
    private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Done (or nothing to do); tests wait for it.</summary>
    public Task Completed => completed.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SeedAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex);
        }
        finally
        {
            completed.TrySetResult();
        }
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        if (!options.Value.SeedImages)
        {
            return;
        }
        await Task.Yield();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        if (await db.MediaImages.AnyAsync(ct))
        {
            return;
        }
        var processor = scope.ServiceProvider.GetRequiredService<ImageProcessor>();
        var library = scope.ServiceProvider.GetRequiredService<MediaLibrary>();
        var articles = await db.Articles.Where(a => a.FeatureImageId == null).OrderByDescending(a => a.PublishedAt)
            .Select(a => new { a.Id, a.Title, ColumnSlug = a.Column!.Slug, ColumnName = a.Column.Name }).ToListAsync(ct);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var a in articles)
        {
            using var card = SeedCards.Draw(a.ColumnSlug, a.ColumnName, a.Title);
            var image = await library.SaveAsync(processor.Encode(card), null, ct);
            await db.Articles.Where(x => x.Id == a.Id && x.FeatureImageId == null).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.FeatureImageId, image.Id)
                .SetProperty(x => x.FeatureImageAlt, $"Illustration in the colours of {a.ColumnName} with the headline “{a.Title}”"), ct);
            db.ChangeTracker.Clear();
        }
        if (articles.Count > 0)
        {
            LogSeeded(articles.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Made feature images for {Count} seeded articles in {Seconds:0.0} s")]
    private partial void LogSeeded(int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Making the seeded articles' pictures failed; they stay without")]
    private partial void LogFailed(Exception ex);
}
