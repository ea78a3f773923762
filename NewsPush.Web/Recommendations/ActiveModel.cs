using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Recommender.Features;
using NewsPush.Recommender.Ranking;
using NewsPush.Recommender.Serving;

namespace NewsPush.Web.Recommendations;

/// <summary>
/// Holds the active model and a scoring snapshot (articles, popularity, candidates) built for it.
/// Both are swapped atomically: readers in flight keep the engine they started with, so activating
/// or rolling back a version needs no restart. Every node re-checks the active version at most every
/// 30 seconds, so activation on one node reaches the others; a node without the version's files writes them from the
/// database first (<see cref="ModelFiles"/>).
/// </summary>
public sealed partial class ActiveModel(IServiceScopeFactory scopes, ModelStore store, ModelFiles files, IOptions<RecommenderOptions> options, TimeProvider clock, ILogger<ActiveModel> logger)
{
    private static readonly TimeSpan VersionCheckInterval = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile State? state;
    private DateTime versionCheckedAt = DateTime.MinValue;
    private string? activeVersion;
    private volatile bool noEngine;

    private sealed record State(RankingModel Model, RecommendationEngine Engine, DateTime BuiltAt);

    /// <summary>The version the current snapshot was built for, if any.</summary>
    public string? Version => state?.Model.Version;

    /// <summary>Forget everything: the next request reloads the active version and rebuilds the snapshot.</summary>
    public void Invalidate()
    {
        versionCheckedAt = DateTime.MinValue;
        noEngine = false;
        state = null;
    }

    /// <summary>The engine for the active model, or null when no model is active (use the fallback).</summary>
    public async Task<RecommendationEngine?> GetEngineAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var current = state;
        if (current is not null && now - current.BuiltAt < TimeSpan.FromMinutes(options.Value.SnapshotMinutes) && now - versionCheckedAt < VersionCheckInterval)
        {
            return current.Engine;
        }
        if (current is null && noEngine && (now - versionCheckedAt).Duration() < VersionCheckInterval)
        {
            // No model to serve, as found at the last check: no lock and no query until the next one (every signed-in
            // page asks, and waited here on one query at a time before).
            return null;
        }
        await gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
            if (now - versionCheckedAt >= VersionCheckInterval || (state is null && !noEngine))
            {
                activeVersion = await db.ModelVersions.AsNoTracking().Where(m => m.IsActive).Select(m => m.Version).FirstOrDefaultAsync(ct);
                versionCheckedAt = now;
            }
            if (activeVersion is null || !await files.EnsureLocalAsync(db, activeVersion, ct))
            {
                state = null;
                noEngine = true;
                return null;
            }
            noEngine = false;
            current = state;
            if (current is not null && current.Model.Version == activeVersion && now - current.BuiltAt < TimeSpan.FromMinutes(options.Value.SnapshotMinutes))
            {
                return current.Engine;
            }
            var model = current?.Model.Version == activeVersion ? current.Model : store.Load(activeVersion);
            var loader = scope.ServiceProvider.GetRequiredService<RecommenderDataLoader>();
            var articles = await loader.LoadArticlesAsync(now.AddDays(-options.Value.HistoryDays), ct);
            var index = new ArticleIndex(articles, model.Vectorizer);
            var stats = await loader.LoadStatsAsync(index, ct);
            var candidates = await loader.LoadCandidateIdsAsync(ct);
            var engine = new RecommendationEngine(index, stats, now, candidates, model.Scorer);
            state = new State(model, engine, now);
            LogSnapshot(logger, model.Version, index.Count, engine.CandidateCount);
            return engine;
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recommender snapshot for model {Version}: {Articles} articles, {Candidates} candidates")]
    private static partial void LogSnapshot(ILogger logger, string version, int articles, int candidates);
}
