using System.Runtime.CompilerServices;
using NewsPush.Recommender.Data;
using NewsPush.Recommender.Evaluation;

namespace NewsPush.Tests.Recommender.Data;

public sealed class MindImporterTests
{
    private static string Fixtures([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "..", "Fixtures", "mind-tiny");

    [Fact]
    public void ReadsNewsAndBehaviorsInMindFormat()
    {
        var data = MindImporter.Read(Path.Combine(Fixtures(), "MINDtiny_train"));
        Assert.Equal(6, data.Articles.Count);
        Assert.Equal(4, data.Impressions.Count);

        var first = data.Impressions[0];
        Assert.Equal("U1", first.ReaderId);
        Assert.Equal(new DateTime(2019, 11, 11, 9, 5, 58, DateTimeKind.Utc), first.Time);
        Assert.Equal(2, first.History.Count);
        Assert.Equal([true, false, false], first.Items.Select(i => i.Clicked));
        Assert.Empty(data.Impressions[3].History);
        Assert.Equal([true, true, false], data.Impressions[3].Items.Select(i => i.Clicked));
        Assert.Equal(new DateTime(2019, 11, 12, 20, 0, 0, DateTimeKind.Utc), data.Impressions[2].Time);

        var chiefs = data.Articles.Single(a => a.Title == "Chiefs win the division title");
        Assert.Equal("sports", chiefs.ColumnName);
        Assert.Equal(["football_nfl"], chiefs.Tags);
        Assert.Equal("Kansas City beat Denver in a close game.", chiefs.Summary);
        // No publication time in MIND: the first impression showing the article stands in for it.
        Assert.Equal(new DateTime(2019, 11, 13, 7, 30, 12, DateTimeKind.Utc), chiefs.PublishedAt);
    }

    [Fact]
    public void BenchmarkFolderPairsTrainAndDevWithSharedIds()
    {
        var (train, dev) = MindImporter.ReadBenchmark(Fixtures());
        Assert.NotNull(dev);
        Assert.Equal(3, dev!.Impressions.Count);
        var n1Train = train.Articles.Single(a => a.Title.StartsWith("Chiefs")).Id;
        var n1Dev = dev.Articles.Single(a => a.Title.StartsWith("Chiefs")).Id;
        Assert.Equal(n1Train, n1Dev);
    }

    [Fact]
    public void EvaluationOnDevSkipsImpressionsWithoutClicks()
    {
        var (train, dev) = MindImporter.ReadBenchmark(Fixtures());
        var report = Evaluator.Evaluate(train, dev!, new EvaluationOptions()).Report;
        Assert.Equal(3, report.TestImpressions);
        // The third dev impression has no click: MIND's scorer cannot score it, so it is skipped.
        Assert.Equal(2, report.Model.AucImpressions);
        Assert.Equal(2, report.Model.RankImpressions);
        Assert.InRange(report.Model.Auc, 0, 1);
        Assert.Equal(4, report.Rows.Count());
    }

    [Fact]
    public void EvaluationScoresItemsNewsTsvDoesNotDescribeAndTheTablePrintsCoverage()
    {
        // A partial download: news.tsv of both halves lacks N5 and N6, which behaviors.tsv still shows.
        var folder = Directory.CreateTempSubdirectory("mind-partial-").FullName;
        try
        {
            foreach (var half in new[] { "MINDtiny_train", "MINDtiny_dev" })
            {
                Directory.CreateDirectory(Path.Combine(folder, half));
                File.Copy(Path.Combine(Fixtures(), half, "behaviors.tsv"), Path.Combine(folder, half, "behaviors.tsv"));
                File.WriteAllLines(Path.Combine(folder, half, "news.tsv"),
                    File.ReadAllLines(Path.Combine(Fixtures(), half, "news.tsv")).Where(l => !l.StartsWith("N5\t") && !l.StartsWith("N6\t")));
            }
            var (train, dev) = MindImporter.ReadBenchmark(folder);
            var report = Evaluator.Evaluate(train, dev!, new EvaluationOptions()).Report;

            var coverage = report.Coverage!;
            Assert.Equal(9, coverage.TestItems);
            Assert.Equal(9, coverage.TestItemsScored);
            Assert.Equal(3, coverage.TestItemsWithoutMetadata);
            Assert.Equal(3, coverage.TestImpressionsScored);
            // Without N5 (the only click of dev impression 2) and N6 there would be nothing to rank: both impressions with clicks count.
            Assert.Equal(2, report.Model.AucImpressions);
            Assert.Contains("Coverage: test impressions scored 3 of 3 (100.0 %), items scored 9 of 9 (100.0 %; 3 without metadata", report.ToTable());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void MissingFilesAreReportedClearly()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => MindImporter.Read(Path.GetTempPath()));
        Assert.Contains("news.tsv and behaviors.tsv", ex.Message);
    }
}
