using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Recommender.Data;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Inbox;
using NewsPush.Web.Recommendations;

namespace NewsPush.Tests.Recommender.Web;

/// <summary>
/// The site's side on a real SQLite database: the synthetic world stored as articles and
/// interactions, trained through <see cref="ModelTrainingService"/>, served by <see cref="ModelRecommender"/>.
/// </summary>
public sealed class SiteDatabaseFixture : IAsyncLifetime
{
    private readonly SqliteConnection connection = new("Data Source=:memory:");

    public string ModelFolder { get; } = Directory.CreateTempSubdirectory("newspush-models").FullName;
    public ServiceProvider Services { get; private set; } = null!;
    public SyntheticDataGenerator.World World { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await connection.OpenAsync();
        World = new SyntheticDataGenerator(new SyntheticOptions { Readers = 200, Articles = 300, Days = 7 }).Generate();
        var now = World.Start.AddDays(7);
        Services = CreateNode(ModelFolder);

        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await db.Database.EnsureCreatedAsync();
        var articles = World.Dataset.Articles;
        db.Columns.AddRange(articles.Select(a => (a.ColumnId, a.ColumnName)).Distinct().Select(c => new Column { Id = c.ColumnId, Name = c.ColumnName, Slug = c.ColumnName.ToLowerInvariant(), CreatedAt = now }));
        db.Articles.AddRange(articles.Select(a => new Article
        {
            Id = a.Id, ColumnId = a.ColumnId, Slug = $"a{a.Id}", Title = a.Title, Summary = a.Summary, BodyMarkdown = a.Body,
            Status = ArticleStatus.Published, PublishedAt = a.PublishedAt, CreatedAt = a.PublishedAt, UpdatedAt = a.PublishedAt,
        }));
        foreach (var impression in World.Dataset.Impressions.Where(i => i.Time <= now))
        {
            for (var p = 0; p < impression.Items.Count; p++)
            {
                var item = impression.Items[p];
                db.Interactions.Add(new Interaction { UserId = impression.ReaderId, ArticleId = item.ArticleId, Type = InteractionType.Impression, Value = p, Source = "home", OccurredAt = impression.Time });
                if (item.Clicked)
                {
                    db.Interactions.Add(new Interaction { UserId = impression.ReaderId, ArticleId = item.ArticleId, Type = InteractionType.Click, Value = p, Source = "home", OccurredAt = impression.Time.AddSeconds(5) });
                }
            }
        }
        await db.SaveChangesAsync();
    }

    /// <summary>The site's recommendation services on this database with <paramref name="modelFolder"/> as their model folder: one web node.</summary>
    public ServiceProvider CreateNode(string modelFolder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Recommender:ModelFolder"] = modelFolder,
            ["Recommender:RetrainEnabled"] = "false",
            ["Recommender:CandidateDays"] = "3",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddSingleton<TimeProvider>(new FixedClock(World.Start.AddDays(7)));
        collection.AddDbContext<NewsPushDbContext, SqliteNewsPushDbContext>(o => o.UseSqlite(connection));
        collection.AddNewsPushRecommendations(configuration, Path.GetTempPath());
        return collection.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        await connection.DisposeAsync();
        Directory.Delete(ModelFolder, recursive: true);
    }

    /// <summary>Each test starts with no model version.</summary>
    public async Task ResetModelsAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        await db.ModelVersions.ExecuteDeleteAsync();
        Services.GetRequiredService<ActiveModel>().Invalidate();
    }
}

