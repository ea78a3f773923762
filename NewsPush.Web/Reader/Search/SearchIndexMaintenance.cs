using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Reader.Search;

/// <summary>
/// Keeps the full-text index (and the reader caches) in step with articles and comments written through EF (editor desk, scheduled
/// publishing, seeding): after a save that touched titles or bodies, their index entries are rewritten
/// in the same connection (and transaction, if any). Bulk ExecuteUpdate bypasses it; the start-up
/// backfill catches articles with no entry.
/// </summary>
public sealed class SearchIndexInterceptor(IEnumerable<IFullTextProvider> providers, ReaderCache readerCache, ILogger<SearchIndexInterceptor> logger) : SaveChangesInterceptor
{
    private static readonly string[] IndexedProperties = [nameof(Article.Title), nameof(Article.Summary), nameof(Article.BodyMarkdown)];
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, Pending> pending = new();

    private sealed record Pending(List<Article> Changed, List<int> Deleted);

    private Pending? Take(DbContext? context)
    {
        if (context is not null && pending.TryGetValue(context, out var work))
        {
            pending.Remove(context);
            return work;
        }
        return null;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default) =>
        SavedAsync(eventData, result, cancellationToken);

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    private async ValueTask<int> SavedAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken)
    {
        if (Take(eventData.Context) is { } work && eventData.Context is NewsPushDbContext db)
        {
            await readerCache.InvalidateAsync(cancellationToken);
            try
            {
                var provider = ArticleSearchService.For(db, providers);
                foreach (var id in work.Deleted)
                {
                    await provider.DeleteAsync(db, id, cancellationToken);
                }
                foreach (var a in work.Changed)
                {
                    await provider.UpsertAsync(db, a.Id, ArticleSearchService.IndexTitle(a.Title), ArticleSearchService.IndexBody(a.Summary, a.BodyMarkdown), cancellationToken);
                }
            }
            catch (System.Data.Common.DbException ex)
            {
                // The article is saved; its index entry is rebuilt by the next backfill.
                logger.LogWarning(ex, "Updating the search index failed");
            }
        }
        return await base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (Take(eventData.Context) is { } work && eventData.Context is NewsPushDbContext db)
        {
            readerCache.Invalidate();
            try
            {
                var provider = ArticleSearchService.For(db, providers);
                foreach (var id in work.Deleted)
                {
                    provider.DeleteAsync(db, id, CancellationToken.None).GetAwaiter().GetResult();
                }
                foreach (var a in work.Changed)
                {
                    provider.UpsertAsync(db, a.Id, ArticleSearchService.IndexTitle(a.Title), ArticleSearchService.IndexBody(a.Summary, a.BodyMarkdown), CancellationToken.None).GetAwaiter().GetResult();
                }
            }
            catch (System.Data.Common.DbException ex)
            {
                logger.LogWarning(ex, "Updating the search index failed");
            }
        }
        return base.SavedChanges(eventData, result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Take(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Take(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        List<Article> changed = [];
        List<int> deleted = [];
        // A renamed, reordered or hidden column changes every page's menu and lists.
        var touched = context.ChangeTracker.Entries<Column>().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);
        foreach (var entry in context.ChangeTracker.Entries<Article>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    changed.Add(entry.Entity);
                    break;
                case EntityState.Modified when IndexedProperties.Any(p => IsModified(entry, p)):
                    changed.Add(entry.Entity);
                    break;
                case EntityState.Modified:
                    // Status, dates: nothing to index, but cached pages are stale.
                    touched = true;
                    break;
                case EntityState.Deleted:
                    deleted.Add(entry.Entity.Id);
                    break;
            }
        }
        // Moderation (hiding, deleting comments) must show on cached article pages too.
        touched |= context.ChangeTracker.Entries<Comment>().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);
        if (changed.Count + deleted.Count > 0 || touched)
        {
            pending.AddOrUpdate(context, new Pending(changed, deleted));
        }
    }

    private static bool IsModified(EntityEntry<Article> entry, string property) => entry.Property(property).IsModified;
}

/// <summary>At start-up, indexes any article that has no index entry (e.g. written before the index existed).</summary>
public sealed class SearchIndexBackfill(IServiceProvider services, ILogger<SearchIndexBackfill> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunOnceAsync(services, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Search index backfill failed");
        }
    }

    public static async Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var provider = ArticleSearchService.For(db, scope.ServiceProvider.GetServices<IFullTextProvider>());
        var missing = await provider.MissingAsync(db, ct);
        await SearchIndexWriter.IndexAsync(db, provider, missing, ct);
        return missing.Count;
    }
}
