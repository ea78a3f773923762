using System.Text.Json;
using Microsoft.ML;
using NewsPush.Recommender.Features;
using NewsPush.Recommender.Text;

namespace NewsPush.Recommender.Ranking;

/// <summary>
/// Saves and loads model versions in a folder: <c>{version}/model.zip</c> (the ML.NET model) and
/// <c>{version}/model.json</c> (trainer, vectorizer IDF, flattened trees, metrics).
/// </summary>
public sealed class ModelStore(string folder)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string Folder { get; } = Path.GetFullPath(folder);

    public string Save(RankingModel model, TrainedModel trained, object? metrics = null)
    {
        var dir = Path.Combine(Folder, model.Version);
        Directory.CreateDirectory(dir);
        trained.Context.Model.Save(trained.Transformer, trained.InputSchema, Path.Combine(dir, "model.zip"));
        var meta = new ModelFile(model.Version, model.Trainer, model.CreatedAt, model.TrainingExamples,
            model.Vectorizer.Dimensions, model.Vectorizer.Idf, trained.Trees, metrics is null ? null : JsonSerializer.SerializeToElement(metrics), FeatureBuilder.FeatureCount);
        File.WriteAllText(Path.Combine(dir, "model.json"), JsonSerializer.Serialize(meta, Json));
        return dir;
    }

    public bool Exists(string version) => File.Exists(Path.Combine(Folder, version, "model.json"));

    public RankingModel Load(string version)
    {
        var dir = Path.Combine(Folder, version);
        var meta = JsonSerializer.Deserialize<ModelFile>(File.ReadAllText(Path.Combine(dir, "model.json")), Json)
            ?? throw new InvalidDataException($"Model {version} has no metadata.");
        IPairScorer scorer;
        var width = meta.FeatureCount ?? FeatureBuilder.LegacyFeatureCount;
        if (meta.Trees is null && width != FeatureBuilder.FeatureCount)
        {
            throw new InvalidDataException($"Model {version} is a {meta.Trainer} model on {width} features; only tree models of older versions can be served with {FeatureBuilder.FeatureCount}. Train a new version.");
        }
        if (meta.Trees is not null)
        {
            scorer = meta.Trees;
        }
        else
        {
            var ml = new MLContext();
            var transformer = ml.Model.Load(Path.Combine(dir, "model.zip"), out _);
            scorer = new MlNetScorer(ml, transformer);
        }
        return new RankingModel(meta.Version, meta.Trainer, meta.CreatedAt, meta.TrainingExamples, new TextVectorizer(meta.Dimensions, meta.Idf), scorer);
    }

    /// <summary>
    /// <see cref="FeatureCount"/> is the row width the model was trained on; files written before it
    /// existed have none and were trained on the <see cref="FeatureBuilder.LegacyFeatureCount"/> first
    /// features, which keep their indexes (features are only appended), so their trees score new rows.
    /// </summary>
    private sealed record ModelFile(string Version, string Trainer, DateTime CreatedAt, int TrainingExamples, int Dimensions, float[] Idf, TreeEnsembleScorer? Trees, JsonElement? Metrics, int? FeatureCount = null);
}
