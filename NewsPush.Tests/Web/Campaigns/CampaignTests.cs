using System.Security.Claims;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Inbox;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;

namespace NewsPush.Tests.Web.Campaigns;

/// <summary>The push test site with small fan-out batches, so a few hundred readers make several.</summary>
public class CampaignFactory : PushFactory
{
    public CampaignFactory() : this(TestDatabase.Sqlite)
    {
    }

    protected CampaignFactory(TestDatabase database) : base(database)
    {
        Settings["Campaigns:FanoutBatchSize"] = "100";
        Settings["Campaigns:NewsroomTimeZone"] = "Europe/London";
    }

    /// <summary>
    /// The readers' predicted interest while a test sets <see cref="ScriptedInterest.Scores"/> (others score -100);
    /// null: the site's own predictor, with the active model (none in these tests).
    /// </summary>
    public ScriptedInterest Interest { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddScoped<ActiveModelInterestPredictor>();
            services.AddScoped<IInterestPredictor>(sp => new ScriptedInterestPredictor(Interest, sp.GetRequiredService<ActiveModelInterestPredictor>()));
        });
    }

    public static ClaimsPrincipal Principal(ApplicationUser user, params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Name, user.Email!), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>A column and a published article of its own, so a test's followers are only its readers.</summary>
    public async Task<(int ColumnId, int ArticleId)> StoryAsync(string name)
    {
        return await WithDbAsync(async db =>
        {
            var column = new Column { Name = name, Slug = name.ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..6], Description = "" };
            db.Columns.Add(column);
            await db.SaveChangesAsync();
            var template = await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id).FirstAsync();
            var article = new Article
            {
                Title = name + " story", Slug = column.Slug + "-story", Summary = "What happened in " + name, BodyMarkdown = "Body.", ColumnId = column.Id,
                Status = ArticleStatus.Published, PublishedAt = Clock.Now.UtcDateTime.AddMinutes(-5), CreatedAt = Clock.Now.UtcDateTime.AddHours(-1),
                UpdatedAt = Clock.Now.UtcDateTime, AuthorId = template.AuthorId, Language = template.Language,
            };
            db.Articles.Add(article);
            await db.SaveChangesAsync();
            return (column.Id, article.Id);
        });
    }

    /// <summary>Readers (inbox and e-mail unless configured) who follow the column.</summary>
    public async Task<List<ApplicationUser>> FollowersAsync(string prefix, int count, int columnId, Action<ReaderPreferences>? configure = null)
    {
        var readers = new List<ApplicationUser>();
        for (var i = 0; i < count; i++)
        {
            var reader = await CreateReaderAsync($"{prefix}{i}", p =>
            {
                p.EmailEnabled = true;
                configure?.Invoke(p);
            });
            readers.Add(reader);
        }
        await WithDbAsync(async db =>
        {
            db.Follows.AddRange(readers.Select(r => new Follow { UserId = r.Id, Kind = FollowKind.Column, TargetId = columnId, CreatedAt = Clock.Now.UtcDateTime }));
            await db.SaveChangesAsync();
        });
        return readers;
    }

    /// <summary>An approved push to the column's followers, sending from now.</summary>
    public async Task<long> ApprovedPushAsync(int articleId, int columnId, bool critical = false)
    {
        var author = await CreateUserAsync($"author-{Guid.NewGuid():N}"[..20] + "@test.local", Roles.Editor, Roles.Reader);
        var reviewer = await CreateUserAsync($"review-{Guid.NewGuid():N}"[..20] + "@test.local", Roles.Editor, Roles.Reader);
        return await InScopeAsync(async sp =>
        {
            var flow = sp.GetRequiredService<CampaignWorkflow>();
            var (c, error) = await flow.CreateDraftAsync(articleId, Principal(author, Roles.Editor), CancellationToken.None);
            Assert.Null(error);
            var errors = await flow.UpdateAsync(c!.Id, new CampaignForm
            {
                Title = "Breaking: " + c.Title, Message = c.Message, Segment = PushSegment.ColumnFollowers, TargetIds = [columnId], IsCritical = critical,
            }, Principal(author, Roles.Editor), CancellationToken.None);
            Assert.Empty(errors);
            Assert.Null(await flow.SubmitAsync(c.Id, Principal(author, Roles.Editor), CancellationToken.None));
            Assert.Null(await flow.ApproveAsync(c.Id, Principal(reviewer, Roles.Editor), CancellationToken.None));
            return c.Id;
        });
    }

    /// <summary>An approved push of the article with the given form, sending from now.</summary>
    public async Task<long> ApprovedPushAsync(int articleId, CampaignForm form)
    {
        var author = await CreateUserAsync($"author-{Guid.NewGuid():N}"[..20] + "@test.local", Roles.Editor, Roles.Reader);
        var reviewer = await CreateUserAsync($"review-{Guid.NewGuid():N}"[..20] + "@test.local", Roles.Editor, Roles.Reader);
        return await InScopeAsync(async sp =>
        {
            var flow = sp.GetRequiredService<CampaignWorkflow>();
            var (c, error) = await flow.CreateDraftAsync(articleId, Principal(author, Roles.Editor), CancellationToken.None);
            Assert.Null(error);
            Assert.Empty(await flow.UpdateAsync(c!.Id, form, Principal(author, Roles.Editor), CancellationToken.None));
            Assert.Null(await flow.SubmitAsync(c.Id, Principal(author, Roles.Editor), CancellationToken.None));
            Assert.Null(await flow.ApproveAsync(c.Id, Principal(reviewer, Roles.Editor), CancellationToken.None));
            return c.Id;
        });
    }

    public Task<PushCampaign> CampaignAsync(long id) => WithDbAsync(db => db.PushCampaigns.AsNoTracking().SingleAsync(c => c.Id == id));

    public Task<int> RunCampaignsAsync() => InScopeAsync(sp => sp.GetRequiredService<CampaignRunner>().RunAsync(CancellationToken.None));

    public Task<List<Delivery>> DeliveriesOfPushAsync(long id) =>
        WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == id).ToListAsync());
}