public sealed class ModelRecommenderTests(SiteDatabaseFixture site) : IClassFixture<SiteDatabaseFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => site.ResetModelsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task WithoutAModelReadersGetThePopularFreshFallback()
    {
        await using var scope = site.Services.CreateAsyncScope();
        var recommender = scope.ServiceProvider.GetRequiredService<IArticleRecommender>();
        var items = await recommender.RecommendAsync("r1", 10, CancellationToken.None);
        Assert.Equal(10, items.Count);
        Assert.All(items, i => Assert.StartsWith("popular in ", i.Reason));
    }

    [Fact]
    public async Task TrainedModelIsStoredActivatedAndServesPersonalListsWithReasons()
    {
        await using var scope = site.Services.CreateAsyncScope();
        var training = scope.ServiceProvider.GetRequiredService<ModelTrainingService>();
        var outcome = await training.TrainFromDatabaseAsync(null, CancellationToken.None);

        Assert.NotNull(outcome.Version);
        Assert.True(outcome.Report!.BeatsPopularity, outcome.Report.ToTable());
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var stored = await db.ModelVersions.SingleAsync();
        Assert.True(stored.IsActive);
        Assert.True(stored.BeatBaselines);
        Assert.True(stored.Auc > 0.6);
        Assert.Contains("popularity", stored.MetricsJson);
        Assert.True(File.Exists(Path.Combine(site.ModelFolder, stored.Version, "model.json")));

        var recommender = scope.ServiceProvider.GetRequiredService<IArticleRecommender>();
        var readers = site.World.Dataset.Impressions.Select(i => i.ReaderId).Distinct().Take(20).ToList();
        var lists = await recommender.RecommendManyAsync(readers, 10, CancellationToken.None);
        Assert.Equal(readers.Count, lists.Count);
        var clicked = await db.Interactions.Where(i => i.Type == InteractionType.Click).Select(i => new { i.UserId, i.ArticleId }).ToListAsync();
        foreach (var (reader, list) in lists)
        {
            Assert.Equal(10, list.Count);
            Assert.DoesNotContain(list, r => clicked.Any(c => c.UserId == reader && c.ArticleId == r.ArticleId));
        }
        Assert.Contains(lists.Values.SelectMany(l => l), r => r.Reason.StartsWith("because you read", StringComparison.Ordinal));
        Assert.True(lists.Values.Select(l => string.Join(",", l.Select(r => r.ArticleId))).Distinct().Count() > 5, "lists are personal");
    }

    [Fact]
    public async Task ANodeThatDidNotTrainTheActiveModelServesItFromTheDatabase()
    {
        // Node A trains and activates a version; node B shares the database but not A's model folder.
        await using (var scope = site.Services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<ModelTrainingService>().TrainFromDatabaseAsync(null, CancellationToken.None);
            Assert.True(outcome.Version!.IsActive);
        }
        var readers = site.World.Dataset.Impressions.Select(i => i.ReaderId).Distinct().Take(20).ToList();
        async Task<List<string>> ReasonsOnAsync(ServiceProvider node)
        {
            await using var scope = node.CreateAsyncScope();
            var lists = await scope.ServiceProvider.GetRequiredService<IArticleRecommender>().RecommendManyAsync(readers, 10, CancellationToken.None);
            return lists.Values.SelectMany(l => l).Select(r => r.Reason).ToList();
        }
        var folderB = Directory.CreateTempSubdirectory("newspush-models-b").FullName;
        var folderC = Directory.CreateTempSubdirectory("newspush-models-c").FullName;
        try
        {
            await using (var nodeB = site.CreateNode(folderB))
            {
                var reasons = await ReasonsOnAsync(nodeB);
                Assert.Contains(reasons, r => r.StartsWith("because you read", StringComparison.Ordinal));
                var version = await site.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<NewsPushDbContext>().ModelVersions.Where(m => m.IsActive).Select(m => m.Version).SingleAsync();
                Assert.Equal(
                    Directory.GetFiles(Path.Combine(site.ModelFolder, version)).Select(f => (Path.GetFileName(f), new FileInfo(f).Length)).Order(),
                    Directory.GetFiles(Path.Combine(folderB, version)).Select(f => (Path.GetFileName(f), new FileInfo(f).Length)).Order());
            }
            // The control: without the files in the database, a node without the folder can only serve the fallback.
            await using (var scope = site.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<NewsPushDbContext>().ModelVersionFiles.ExecuteDeleteAsync();
            }
            await using var nodeC = site.CreateNode(folderC);
            Assert.All(await ReasonsOnAsync(nodeC), r => Assert.StartsWith("popular in ", r));
        }
        finally
        {
            Directory.Delete(folderB, recursive: true);
            Directory.Delete(folderC, recursive: true);
        }
    }

    [Fact]
    public async Task TheActiveModelPredictsEachReadersInterestInOneArticleAsItRanksIt()
    {
        await using var scope = site.Services.CreateAsyncScope();
        var predictor = scope.ServiceProvider.GetRequiredService<IInterestPredictor>();
        // Readers with clicks: the model ranks readers with a history (a newcomer's feed is ranked by the first stage).
        var readers = site.World.Dataset.Impressions.Where(i => i.Items.Any(x => x.Clicked)).Select(i => i.ReaderId).Distinct().Take(30).ToList();
        var someArticle = site.World.Dataset.Articles.OrderByDescending(a => a.PublishedAt).First().Id;
        Assert.Equal(ActiveModelInterestPredictor.NoModel, await predictor.WhyUnavailableAsync(someArticle, CancellationToken.None));
        Assert.Null(await predictor.PredictAsync(someArticle, readers, CancellationToken.None));

        await scope.ServiceProvider.GetRequiredService<ModelTrainingService>().TrainFromDatabaseAsync(null, CancellationToken.None);
        Assert.Null(await predictor.WhyUnavailableAsync(someArticle, CancellationToken.None));
        var all = await predictor.PredictAsync(someArticle, readers, CancellationToken.None);
        Assert.Equal(readers.Count, all!.Scores.Length);
        Assert.True(all.Scores.Distinct().Count() > 10, "scores are personal");
        // The score of a reader and an article is the one the model ranks their feed by.
        var lists = await scope.ServiceProvider.GetRequiredService<IArticleRecommender>().RecommendManyAsync(readers, 3, CancellationToken.None);
        foreach (var (reader, list) in lists.Take(10))
        {
            foreach (var item in list)
            {
                var predicted = await predictor.PredictAsync(item.ArticleId, [reader], CancellationToken.None);
                Assert.Equal(item.Score, predicted!.Scores[0], 4);
            }
        }
    }

    [Fact]
    public async Task APredictedPushsAudienceIsTheTopShareOfItsReadersByTheTrainedModelsScoreForTheStory()
    {
        await using var scope = site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var predictor = scope.ServiceProvider.GetRequiredService<IInterestPredictor>();
        var now = site.World.Start.AddDays(7);
        // Forty of the world's readers with a history become accounts in a zone of their own (the filter keeps the rest out).
        var readers = site.World.Dataset.Impressions.Where(i => i.Items.Any(x => x.Clicked)).Select(i => i.ReaderId).Distinct().Take(40).ToList();
        db.Users.AddRange(readers.Select(id => new ApplicationUser { Id = id, UserName = id + "@test.local", Email = id + "@test.local", DisplayName = id, CreatedAt = site.World.Start }));
        db.ReaderPreferences.AddRange(readers.Select(id => new ReaderPreferences { UserId = id, TimeZoneId = "Pacific/Pitcairn", UpdatedAt = now }));
        await db.SaveChangesAsync();
        try
        {
            await scope.ServiceProvider.GetRequiredService<ModelTrainingService>().TrainFromDatabaseAsync(null, CancellationToken.None);
            var audience = new CampaignAudience(new BroadcastAudience(db), predictor);
            var story = site.World.Dataset.Articles.OrderByDescending(a => a.PublishedAt).First();
            var filter = new AudienceFilter(PushSegment.PredictedInterested, [], ["Pacific/Pitcairn"], null, TopPercent: 25);
            var predicted = await audience.PredictAsync(filter, story.Id, CampaignAudience.InboxPart(filter, story.ColumnId, now), CancellationToken.None);

            // The chosen are the ten highest of the forty by the score the model gives each reader for this story.
            var scores = (await predictor.PredictAsync(story.Id, readers, CancellationToken.None))!.Scores;
            var byScore = readers.Select((id, i) => (Id: id, Score: scores[i])).OrderByDescending(r => r.Score).ToList();
            Assert.Equal(40, predicted!.Eligible);
            Assert.Equal(byScore.Take(10).Select(r => (r.Id, r.Score)).OrderBy(r => r.Id, StringComparer.Ordinal),
                predicted.Members.Select(m => (m.UserId, m.Score)).OrderBy(r => r.UserId, StringComparer.Ordinal));
            Assert.True(byScore[9].Score > byScore[10].Score, "a clear cut between the chosen and the rest");
            Assert.False(string.IsNullOrEmpty(predicted.ModelVersion));
            // Another story (another column) of the same day picks other readers: the audience is the story's, not a fixed list.
            var other = site.World.Dataset.Articles.OrderByDescending(a => a.PublishedAt).First(a => a.ColumnId != story.ColumnId);
            var otherAudience = await audience.PredictAsync(filter, other.Id, CampaignAudience.InboxPart(filter, other.ColumnId, now), CancellationToken.None);
            Assert.NotEqual(predicted.Members.Select(m => m.UserId).Order(StringComparer.Ordinal), otherAudience!.Members.Select(m => m.UserId).Order(StringComparer.Ordinal));
        }
        finally
        {
            await db.ReaderPreferences.Where(p => readers.Contains(p.UserId)).ExecuteDeleteAsync();
            await db.Users.Where(u => readers.Contains(u.Id)).ExecuteDeleteAsync();
        }
    }

    [Fact]
    public async Task AdminCanRollBackToAnEarlierVersionAndTurnTheModelOff()
    {
        await using var scope = site.Services.CreateAsyncScope();
        var training = scope.ServiceProvider.GetRequiredService<ModelTrainingService>();
        var first = (await training.TrainFromDatabaseAsync(null, CancellationToken.None)).Version!;
        var second = (await training.TrainFromDatabaseAsync(null, CancellationToken.None)).Version!;
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        Assert.Equal(second.Id, await db.ModelVersions.AsNoTracking().Where(m => m.IsActive).Select(m => m.Id).SingleAsync());

        Assert.True(await training.ActivateAsync(first.Id, CancellationToken.None));
        Assert.Equal(first.Id, await db.ModelVersions.AsNoTracking().Where(m => m.IsActive).Select(m => m.Id).SingleAsync());
        var engine = await scope.ServiceProvider.GetRequiredService<ActiveModel>().GetEngineAsync(CancellationToken.None);
        Assert.NotNull(engine);

        await training.DeactivateAllAsync(CancellationToken.None);
        Assert.False(await db.ModelVersions.AsNoTracking().AnyAsync(m => m.IsActive));
        Assert.Null(await scope.ServiceProvider.GetRequiredService<ActiveModel>().GetEngineAsync(CancellationToken.None));
        Assert.False(await training.ActivateAsync(9999, CancellationToken.None));
    }
}

internal sealed class FixedClock(DateTime now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(now);
}
