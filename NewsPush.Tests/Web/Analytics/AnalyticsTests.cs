using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Analytics;
using NewsPush.Web.Push;

namespace NewsPush.Tests.Web.Analytics;

/// <summary>
/// A seeded scenario — a digest run delivered to the inbox and by e-mail, a breaking push by e-mail and Web Push, opens,
/// clicks, shows, late events — then every number the analytics API shows is compared with what the raw deliveries and
/// events give; re-runs and late events keep them equal; editors see the newsroom, admins everything, readers nothing.
/// </summary>
public abstract class AnalyticsTests(AnalyticsFactory factory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private async Task<AnalyticsScenario> SeedAsync()
    {
        if (factory.Scenario is { } seeded)
        {
            return seeded;
        }
        var readers = new List<ApplicationUser>();
        for (var i = 0; i < 4; i++)
        {
            readers.Add(await factory.CreateReaderAsync($"an{i}", p => { p.TimeZoneId = "Europe/Rome"; p.DigestLocalTime = new TimeOnly(7, 0); }));
        }
        factory.SetLocalTime("Europe/Rome", new DateTime(2026, 11, 23, 7, 2, 0));
        await factory.RunAndDeliverAsync();
        var now = factory.Clock.Now.UtcDateTime;
        var articleId = await factory.WithDbAsync(db => db.Articles.OrderBy(a => a.Id).Select(a => a.Id).FirstAsync());
        // A breaking push: e-mail deliveries through the real dispatcher, Web Push ones as the Web Push channel records them.
        var push = new PushCampaign { ArticleId = articleId, Title = "Storm warning", Message = "Stay inside", Status = CampaignStatus.Sent, CreatedAt = now, ApprovedAt = now, SentAt = now, UpdatedAt = now };
        await factory.WithDbAsync(async db =>
        {
            db.PushCampaigns.Add(push);
            await db.SaveChangesAsync();
            foreach (var r in readers)
            {
                db.Deliveries.Add(new Delivery { UserId = r.Id, Channel = DeliveryChannel.Email, ContentKind = DeliveryContentKind.Breaking, ContentId = push.Id, Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = now.AddHours(6) });
            }
            var webPush = readers.Take(3).Select(r => new Delivery { UserId = r.Id, Channel = DeliveryChannel.WebPush, EndpointId = 1, ContentKind = DeliveryContentKind.Breaking, ContentId = push.Id, Status = DeliveryStatus.Sent, TrackingToken = TrackingTokens.New(), CreatedAt = now, SentAt = now }).ToList();
            db.Deliveries.AddRange(webPush);
            await db.SaveChangesAsync();
            await db.AppendAsync(webPush.Select(d => DeliveryEventLog.For(d, DeliveryEventType.Sent, true, now)).ToList(), CancellationToken.None);
        });
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await factory.DispatchAsync();

        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var deliveries = await factory.WithDbAsync(db => db.Deliveries.AsNoTracking().OrderBy(d => d.Id).ToListAsync());
        Delivery Of(ApplicationUser r, DeliveryContentKind kind, DeliveryChannel channel) => deliveries.Single(d => d.UserId == r.Id && d.ContentKind == kind && d.Channel == channel);
        var digestItems = await factory.WithDbAsync(db => db.DigestItems.AsNoTracking().ToListAsync());
        int StoryOf(Delivery d) => digestItems.First(i => i.DigestId == d.ContentId).ArticleId;

        // E-mailed digests: reader 0 opens twice and clicks, reader 1 opens once, reader 2 clicks without the pixel.
        var mail0 = Of(readers[0], DeliveryContentKind.Digest, DeliveryChannel.Email);
        await client.GetAsync($"/t/o/{mail0.TrackingToken}.gif");
        factory.Clock.Advance(TimeSpan.FromMinutes(70));
        await client.GetAsync($"/t/o/{mail0.TrackingToken}.gif");
        await client.GetAsync($"/t/c/{mail0.TrackingToken}?a={StoryOf(mail0)}&u=%2F");
        await client.GetAsync($"/t/o/{Of(readers[1], DeliveryContentKind.Digest, DeliveryChannel.Email).TrackingToken}.gif");
        var mail2 = Of(readers[2], DeliveryContentKind.Digest, DeliveryChannel.Email);
        await client.GetAsync($"/t/c/{mail2.TrackingToken}?a={StoryOf(mail2)}&u=%2F");
        await client.GetAsync($"/t/c/{mail2.TrackingToken}?a={StoryOf(mail2)}&u=%2F");
        // The push: two browsers show it (one twice), one reader clicks it in the browser, one in the e-mail.
        var wp0 = Of(readers[0], DeliveryContentKind.Breaking, DeliveryChannel.WebPush);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/t/s/{wp0.TrackingToken}", null)).StatusCode);
        await client.PostAsync($"/t/s/{wp0.TrackingToken}", null);
        await client.PostAsync($"/t/s/{Of(readers[1], DeliveryContentKind.Breaking, DeliveryChannel.WebPush).TrackingToken}", null);
        await client.GetAsync($"/t/c/{wp0.TrackingToken}?u=%2F");
        await client.GetAsync($"/t/c/{Of(readers[3], DeliveryContentKind.Breaking, DeliveryChannel.Email).TrackingToken}?u=%2F");
        // The push's inbox part (one broadcast for all, its readers counted by the sender): reader 0 opens it twice and
        // follows its link twice, reader 1 follows the link without opening it first, reader 2 only marks it read.
        var part = new Broadcast { CampaignId = push.Id, Title = push.Title, Body = push.Message, Link = "/", CreatedAt = now, ExpiresAt = now.AddDays(7), AudienceCount = readers.Count };
        await factory.WithDbAsync(async db => { db.Broadcasts.Add(part); await db.SaveChangesAsync(); });
        using (var r0 = await factory.CreateLoggedInClientAsync(readers[0].Email!))
        {
            var shown = await r0.GetAsync($"/inbox/broadcast/{part.Id}");
            Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
            // The page's Open button goes through the click counter.
            Assert.Contains($"href=\"/inbox/broadcast/{part.Id}/open\"", await shown.Content.ReadAsStringAsync());
            await r0.GetAsync($"/inbox/broadcast/{part.Id}");
            var follow = await r0.GetAsync($"/inbox/broadcast/{part.Id}/open");
            Assert.Equal((HttpStatusCode.Redirect, "/"), (follow.StatusCode, follow.Headers.Location?.OriginalString));
            await r0.GetAsync($"/inbox/broadcast/{part.Id}/open");
        }
        using (var r1 = await factory.CreateLoggedInClientAsync(readers[1].Email!))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await r1.GetAsync($"/inbox/broadcast/{part.Id}/open")).StatusCode);
        }
        using (var r2 = await factory.CreateLoggedInClientAsync(readers[2].Email!))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await r2.PostFormAsync("/inbox", postUrl: $"/inbox/broadcast/{part.Id}/read")).StatusCode);
        }
        // A reader outside the push's audience cannot count a click (the part is not in their inbox).
        var outsider = await factory.CreateUserAsync($"out-{Guid.NewGuid():N}"[..12] + "@test.local");
        using (var o = await factory.CreateLoggedInClientAsync(outsider.Email!))
        {
            await factory.WithDbAsync(db => db.Broadcasts.Where(b => b.Id == part.Id).ExecuteUpdateAsync(x => x.SetProperty(b => b.AudienceTargets, ",999999,").SetProperty(b => b.AudienceSegment, PushSegment.ColumnFollowers)));
            Assert.Equal(HttpStatusCode.NotFound, (await o.GetAsync($"/inbox/broadcast/{part.Id}/open")).StatusCode);
            await factory.WithDbAsync(db => db.Broadcasts.Where(b => b.Id == part.Id).ExecuteUpdateAsync(x => x.SetProperty(b => b.AudienceTargets, "").SetProperty(b => b.AudienceSegment, PushSegment.Everyone)));
        }
        // A made-up token is refused, and an e-mail's token does not count as a browser's show.
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/t/s/{TrackingTokens.New()}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/t/s/{mail0.TrackingToken}", null)).StatusCode);

        var run = RollupBuilder.DigestRunOf(await factory.WithDbAsync(db => db.Digests.Select(d => d.CreatedAt).FirstAsync()));
        return factory.Scenario = new AnalyticsScenario(push.Id, run, readers);
    }

    /// <summary>What the raw outbox and event log say about one content's channels (or all content when kind is null).</summary>
    private async Task<List<ChannelFunnel>> RawAsync(DeliveryContentKind? kind, long? contentId)
    {
        return await factory.WithDbAsync(async db =>
        {
            var digestRuns = await db.Digests.ToDictionaryAsync(d => d.Id, d => RollupBuilder.DigestRunOf(d.CreatedAt));
            bool Mine(DeliveryContentKind k, long id) => kind is null || (k == kind && (k == DeliveryContentKind.Digest ? digestRuns[id] : id) == contentId);
            var deliveries = (await db.Deliveries.AsNoTracking().ToListAsync()).Where(d => Mine(d.ContentKind, d.ContentId)).ToList();
            var events = (await db.DeliveryEvents.AsNoTracking().ToListAsync()).Where(e => Mine(e.ContentKind, e.ContentId)).ToList();
            // A push's inbox part: no delivery rows; its readers are the broadcast's count, a reader's first open and
            // click are on their receipt.
            var parts = (await db.Broadcasts.AsNoTracking().Where(b => b.CampaignId != null).ToListAsync()).Where(b => Mine(DeliveryContentKind.Breaking, b.CampaignId!.Value)).ToList();
            var partIds = parts.Select(b => b.Id).ToList();
            var receipts = await db.BroadcastReceipts.AsNoTracking().Where(r => partIds.Contains(r.BroadcastId)).ToListAsync();
            var channels = deliveries.Select(d => d.Channel).Union(events.Select(e => e.Channel)).Concat(parts.Count > 0 ? [DeliveryChannel.Inbox] : []);
            return channels.Distinct().OrderBy(c => c).Select(c =>
            {
                // Events of the push's inbox part have no delivery id: their readers are told apart by the receipts.
                var ev = events.Where(e => e.Channel == c && e.DeliveryId != 0).ToList();
                long Total(DeliveryEventType t) => ev.Count(e => e.Type == t);
                long Unique(DeliveryEventType t) => ev.Where(e => e.Type == t).Select(e => e.DeliveryId).Distinct().Count();
                var funnel = new ChannelFunnel(c, deliveries.Count(d => d.Channel == c), Total(DeliveryEventType.Sent), Total(DeliveryEventType.Failed),
                    Unique(DeliveryEventType.Delivered), Unique(DeliveryEventType.Opened), Total(DeliveryEventType.Opened),
                    Unique(DeliveryEventType.Clicked), Total(DeliveryEventType.Clicked));
                if (c != DeliveryChannel.Inbox || parts.Count == 0)
                {
                    return funnel;
                }
                var part = events.Where(e => e.Channel == c && e.DeliveryId == 0).ToList();
                Assert.Equal(part.Count(e => e.Type == DeliveryEventType.Opened && e.IsFirst), receipts.Count(r => r.OpenedAt != null));
                Assert.Equal(part.Count(e => e.Type == DeliveryEventType.Clicked && e.IsFirst), receipts.Count(r => r.ClickedAt != null));
                var audience = parts.Sum(b => (long)b.AudienceCount!.Value);
                return funnel with
                {
                    Queued = funnel.Queued + audience, Sent = funnel.Sent + audience,
                    OpenedUnique = funnel.OpenedUnique + receipts.Count(r => r.OpenedAt != null), OpenedTotal = funnel.OpenedTotal + part.Count(e => e.Type == DeliveryEventType.Opened),
                    ClickedUnique = funnel.ClickedUnique + receipts.Count(r => r.ClickedAt != null), ClickedTotal = funnel.ClickedTotal + part.Count(e => e.Type == DeliveryEventType.Clicked),
                };
            }).ToList();
        });
    }

    private async Task<T> GetAsync<T>(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    [Fact]
    public async Task EveryNumberShownEqualsTheRawEventsAfterLateEventsAndReRuns()
    {
        var s = await SeedAsync();
        await factory.RollUpAsync();
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);

        async Task CheckAsync()
        {
            var push = await GetAsync<ContentReport>(admin, $"/api/analytics/pushes/{s.PushId}");
            Assert.Equal(await RawAsync(DeliveryContentKind.Breaking, s.PushId), push.Channels);
            var digest = await GetAsync<ContentReport>(admin, $"/api/analytics/digest-runs/{s.DigestRun}");
            Assert.Equal(await RawAsync(DeliveryContentKind.Digest, s.DigestRun), digest.Channels);
            var overview = await GetAsync<OverviewReport>(admin, "/api/analytics/overview?days=7&scope=all");
            Assert.Equal(await RawAsync(null, null), overview.Channels);
            Assert.Equal(overview.Channels.Sum(c => c.Sent), overview.Series.Sum(p => p.Sent));
            Assert.Equal(overview.Channels.Sum(c => c.OpenedUnique), overview.Series.Sum(p => p.OpenedUnique));
            Assert.Equal(1, overview.Pushes);
            Assert.Equal(1, overview.DigestRuns);
            // The articles clicked: the raw click events with their article.
            var clicks = await factory.WithDbAsync(db => db.DeliveryEvents.Where(e => e.ContentKind == DeliveryContentKind.Digest && e.Type == DeliveryEventType.Clicked).ToListAsync());
            Assert.Equal(clicks.GroupBy(c => c.ArticleId).ToDictionary(g => g.Key, g => (long)g.Count()), digest.Articles.ToDictionary(a => a.ArticleId, a => a.ClickedTotal));
        }

        await CheckAsync();
        // The scenario's own figures, as a reader of the page would check them.
        var funnel = (await GetAsync<ContentReport>(admin, $"/api/analytics/pushes/{s.PushId}")).Channels;
        var webPush = funnel.Single(c => c.Channel == DeliveryChannel.WebPush);
        Assert.Equal((3L, 3L, 2L, 1L, 1L), (webPush.Queued, webPush.Sent, webPush.Delivered, webPush.OpenedUnique, webPush.ClickedUnique));
        var inbox = funnel.Single(c => c.Channel == DeliveryChannel.Inbox);
        // Queued and sent to its 4 readers at once; opened by readers 0 (twice) and 1 (by following the link), not 2
        // (marked read only); clicked by 0 (twice) and 1.
        Assert.Equal((4L, 4L, 2L, 3L, 2L, 3L), (inbox.Queued, inbox.Sent, inbox.OpenedUnique, inbox.OpenedTotal, inbox.ClickedUnique, inbox.ClickedTotal));
        var email = funnel.Single(c => c.Channel == DeliveryChannel.Email);
        Assert.Equal((4L, 4L, 1L), (email.Queued, email.Sent, email.ClickedUnique));
        var digestMail = (await GetAsync<ContentReport>(admin, $"/api/analytics/digest-runs/{s.DigestRun}")).Channels.Single(c => c.Channel == DeliveryChannel.Email);
        Assert.Equal((3L, 4L, 2L, 3L), (digestMail.OpenedUnique, digestMail.OpenedTotal, digestMail.ClickedUnique, digestMail.ClickedTotal));

        // A re-run changes nothing.
        var again = await factory.RollUpAsync();
        Assert.Equal(0, again.Total);
        await CheckAsync();

        // Late events, two days on: an old push's e-mail opened, a digest clicked again; both counted once, in their own hour.
        factory.Clock.Advance(TimeSpan.FromDays(2));
        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var late = await factory.WithDbAsync(db => db.Deliveries.Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.Channel == DeliveryChannel.Email).OrderBy(d => d.Id).FirstAsync());
        await anonymous.GetAsync($"/t/o/{late.TrackingToken}.gif");
        var rolled = await factory.RollUpAsync();
        Assert.Equal(1, rolled.Events);
        await factory.RollUpAsync();
        await CheckAsync();
        var timeline = (await GetAsync<ContentReport>(admin, $"/api/analytics/pushes/{s.PushId}")).Timeline;
        Assert.Contains(timeline, p => p.Hour >= 48 && p.OpenedUnique == 1);
    }

    [Fact]
    public async Task EditorsSeeTheNewsroomAdminsEverythingReadersNothing()
    {
        var s = await SeedAsync();
        await factory.RollUpAsync();
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        using var reader = await factory.CreateLoggedInClientAsync(s.Readers[0].Email!);
        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        string[] newsroom = ["/api/analytics/overview?days=30", $"/api/analytics/pushes/{s.PushId}", $"/api/analytics/digest-runs/{s.DigestRun}", "/api/analytics/columns/1?days=30"];
        foreach (var url in newsroom)
        {
            Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
        }
        foreach (var url in new[] { "/api/analytics/overview?days=30&scope=all", "/api/analytics/recommender?days=30" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(url)).StatusCode);
        }
        // The editor's newsroom overview leaves out admins' own traffic (tests, alerts), which scope=all includes.
        var newsroomView = await GetAsync<OverviewReport>(editor, "/api/analytics/overview?days=7");
        Assert.Equal(AnalyticsScope.Newsroom, newsroomView.Scope);
        Assert.Equal(HttpStatusCode.BadRequest, (await editor.GetAsync("/api/analytics/overview?scope=bogus")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await editor.GetAsync("/api/analytics/pushes/999999")).StatusCode);
        // The pages: editors and admins get them; a reader is turned away.
        foreach (var page in new[] { "/editor/analytics", $"/editor/analytics/pushes/{s.PushId}", $"/editor/analytics/digest-runs/{s.DigestRun}", "/editor/analytics/columns/1" })
        {
            var shown = await editor.GetAsync(page);
            Assert.True(shown.StatusCode == HttpStatusCode.OK, $"{page}: {(int)shown.StatusCode} {await shown.Content.ReadAsStringAsync()}");
            var denied = await reader.GetAsync(page);
            Assert.True(denied.StatusCode is HttpStatusCode.Forbidden || denied.Headers.Location?.OriginalString.Contains("access-denied", StringComparison.Ordinal) == true, $"{page}: {denied.StatusCode}");
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/analytics")).StatusCode);
        var editorOnAdmin = await editor.GetAsync("/admin/analytics");
        Assert.True(editorOnAdmin.StatusCode is HttpStatusCode.Forbidden || editorOnAdmin.Headers.Location?.OriginalString.Contains("access-denied", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task CsvDownloadsHoldTheTablesRows()
    {
        var s = await SeedAsync();
        await factory.RollUpAsync();
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var report = await GetAsync<ContentReport>(editor, $"/api/analytics/pushes/{s.PushId}");
        var csv = await editor.GetAsync($"/api/analytics/pushes/{s.PushId}?format=channels.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", csv.Content.Headers.ContentDisposition?.ToString() ?? "", StringComparison.Ordinal);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(report.Channels.Count + 1, lines.Length);
        var webPush = report.Channels.Single(c => c.Channel == DeliveryChannel.WebPush);
        Assert.Contains(lines, l => l.StartsWith($"WebPush,{webPush.Queued},{webPush.Sent},{webPush.Failed},{webPush.Delivered},{webPush.OpenedUnique},{webPush.OpenedTotal},{webPush.ClickedUnique},{webPush.ClickedTotal},", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ColumnAndRecommenderFiguresEqualTheRawInteractions()
    {
        await SeedAsync();
        var now = factory.Clock.Now.UtcDateTime;
        var (columnId, articles) = await factory.WithDbAsync(async db =>
        {
            var column = await db.Articles.GroupBy(a => a.ColumnId).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstAsync();
            return (column, await db.Articles.Where(a => a.ColumnId == column).Select(a => a.Id).Take(3).ToListAsync());
        });
        var other = await factory.WithDbAsync(db => db.Articles.Where(a => a.ColumnId != columnId).Select(a => new { a.Id, a.ColumnId }).FirstAsync());
        await factory.WithDbAsync(async db =>
        {
            var version = new ModelVersion { Version = "v-test", Trainer = "test", CreatedAt = now.AddHours(-3), ActivatedAt = now.AddHours(-2), IsActive = true };
            db.ModelVersions.Add(version);
            var rows = new List<Interaction>();
            for (var u = 0; u < 5; u++)
            {
                var user = $"reader-{u}";
                foreach (var a in articles)
                {
                    rows.Add(new Interaction { UserId = user, ArticleId = a, Type = InteractionType.Impression, Source = u % 2 == 0 ? "foryou" : "latest", OccurredAt = now.AddHours(-1) });
                }
                if (u < 3)
                {
                    rows.Add(new Interaction { UserId = user, ArticleId = articles[0], Type = InteractionType.Click, Value = 1, Source = u % 2 == 0 ? "foryou" : "latest", OccurredAt = now.AddMinutes(-50) });
                    rows.Add(new Interaction { UserId = user, ArticleId = articles[0], Type = InteractionType.Dwell, Value = 30 + u * 10, Source = "article", OccurredAt = now.AddMinutes(-45) });
                }
                if (u == 0)
                {
                    rows.Add(new Interaction { UserId = user, ArticleId = other.Id, Type = InteractionType.Click, Value = 1, Source = "home", OccurredAt = now.AddMinutes(-40) });
                    rows.Add(new Interaction { UserId = user, ArticleId = articles[1], Type = InteractionType.Follow, Value = 1, Source = "column", OccurredAt = now.AddMinutes(-40) });
                }
            }
            // An impression before the model was activated counts under "none".
            rows.Add(new Interaction { UserId = "reader-9", ArticleId = articles[0], Type = InteractionType.Impression, Source = "foryou", OccurredAt = now.AddHours(-5) });
            db.Interactions.AddRange(rows);
            await db.SaveChangesAsync();
        });
        await factory.RollUpAsync();
        await factory.RollUpAsync();
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var column = await GetAsync<ColumnReport>(admin, $"/api/analytics/columns/{columnId}?days=7");
        // The report's range: the viewer's (UTC) last 7 days up to now.
        var from = DateTime.SpecifyKind(now.Date.AddDays(-6), DateTimeKind.Utc);
        var raw = await factory.WithDbAsync(db => db.Interactions
            .Where(i => i.OccurredAt >= from && i.OccurredAt <= now && db.Articles.Any(a => a.Id == i.ArticleId && a.ColumnId == columnId)).ToListAsync());
        Assert.Equal(raw.Count(i => i.Type == InteractionType.Impression), column.Impressions);
        Assert.Equal(raw.Count(i => i.Type == InteractionType.Click), column.Clicks);
        Assert.Equal(raw.Count(i => i.Type == InteractionType.Follow), column.Follows);
        Assert.Equal(Math.Round(raw.Where(i => i.Type == InteractionType.Dwell).Average(i => i.Value), 1), column.AverageDwellSeconds);
        Assert.Equal(raw.Where(i => i.Type is InteractionType.Click or InteractionType.Dwell).Select(i => i.UserId).Distinct().Count(), column.Readers);
        Assert.Contains(column.AlsoRead, a => a.ColumnId == other.ColumnId && a.Readers >= 1);

        var rec = await GetAsync<RecommenderReport>(admin, "/api/analytics/recommender?days=7");
        var all = await factory.WithDbAsync(db => db.Interactions.Where(i => (i.Source == "foryou" || i.Source == "latest") && i.OccurredAt >= from && i.OccurredAt <= now).ToListAsync());
        foreach (var source in AnalyticsQueries.RecommenderSources)
        {
            Assert.Equal(all.Count(i => i.Source == source && i.Type == InteractionType.Impression), rec.Versions.Where(v => v.Source == source).Sum(v => v.Impressions));
            Assert.Equal(all.Count(i => i.Source == source && i.Type == InteractionType.Click), rec.Versions.Where(v => v.Source == source).Sum(v => v.Clicks));
        }
        Assert.Equal(all.Count(i => i.Type == InteractionType.Impression && i.OccurredAt < now.AddHours(-2)), rec.Versions.Where(v => v.ModelVersionId == 0).Sum(v => v.Impressions));
        var forYou = rec.Versions.Single(v => v.ModelVersion == "v-test" && v.Source == "foryou");
        Assert.Equal((9L, 2L), (forYou.Impressions, forYou.Clicks));
    }
}

public sealed class AnalyticsSqliteTests(AnalyticsSqliteFactory factory) : AnalyticsTests(factory), IClassFixture<AnalyticsSqliteFactory>;

public sealed class AnalyticsPostgreSqlTests(AnalyticsPostgreSqlFactory factory) : AnalyticsTests(factory), IClassFixture<AnalyticsPostgreSqlFactory>;