public sealed class CampaignPostgreSqlFactory() : CampaignFactory(TestDatabase.PostgreSql);

public sealed class ScriptedInterest
{
    public volatile Dictionary<string, float>? Scores;
    public string ModelVersion { get; set; } = "test-model";
}

/// <summary>Known scores for the readers a test made; without them, the site's predictor (which finds no active model).</summary>
public sealed class ScriptedInterestPredictor(ScriptedInterest script, ActiveModelInterestPredictor site) : IInterestPredictor
{
    public Task<string?> WhyUnavailableAsync(int articleId, CancellationToken ct) =>
        script.Scores is null ? site.WhyUnavailableAsync(articleId, ct) : Task.FromResult<string?>(null);

    public Task<InterestScores?> PredictAsync(int articleId, IReadOnlyList<string> userIds, CancellationToken ct) =>
        script.Scores is { } scores
            ? Task.FromResult<InterestScores?>(new InterestScores(script.ModelVersion, userIds.Select(id => scores.GetValueOrDefault(id, -100f)).ToArray()))
            : site.PredictAsync(articleId, userIds, ct);
}

/// <summary>Breaking-news pushes: audience, preview, review, schedule, fan-out, cancel — on SQLite and PostgreSQL.</summary>
public abstract partial class CampaignTests<TFactory>(TFactory factory) where TFactory : CampaignFactory
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task ThePreviewCountsEqualWhatTheFanoutQueuesAndRespectCapQuietHoursAndOptOuts()
    {
        var (column, article) = await factory.StoryAsync("Floods");
        await factory.FollowersAsync("fl-ok", 4, column);
        await factory.FollowersAsync("fl-cap", 2, column, p => { p.WeeklyPushCap = 0; });
        await factory.FollowersAsync("fl-quiet", 3, column, p =>
        {
            p.TimeZoneId = "Asia/Tokyo";
            // 12:00 UTC is 21:00 in Tokyo: inside 20:00–07:00.
            p.QuietHoursStart = new TimeOnly(20, 0);
            p.QuietHoursEnd = new TimeOnly(7, 0);
        });
        var none = await factory.FollowersAsync("fl-none", 2, column, p => { p.InboxEnabled = false; p.EmailEnabled = false; });
        var capped = await factory.FollowersAsync("fl-cap-inbox", 1, column, p => { p.WeeklyPushCap = 0; p.EmailEnabled = false; });
        var otherTopics = await factory.FollowersAsync("fl-topics", 1, column);
        await factory.WithDbAsync(async db =>
        {
            db.ReaderTopics.Add(new ReaderTopic { UserId = otherTopics[0].Id, ColumnId = await db.Columns.Where(c => c.Id != column).Select(c => c.Id).FirstAsync() });
            await db.SaveChangesAsync();
        });
        var filter = new AudienceFilter(PushSegment.ColumnFollowers, [column], [], null);

        var preview = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignPreview>().PreviewAsync(filter, article, critical: false, factory.Clock.Now.UtcDateTime, None));
        // The 2 without a channel and the one whose topics leave the column out are not in the audience at all. The inbox
        // reaches all 10 others (it never interrupts: no cap, no quiet hours); e-mail leaves out the 2 at their weekly
        // limit and waits for the 3 in quiet hours.
        Assert.Equal((10, 10, 2, 3), (preview.Matched, preview.Reached, preview.Skipped, preview.Waiting));
        Assert.Equal([("Inbox", 10, 10), ("E-mail", 7, 7)], preview.Channels.Select(c => (c.Channel, c.Readers, c.Endpoints)));
        Assert.False(preview.Estimated);
        Assert.Equal(CampaignPreview.SampleCount, preview.Samples.Count);
        Assert.All(preview.Samples, s => Assert.Contains("follows the chosen column", s.Why, StringComparison.Ordinal));

        var id = await factory.ApprovedPushAsync(article, column);
        await factory.RunCampaignsAsync();
        var deliveries = await factory.DeliveriesOfPushAsync(id);
        Assert.Equal(7, deliveries.Count(d => d.Channel == DeliveryChannel.Email));
        Assert.DoesNotContain(deliveries, d => d.Channel == DeliveryChannel.Inbox);
        Assert.Equal(3, deliveries.Count(d => d.NextAttemptAt > factory.Clock.Now.UtcDateTime));
        // The inbox part is one broadcast that the 10 readers see, the capped inbox-only reader among them, and nobody else.
        var readersWithIt = 0;
        foreach (var reader in await factory.WithDbAsync(db => db.Users.AsNoTracking().Where(u => u.Email!.StartsWith("fl-")).ToListAsync()))
        {
            readersWithIt += (await factory.InboxPageOfAsync(reader.Id)).Items.Count(i => i.Title == "Breaking: Floods story");
        }
        Assert.Equal(preview.Channels[0].Readers, readersWithIt);
        Assert.Single((await factory.InboxPageOfAsync(capped[0].Id)).Items, i => i.Category == InboxMessageKind.Breaking);
        Assert.Empty((await factory.InboxPageOfAsync(none[0].Id)).Items);
        Assert.Empty((await factory.InboxPageOfAsync(otherTopics[0].Id)).Items);
        var campaign = await factory.CampaignAsync(id);
        Assert.Equal(CampaignStatus.Sent, campaign.Status);
        Assert.NotNull(campaign.QueuedAt);

        // A critical push passes quiet hours, never the cap's opt-outs of channels.
        var critical = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignPreview>().PreviewAsync(filter, article, critical: true, factory.Clock.Now.UtcDateTime, None));
        Assert.Equal(0, critical.Waiting);
    }

    [Fact]
    public async Task EachReaderGetsItOnceInTheInboxAndTheProgressSaysSo()
    {
        var (column, article) = await factory.StoryAsync("Election");
        var readers = await factory.FollowersAsync("el", 250, column);
        var id = await factory.ApprovedPushAsync(article, column);
        Assert.Equal(CampaignStatus.Sending, (await factory.CampaignAsync(id)).Status);

        // The job runs twice (two nodes, or a retry): nothing is queued twice.
        await Task.WhenAll(factory.RunCampaignsAsync(), factory.RunCampaignsAsync());
        await factory.RunCampaignsAsync();
        var deliveries = await factory.DeliveriesOfPushAsync(id);
        Assert.Equal(250, deliveries.Count);
        Assert.Equal(250, deliveries.Select(d => d.UserId).Distinct().Count());
        Assert.Equal(1, await factory.WithDbAsync(db => db.Broadcasts.CountAsync(b => b.CampaignId == id)));
        await factory.DispatchAsync();

        var inbox = await factory.InboxPageOfAsync(readers[17].Id);
        var item = Assert.Single(inbox.Items);
        Assert.Equal(("Breaking: Election story", InboxMessageKind.Breaking, false, 1), (item.Title, item.Category, item.IsRead, inbox.Unread));
        await factory.InScopeAsync(sp => sp.GetRequiredService<InboxService>().MarkReadAsync(readers[17].Id, item.Kind, item.Id, None));
        Assert.Equal(0, (await factory.InboxPageOfAsync(readers[17].Id)).Unread);
        Assert.Equal(1, (await factory.InboxPageOfAsync(readers[18].Id)).Unread);

        var progress = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignSender>().ProgressAsync(id, None));
        Assert.True(progress!.FanoutDone);
        Assert.Equal([new ChannelProgress("Inbox", 0, 250, 0, 0, Read: 1), new ChannelProgress("E-mail", 0, 250, 0, 0)], progress.Channels);
    }

    [Fact]
    public async Task AFanoutThatDiesMidwayResumesWithoutDuplicatesAndCancelStopsTheRest()
    {
        var (column, article) = await factory.StoryAsync("Quake");
        await factory.FollowersAsync("qk", 350, column);
        var id = await factory.ApprovedPushAsync(article, column);

        // The node dies after its first two batches (committed with the cursor; the third never began).
        await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignSender>().FanoutAsync(id, None, maxBatches: 2));
        var partial = (await factory.DeliveriesOfPushAsync(id)).Count;
        Assert.Equal(200, partial);
        Assert.Equal(CampaignStatus.Sending, (await factory.CampaignAsync(id)).Status);

        // Another node picks it up: every reader once.
        await factory.RunCampaignsAsync();
        var all = await factory.DeliveriesOfPushAsync(id);
        Assert.Equal(350, all.Count);
        Assert.Equal(350, all.Select(d => d.UserId).Distinct().Count());

        // A second push: cancelled after its first batch, the rest is never queued and nothing queued goes out.
        var second = await factory.ApprovedPushAsync(article, column);
        await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignSender>().FanoutAsync(second, None, maxBatches: 1));
        Assert.Equal(100, (await factory.DeliveriesOfPushAsync(second)).Count);
        var editor = await factory.CreateUserAsync($"cancel-{Guid.NewGuid():N}"[..20] + "@test.local", Roles.Editor, Roles.Reader);
        Assert.Null(await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignWorkflow>().CancelAsync(second, CampaignFactory.Principal(editor, Roles.Editor), None)));
        await factory.RunCampaignsAsync();
        await factory.DispatchAsync();
        var cancelled = await factory.DeliveriesOfPushAsync(second);
        Assert.Equal(100, cancelled.Count);
        Assert.All(cancelled, d => Assert.Equal(DeliveryStatus.Suppressed, d.Status));
        Assert.Equal(CampaignStatus.Cancelled, (await factory.CampaignAsync(second)).Status);
        // Its inbox part is taken back out of every inbox; the first push's stays.
        var someone = await factory.WithDbAsync(db => db.Users.AsNoTracking().Where(u => u.Email!.StartsWith("qk")).Select(u => u.Id).FirstAsync());
        var items = (await factory.InboxPageOfAsync(someone)).Items;
        Assert.Single(items);
        Assert.Equal(350, (await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignSender>().ProgressAsync(id, None)))!.Channels[0].Sent);
        var withdrawn = (await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignSender>().ProgressAsync(second, None)))!.Channels[0];
        Assert.Equal(("Inbox", 0, 350), (withdrawn.Channel, withdrawn.Sent, withdrawn.Suppressed));
    }

    [Fact]
    public async Task AuthorsCannotApproveTheirOwnAndAnAdminSendsACriticalPushAloneOnlyWithAReason()
    {
        var (column, article) = await factory.StoryAsync("Storm");
        var author = await factory.CreateUserAsync($"own-{Guid.NewGuid():N}"[..18] + "@test.local", Roles.Editor, Roles.Reader);
        var admin = await factory.CreateUserAsync($"adm-{Guid.NewGuid():N}"[..18] + "@test.local", Roles.Admin, Roles.Editor, Roles.Reader);
        var asAuthor = CampaignFactory.Principal(author, Roles.Editor);
        var asAdmin = CampaignFactory.Principal(admin, Roles.Admin, Roles.Editor);
        await factory.InScopeAsync<object?>(async sp =>
        {
            var flow = sp.GetRequiredService<CampaignWorkflow>();
            var (c, _) = await flow.CreateDraftAsync(article, asAuthor, None);
            var id = c!.Id;
            Assert.Equal("Only a push in review can be approved.", await flow.ApproveAsync(id, asAdmin, None));
            var errors = await flow.UpdateAsync(id, new CampaignForm { Title = "", Segment = PushSegment.ColumnFollowers, When = "recurring", Cron = "every friday" }, asAuthor, None);
            Assert.Equal(["Cron", "TargetIds", "Title"], errors.Keys.Order());
            Assert.Null(await flow.SubmitAsync(id, asAuthor, None));
            Assert.Equal("You wrote this push: another editor or an admin must approve it.", await flow.ApproveAsync(id, asAuthor, None));
            Assert.Equal(CampaignStatus.PendingApproval, (await factory.CampaignAsync(id)).Status);
            Assert.Null(await flow.SendBackAsync(id, "Shorter title, please", asAdmin, None));
            Assert.Equal(("Shorter title, please", CampaignStatus.Draft), ((await factory.CampaignAsync(id)).ReviewNote, (await factory.CampaignAsync(id)).Status));

            Assert.Equal("Only an admin may send a push without a second approval.", await flow.SendCriticalAloneAsync(id, "Tsunami warning", asAuthor, None));
            Assert.Equal("Say why it cannot wait for a second editor.", await flow.SendCriticalAloneAsync(id, " ", asAdmin, None));
            Assert.Equal("Only a critical push may skip the second approval: mark it critical first.", await flow.SendCriticalAloneAsync(id, "Tsunami warning", asAdmin, None));
            Assert.Empty(await flow.UpdateAsync(id, new CampaignForm { Title = "Tsunami warning", Segment = PushSegment.ColumnFollowers, TargetIds = [column], IsCritical = true }, asAuthor, None));
            Assert.Null(await flow.SendCriticalAloneAsync(id, "Tsunami warning: no time for a review", asAdmin, None));
            var sent = await factory.CampaignAsync(id);
            Assert.Equal((CampaignStatus.Sending, admin.Id, "Tsunami warning: no time for a review"), (sent.Status, sent.ApprovedById, sent.CriticalReason));

            var audited = await factory.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(a => a.EntityType == nameof(PushCampaign) && a.EntityId == id.ToString())
                .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
            Assert.Equal(["push.create", "push.submit", "push.send-back", "push.edit", "push.send-critical-alone"], audited);
            return null;
        });
    }

    [Fact]
    public async Task ARecurringPushFiresAtTheRightLondonTimesAcrossTheEndOfSummerTime()
    {
        // Thursday 22 October 2026, 12:00 UTC; British Summer Time ends on Sunday 25 October.
        factory.Clock.Now = new DateTimeOffset(2026, 10, 22, 12, 0, 0, TimeSpan.Zero);
        var (column, article) = await factory.StoryAsync("Markets");
        await factory.FollowersAsync("mk", 3, column);
        var author = await factory.CreateUserAsync($"rec-{Guid.NewGuid():N}"[..18] + "@test.local", Roles.Editor, Roles.Reader);
        var reviewer = await factory.CreateUserAsync($"rev-{Guid.NewGuid():N}"[..18] + "@test.local", Roles.Editor, Roles.Reader);
        var id = await factory.InScopeAsync(async sp =>
        {
            var flow = sp.GetRequiredService<CampaignWorkflow>();
            var (c, _) = await flow.CreateDraftAsync(article, CampaignFactory.Principal(author, Roles.Editor), None);
            Assert.Empty(await flow.UpdateAsync(c!.Id, new CampaignForm
            {
                Title = "Markets at noon", Segment = PushSegment.ColumnFollowers, TargetIds = [column], When = "recurring", Cron = "0 30 11,17 ? * FRI",
            }, CampaignFactory.Principal(author, Roles.Editor), None));
            // The composer's preview, in London time.
            Assert.Equal([new DateTime(2026, 10, 23, 11, 30, 0), new DateTime(2026, 10, 23, 17, 30, 0), new DateTime(2026, 10, 30, 11, 30, 0)],
                flow.NextRuns("0 30 11,17 ? * FRI", factory.Clock.Now.UtcDateTime, 3));
            await flow.SubmitAsync(c.Id, CampaignFactory.Principal(author, Roles.Editor), None);
            Assert.Null(await flow.ApproveAsync(c.Id, CampaignFactory.Principal(reviewer, Roles.Editor), None));
            return c.Id;
        });
        Assert.Equal(CampaignStatus.Scheduled, (await factory.CampaignAsync(id)).Status);

        async Task At(int month, int day, int hour, int minute)
        {
            factory.Clock.Now = new DateTimeOffset(2026, month, day, hour, minute, 0, TimeSpan.Zero);
            await factory.RunCampaignsAsync();
            await factory.RunCampaignsAsync();
        }
        await At(10, 23, 10, 29);
        await At(10, 23, 10, 31);   // 11:31 BST
        await At(10, 23, 16, 31);   // 17:31 BST
        await At(10, 30, 10, 31);   // 10:31 GMT: not yet
        await At(10, 30, 11, 31);   // 11:31 GMT
        var runs = await factory.WithDbAsync(db => db.PushCampaigns.AsNoTracking().Where(c => c.ParentId == id).OrderBy(c => c.ScheduledAt).ToListAsync());
        Assert.Equal([new DateTime(2026, 10, 23, 10, 30, 0, DateTimeKind.Utc), new DateTime(2026, 10, 23, 16, 30, 0, DateTimeKind.Utc), new DateTime(2026, 10, 30, 11, 30, 0, DateTimeKind.Utc)],
            runs.Select(r => r.ScheduledAt!.Value));
        Assert.All(runs, r => Assert.Equal(CampaignStatus.Sent, r.Status));
        Assert.All(runs, r => Assert.Equal("Markets at noon", r.Title));
        Assert.Equal(new DateTime(2026, 10, 30, 17, 30, 0, DateTimeKind.Utc), (await factory.CampaignAsync(id)).NextRunAt);
        foreach (var run in runs)
        {
            Assert.Equal(3, (await factory.DeliveriesOfPushAsync(run.Id)).Count);
        }
        factory.Clock.Now = PushFactory.Start;
    }
}

public sealed class SqliteCampaignTests(CampaignFactory factory) : CampaignTests<CampaignFactory>(factory), IClassFixture<CampaignFactory>;

public sealed class PostgreSqlCampaignTests(CampaignPostgreSqlFactory factory) : CampaignTests<CampaignPostgreSqlFactory>(factory), IClassFixture<CampaignPostgreSqlFactory>;
