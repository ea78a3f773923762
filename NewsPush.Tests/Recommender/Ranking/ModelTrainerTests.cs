using NewsPush.Recommender.Data;
using NewsPush.Recommender.Evaluation;
using NewsPush.Recommender.Ranking;

namespace NewsPush.Tests.Recommender.Ranking;

public sealed class ModelTrainerTests
{
    private static readonly SyntheticOptions Tiny = new() { Readers = 200, Articles = 300, Days = 7 };

    private static EvaluationResult Train(TrainerKind kind) =>
        Evaluator.Evaluate(new SyntheticDataGenerator(Tiny).Generate().Dataset, new EvaluationOptions { Trainer = kind, Trees = new TreeSettings(Trees: 30) });

    /// <summary>Random rows over the features' ranges reach every branch of the trees.</summary>
    private static TrainingSet RandomRows()
    {
        var rng = new Random(3);
        var set = new TrainingSet();
        var row = new float[NewsPush.Recommender.Features.FeatureBuilder.FeatureCount];
        for (var i = 0; i < 500; i++)
        {
            for (var f = 0; f < row.Length; f++)
            {
                row[f] = (float)(rng.NextDouble() * (f == 8 ? 5 : 1));
            }
            set.Add(row, rng.NextDouble() < 0.5, (uint)(i / 10));
        }
        return set;
    }

    [Theory]
    [InlineData(TrainerKind.LightGbmBinary)]
    [InlineData(TrainerKind.FastTreeBinary)]
    public void FlattenedTreesScoreExactlyLikeMlNet(TrainerKind kind)
    {
        var result = Train(kind);
        var set = RandomRows();
        var expected = ModelTrainer.ScoreWithMlNet(result.Trained, set);
        var features = Enumerable.Range(0, set.Count).SelectMany(i => set.Row(i).ToArray()).ToArray();
        var actual = new float[set.Count];
        result.Trained.Scorer.Score(features, actual);
        Assert.IsType<TreeEnsembleScorer>(result.Trained.Scorer);
        for (var i = 0; i < set.Count; i++)
        {
            Assert.Equal(expected[i], actual[i], 0.0005f);
        }
        Assert.True(expected.Distinct().Count() > 10);
    }

    [Fact]
    public void StoredModelLoadsAndScoresTheSame()
    {
        var result = Train(TrainerKind.LightGbmBinary);
        var set = RandomRows();
        var folder = Directory.CreateTempSubdirectory("newspush-models").FullName;
        try
        {
            var store = new ModelStore(folder);
            store.Save(result.Model, result.Trained, result.Report);
            Assert.True(store.Exists(result.Model.Version));
            var loaded = store.Load(result.Model.Version);
            var features = Enumerable.Range(0, set.Count).SelectMany(i => set.Row(i).ToArray()).ToArray();
            var before = new float[set.Count];
            var after = new float[set.Count];
            result.Model.Scorer.Score(features, before);
            loaded.Scorer.Score(features, after);
            Assert.Equal(before, after);
            Assert.Equal(result.Model.Vectorizer.Idf, loaded.Vectorizer.Idf);
            Assert.True(File.Exists(Path.Combine(folder, result.Model.Version, "model.zip")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TrainingWithoutClicksIsRefused()
    {
        var set = new TrainingSet();
        set.Add(new float[NewsPush.Recommender.Features.FeatureBuilder.FeatureCount], false, 1);
        Assert.Throws<InvalidOperationException>(() => ModelTrainer.Train(set, TrainerKind.LightGbmBinary));
    }
}
