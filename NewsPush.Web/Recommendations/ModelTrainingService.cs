using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Recommender;
using NewsPush.Recommender.Evaluation;
using NewsPush.Recommender.Ranking;

namespace NewsPush.Web.Recommendations;

/// <summary>Outcome of one training run (null version when skipped for lack of data).</summary>
public sealed record TrainingOutcome(ModelVersion? Version, EvaluationReport? Report, string Message);

/// <summary>
/// Trains a model version from the site's interactions, stores it with its metrics next to the
/// baselines', and activates it only if it beats popularity on AUC and nDCG@10. Also activation and
/// rollback for admins.
/// </summary>
public sealed class ModelTrainingService(
    NewsPushDbContext db, RecommenderDataLoader loader, ModelStore store, ModelFiles files, ActiveModel active,
    IOptions<RecommenderOptions> options, TimeProvider clock, ILogger<ModelTrainingService> logger)
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public async Task<TrainingOutcome> TrainFromDatabaseAsync(IProgress<string>? progress, CancellationToken ct)
    {
        progress?.Report("Loading impressions from the database…");
        var dataset = await loader.LoadDatasetAsync(ct);
        if (dataset.Impressions.Count < options.Value.MinimumImpressions || !dataset.Impressions.Any(i => i.Items.Any(x => x.Clicked)))
        {
            var message = $"Not enough data to train: {dataset.Impressions.Count} impressions (minimum {options.Value.MinimumImpressions}).";
            logger.LogWarning("{Message}", message);
            return new TrainingOutcome(null, null, message);
        }
        return await TrainAndStoreAsync(dataset, null, progress, ct);
    }

    /// <summary>Evaluates (time split, or <paramref name="test"/> when given), stores the version, activates if it beats popularity.</summary>
    public async Task<TrainingOutcome> TrainAndStoreAsync(RecommenderDataset train, RecommenderDataset? test, IProgress<string>? progress, CancellationToken ct)
    {
        var evaluation = new EvaluationOptions { Trainer = options.Value.Trainer, Progress = progress };
        var result = await Task.Run(() => test is null ? Evaluator.Evaluate(train, evaluation) : Evaluator.Evaluate(train, test, evaluation), ct);
        var report = result.Report;
        var path = store.Save(result.Model, result.Trained, report);
        var version = new ModelVersion
        {
            Version = result.Model.Version,
            Trainer = report.Trainer,
            ModelPath = path,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            TrainingExamples = report.TrainingExamples,
            Auc = report.Model.Auc,
            Mrr = report.Model.Mrr,
            Ndcg5 = report.Model.Ndcg5,
            Ndcg10 = report.Model.Ndcg10,
            MetricsJson = JsonSerializer.Serialize(report, Json),
            BeatBaselines = report.BeatsPopularity,
        };
        db.ModelVersions.Add(version);
        files.Attach(db, version);
        await db.SaveChangesAsync(ct);
        string message;
        if (version.BeatBaselines)
        {
            await ActivateAsync(version.Id, ct);
            message = $"Model {version.Version} beats popularity and is now active.";
        }
        else
        {
            message = $"Model {version.Version} does not beat popularity on AUC and nDCG@10; the active model is unchanged.";
        }
        logger.LogInformation("{Message}", message);
        return new TrainingOutcome(version, report, message);
    }

    /// <summary>Makes one stored version the active one (also used to roll back).</summary>
    public async Task<bool> ActivateAsync(int id, CancellationToken ct)
    {
        var target = await db.ModelVersions.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (target is null || !await files.EnsureLocalAsync(db, target.Version, ct))
        {
            return false;
        }
        // One SaveChanges is one transaction: never two active versions, and it works under the
        // SQL Server retrying execution strategy (which forbids user-started transactions).
        foreach (var other in await db.ModelVersions.Where(m => m.IsActive && m.Id != id).ToListAsync(ct))
        {
            other.IsActive = false;
        }
        target.IsActive = true;
        target.ActivatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        active.Invalidate();
        return true;
    }

    /// <summary>Turns the model off: everyone gets the popular-and-fresh fallback.</summary>
    public async Task DeactivateAllAsync(CancellationToken ct)
    {
        foreach (var m in await db.ModelVersions.Where(m => m.IsActive).ToListAsync(ct))
        {
            m.IsActive = false;
        }
        await db.SaveChangesAsync(ct);
        active.Invalidate();
    }
}
