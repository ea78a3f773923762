using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Campaigns;

namespace NewsPush.Tests.Web.Editor;

/// <summary>The editor's breaking-news pages over HTTP: compose, validate, review by a second editor, fan-out to a reader's inbox.</summary>
public sealed class BreakingPushPagesTests(PushSqliteFactory factory) : IClassFixture<PushSqliteFactory>
{
    [Fact]
    public async Task AnEditorComposesASecondEditorApprovesAndTheReaderGetsItInTheInbox()
    {
        // Readers in a zone nobody else uses, so the push's audience is exactly them; one takes no e-mail.
        const string zone = "Atlantic/Reykjavik";
        var reader = await factory.CreateReaderAsync("bpush", p => p.TimeZoneId = zone);
        var inboxOnly = await factory.CreateReaderAsync("bpush2", p => { p.TimeZoneId = zone; p.EmailEnabled = false; });
        var article = await factory.WithDbAsync(db => db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id).FirstAsync());
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);

        var created = await editor.PostFormAsync($"/editor/articles/{article.Id}", new Dictionary<string, string> { ["articleId"] = article.Id.ToString() }, "/editor/pushes");
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var url = created.Headers.Location!.OriginalString;
        var id = long.Parse(url.Split('/')[^1]);
        var composer = WebUtility.HtmlDecode(await editor.GetStringAsync(url));
        Assert.Contains("Compose a breaking-news push", composer, StringComparison.Ordinal);
        Assert.Contains(article.Title, composer, StringComparison.Ordinal);

        var form = new Dictionary<string, string>
        {
            ["Title"] = "Storm warning for the coast", ["Message"] = "Stay indoors tonight.", ["Segment"] = "Everyone", ["TimeZones"] = zone,
            ["When"] = "recurring", ["Cron"] = "every friday",
        };
        var bad = await editor.PostFormAsync(url, form);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var badPage = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Contains("id=\"Cron-error\"", badPage, StringComparison.Ordinal);
        Assert.Contains("Give a Quartz cron schedule", badPage, StringComparison.Ordinal);
        Assert.Equal(CampaignStatus.Draft, (await CampaignAsync(id)).Status);
        Assert.NotEqual("Storm warning for the coast", (await CampaignAsync(id)).Title);

        form["When"] = "now";
        form.Remove("Cron");
        Assert.Equal(HttpStatusCode.Redirect, (await editor.PostFormAsync(url, form)).StatusCode);
        Assert.Equal("Storm warning for the coast", (await CampaignAsync(id)).Title);

        // The audience endpoint, from the saved draft, before anything is sent.
        var audience = await editor.GetFromJsonAsync<JsonElement>($"/editor/pushes/{id}/audience");
        Assert.Equal(2, audience.GetProperty("matched").GetInt32());
        Assert.Equal(2, audience.GetProperty("reached").GetInt32());
        var planned = audience.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!, c => c.GetProperty("endpoints").GetInt32());
        Assert.Equal(2, planned["Inbox"]);
        Assert.Equal(1, planned["E-mail"]);
        // With the form's values in the query instead: another zone matches nobody.
        var elsewhere = await editor.GetFromJsonAsync<JsonElement>($"/editor/pushes/{id}/audience?Segment=Everyone&TimeZones=Pacific/Chatham");
        Assert.Equal(0, elsewhere.GetProperty("matched").GetInt32());

        form["submit"] = "1";
        Assert.Equal(HttpStatusCode.Redirect, (await editor.PostFormAsync(url, form)).StatusCode);
        Assert.Equal(CampaignStatus.PendingApproval, (await CampaignAsync(id)).Status);

        // Its author cannot approve it: the page says why and nothing changes.
        var review = WebUtility.HtmlDecode(await editor.GetStringAsync(url));
        Assert.Contains("You wrote this push: another editor or an admin must approve it.", review, StringComparison.Ordinal);
        Assert.DoesNotContain($"action=\"/editor/pushes/{id}/approve\"", review, StringComparison.Ordinal);
        var selfApproval = await editor.PostFormAsync(url, postUrl: $"/editor/pushes/{id}/approve");
        Assert.Equal(HttpStatusCode.Redirect, selfApproval.StatusCode);
        Assert.Contains("You wrote this push: another editor or an admin must approve it.",
            WebUtility.HtmlDecode(await editor.GetStringAsync(selfApproval.Headers.Location!.OriginalString)), StringComparison.Ordinal);
        Assert.Equal(CampaignStatus.PendingApproval, (await CampaignAsync(id)).Status);

        var second = await factory.CreateUserAsync($"second-{Guid.NewGuid():N}"[..15] + "@test.local", Roles.Editor, Roles.Reader);
        using var reviewer = await factory.CreateLoggedInClientAsync(second.Email!);
        var list = WebUtility.HtmlDecode(await reviewer.GetStringAsync("/editor/pushes?status=PendingApproval"));
        Assert.Contains("Storm warning for the coast", list, StringComparison.Ordinal);
        Assert.Contains($"action=\"/editor/pushes/{id}/approve\"", list, StringComparison.Ordinal);
        var approved = await reviewer.PostFormAsync(url, postUrl: $"/editor/pushes/{id}/approve");
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        var campaign = await CampaignAsync(id);
        Assert.Equal(CampaignStatus.Sending, campaign.Status);
        Assert.Equal(second.Id, campaign.ApprovedById);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CampaignRunner>().RunAsync(CancellationToken.None);
        }
        var queued = await factory.WithDbAsync(db => db.Deliveries.AsNoTracking()
            .Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == id && d.Channel != DeliveryChannel.Webhook).ToListAsync());
        // The inbox part is one broadcast for both readers; the fan-out queues the e-mail.
        Assert.Equal(planned["E-mail"], queued.Count);
        Assert.Equal(planned["E-mail"], queued.Count(d => d.Channel == DeliveryChannel.Email));
        Assert.All(queued, d => Assert.Contains(d.UserId, new[] { reader.Id, inboxOnly.Id }));
        await factory.DispatchAsync();

        var message = Assert.Single((await factory.InboxPageOfAsync(reader.Id)).Items);
        Assert.Equal("Storm warning for the coast", message.Title);
        Assert.Single((await factory.InboxPageOfAsync(inboxOnly.Id)).Items);

        var progress = await editor.GetFromJsonAsync<JsonElement>($"/editor/pushes/{id}/progress");
        Assert.True(progress.GetProperty("fanoutDone").GetBoolean());
        var inbox = progress.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "Inbox");
        Assert.Equal(2, inbox.GetProperty("sent").GetInt32());
        var detail = WebUtility.HtmlDecode(await editor.GetStringAsync(url));
        Assert.Contains("The fan-out is complete", detail, StringComparison.Ordinal);
        Assert.Contains(second.DisplayName, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePredictedSegmentWithoutAnActiveModelIsRefusedWithAMessageInTheComposerAndThePreview()
    {
        var article = await factory.WithDbAsync(db => db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id).FirstAsync());
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var created = await editor.PostFormAsync($"/editor/articles/{article.Id}", new Dictionary<string, string> { ["articleId"] = article.Id.ToString() }, "/editor/pushes");
        var url = created.Headers.Location!.OriginalString;
        var id = long.Parse(url.Split('/')[^1]);
        // The composer offers the segment and starts the language filter at the story's language.
        var composer = WebUtility.HtmlDecode(await editor.GetStringAsync(url));
        Assert.Contains("Readers the model predicts are interested", composer, StringComparison.Ordinal);
        Assert.Contains($"id=\"Language\" name=\"Language\" value=\"{article.Language}\"", composer, StringComparison.Ordinal);

        var bad = await editor.PostFormAsync(url, new Dictionary<string, string>
        {
            ["Title"] = "Who cares most", ["Segment"] = "PredictedInterested", ["PredictedBy"] = "top", ["PredictedTopPercent"] = "10", ["When"] = "now",
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var page = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Contains("id=\"Segment-error\"", page, StringComparison.Ordinal);
        Assert.Contains(NewsPush.Web.Recommendations.ActiveModelInterestPredictor.NoModel, page, StringComparison.Ordinal);
        Assert.NotEqual(PushSegment.PredictedInterested, (await CampaignAsync(id)).Segment);

        var audience = await editor.GetFromJsonAsync<JsonElement>($"/editor/pushes/{id}/audience?Segment=PredictedInterested&PredictedBy=top&PredictedTopPercent=10");
        Assert.Equal(NewsPush.Web.Recommendations.ActiveModelInterestPredictor.NoModel, audience.GetProperty("unavailable").GetString());
    }

    [Fact]
    public async Task ReturnsAccessDeniedGivenReaderOnBreakingNewsPages()
    {
        var reader = await factory.CreateReaderAsync("nopush");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        foreach (var path in new[] { "/editor/pushes", "/editor/pushes/1", "/editor/pushes/1/audience", "/editor/pushes/1/progress", "/editor/pushes/next-runs?cron=0+0+12+*+*+%3F" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden
                || response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/account/access-denied", StringComparison.OrdinalIgnoreCase),
                $"{path}: {(int)response.StatusCode} {response.Headers.Location}");
        }
        var denied = await client.PostFormAsync("/preferences", new Dictionary<string, string> { ["articleId"] = "1" }, "/editor/pushes");
        Assert.Contains("/account/access-denied", denied.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
        Assert.False(await factory.WithDbAsync(db => db.PushCampaigns.AnyAsync(c => c.CreatedById == reader.Id)));
    }

    [Fact]
    public async Task NextRunsListsTheScheduleInTheNewsroomZoneAndRefusesNonsense()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var runs = await editor.GetFromJsonAsync<JsonElement>("/editor/pushes/next-runs?cron=" + Uri.EscapeDataString("0 30 11 ? * FRI"));
        Assert.True(runs.GetProperty("valid").GetBoolean());
        var first = runs.GetProperty("runs").EnumerateArray().First().GetString();
        // The factory's clock stands at Friday 2026-11-20 12:00 UTC, newsroom zone UTC: the next Friday 11:30 is a week on.
        Assert.Equal("Fri 2026-11-27 11:30", first);
        Assert.Equal(5, runs.GetProperty("runs").GetArrayLength());
        var nonsense = await editor.GetFromJsonAsync<JsonElement>("/editor/pushes/next-runs?cron=whenever");
        Assert.False(nonsense.GetProperty("valid").GetBoolean());
    }

    private Task<PushCampaign> CampaignAsync(long id) => factory.WithDbAsync(db => db.PushCampaigns.AsNoTracking().SingleAsync(c => c.Id == id));
}
