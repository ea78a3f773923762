using System.Text.Json;
using System.Text.Json.Nodes;
using NewsPush.Recommender.Data;
using NewsPush.Recommender.Evaluation;
using NewsPush.Recommender.Features;
using NewsPush.Recommender.Ranking;

namespace NewsPush.Tests.Recommender.Ranking;

/// <summary>Versions stored before the behaviour features keep serving: features are only appended.</summary>
public sealed class ModelVersioningTests
{
    [Fact]
    public void TreeModelStoredOnTwelveFeaturesLoadsAndScoresWiderRowsOnItsOwnFeatures()
    {
        var world = new SyntheticDataGenerator(new SyntheticOptions { Readers = 150, Articles = 200, Days = 7 }).Generate();
        // A model that only knows the twelve features of the old row, as versions stored before had.
        var legacy = Enumerable.Range(FeatureBuilder.LegacyFeatureCount, FeatureBuilder.FeatureCount - FeatureBuilder.LegacyFeatureCount).ToHashSet();
        var result = Evaluator.Evaluate(world.Dataset, new EvaluationOptions { DisabledFeatures = legacy, Trees = new TreeSettings(Trees: 20) });
        var folder = Directory.CreateTempSubdirectory("newspush-models").FullName;
        try
        {
            var store = new ModelStore(folder);
            store.Save(result.Model, result.Trained, result.Report);
            var path = Path.Combine(folder, result.Model.Version, "model.json");
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            Assert.Equal(FeatureBuilder.FeatureCount, (int)json["FeatureCount"]!);
            json.Remove("FeatureCount");
            File.WriteAllText(path, json.ToJsonString());

            var loaded = store.Load(result.Model.Version);

            var rng = new Random(5);
            var rows = Enumerable.Range(0, 50 * FeatureBuilder.FeatureCount).Select(_ => (float)rng.NextDouble()).ToArray();
            var scores = new float[50];
            loaded.Scorer.Score(rows, scores);
            var zeroed = rows.ToArray();
            for (var r = 0; r < 50; r++)
            {
                foreach (var f in legacy)
                {
                    zeroed[(r * FeatureBuilder.FeatureCount) + f] = 0;
                }
            }
            var expected = new float[50];
            result.Trained.Scorer.Score(zeroed, expected);
            Assert.Equal(expected, scores);
            Assert.True(scores.Distinct().Count() > 5);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void NonTreeModelOfAnOlderRowWidthIsRefusedWithAMessage()
    {
        var world = new SyntheticDataGenerator(new SyntheticOptions { Readers = 100, Articles = 150, Days = 7 }).Generate();
        var result = Evaluator.Evaluate(world.Dataset, new EvaluationOptions { Trainer = TrainerKind.LogisticRegression });
        var folder = Directory.CreateTempSubdirectory("newspush-models").FullName;
        try
        {
            var store = new ModelStore(folder);
            store.Save(result.Model, result.Trained, result.Report);
            var path = Path.Combine(folder, result.Model.Version, "model.json");
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            json.Remove("FeatureCount");
            File.WriteAllText(path, json.ToJsonString());

            var error = Assert.Throws<InvalidDataException>(() => store.Load(result.Model.Version));
            Assert.Contains("Train a new version", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
