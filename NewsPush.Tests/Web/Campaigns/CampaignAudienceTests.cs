using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Recommendations;

namespace NewsPush.Tests.Web.Campaigns;

/// <summary>Predicted interest (a stored set) and the language filter, in the preview, the inbox part and the fan-out.</summary>
public abstract partial class CampaignTests<TFactory>
{
    /// <summary>
    /// <paramref name="count"/> readers alone in <paramref name="zone"/> (the filter keeps other tests' readers out), scored
    /// 0, 1, 2, … by the scripted model; readers 1, 5, 9, … have only e-mail, 2, 6, 10, … only the inbox.
    /// </summary>
    private async Task<List<(ApplicationUser User, float Score, bool Inbox, bool Email)>> ScoredReadersAsync(string prefix, int count, string zone)
    {
        var readers = new List<(ApplicationUser, float, bool, bool)>();
        var scores = new Dictionary<string, float>();
        for (var i = 0; i < count; i++)
        {
            var inbox = i % 4 != 1;
            var email = i % 4 != 2;
            var user = await factory.CreateReaderAsync($"{prefix}{i}", p =>
            {
                p.TimeZoneId = zone;
                p.InboxEnabled = inbox;
                p.EmailEnabled = email;
            });
            readers.Add((user, i, inbox, email));
            scores[user.Id] = i;
        }
        factory.Interest.Scores = scores;
        return readers;
    }

    private async Task<int> InboxReadersOfAsync(IEnumerable<ApplicationUser> readers, string title)
    {
        var n = 0;
        foreach (var r in readers)
        {
            n += (await factory.InboxPageOfAsync(r.Id)).Items.Count(i => i.Title == title);
        }
        return n;
    }

    [Fact]
    public async Task APredictedPushGoesToTheTopShareByScoreAndThePreviewCountsAreItsRecipients()
    {
        var (_, article) = await factory.StoryAsync("Eclipse");
        try
        {
            var readers = await ScoredReadersAsync("pr-top", 20, "Pacific/Chatham");
            var filter = new AudienceFilter(PushSegment.PredictedInterested, [], ["Pacific/Chatham"], null, TopPercent: 25);
            var preview = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignPreview>().PreviewAsync(filter, article, critical: false, factory.Clock.Now.UtcDateTime, None));

            // 25 % of the 20 scored: the 5 highest, 15…19.
            var top = readers.Where(r => r.Score >= 15).ToList();
            Assert.Null(preview.Unavailable);
            Assert.Equal(20, preview.Scored);
            // Where the top 1, 10 and 50 % of the scores (0…19) begin, to choose a minimum score by.
            Assert.Equal([(1.0, 19f), (10.0, 18f), (50.0, 10f)], preview.ScoreGuide!.Select(g => (g.TopPercent, g.Score)));
            Assert.Equal((5, 5), (preview.Matched, preview.Reached));
            Assert.Equal([("Inbox", top.Count(r => r.Inbox)), ("E-mail", top.Count(r => r.Email))], preview.Channels.Select(c => (c.Channel, c.Readers)));
            Assert.Equal(5, preview.Samples.Count);
            Assert.All(preview.Samples, s =>
            {
                Assert.StartsWith("predicted interest ", s.Why, StringComparison.Ordinal);
                var score = float.Parse(s.Why["predicted interest ".Length..].Split(' ')[0], CultureInfo.InvariantCulture);
                Assert.Equal(readers.Single(r => r.User.DisplayName == s.Name).Score, score);
                Assert.True(score >= 15);
            });

            var id = await factory.ApprovedPushAsync(article, new CampaignForm
            {
                Title = "Eclipse now", Segment = PushSegment.PredictedInterested, PredictedTopPercent = 25, TimeZones = ["Pacific/Chatham"],
            });
            // Two nodes at once, then once more: the set is stored once, nothing is queued twice.
            await Task.WhenAll(factory.RunCampaignsAsync(), factory.RunCampaignsAsync());
            await factory.RunCampaignsAsync();
            var members = await factory.WithDbAsync(db => db.PushAudienceMembers.AsNoTracking().Where(m => m.CampaignId == id).ToListAsync());
            Assert.Equal(top.Select(r => (r.User.Id, r.Score)).OrderBy(x => x.Id, StringComparer.Ordinal), members.Select(m => (m.UserId, m.Score)).OrderBy(x => x.UserId, StringComparer.Ordinal));

            var deliveries = await factory.DeliveriesOfPushAsync(id);
            Assert.Equal(top.Where(r => r.Email).Select(r => r.User.Id).Order(StringComparer.Ordinal), deliveries.Select(d => d.UserId).Order(StringComparer.Ordinal));
            Assert.All(deliveries, d => Assert.Equal(DeliveryChannel.Email, d.Channel));
            Assert.Equal(preview.Channels.Single(c => c.Channel == "E-mail").Readers, deliveries.Count);
            // The inbox part: exactly the top readers with the inbox on see it and count it unread; the other 15 do not.
            Assert.Equal(preview.Channels.Single(c => c.Channel == "Inbox").Readers, await InboxReadersOfAsync(readers.Select(r => r.User), "Eclipse now"));
            Assert.Equal(0, await InboxReadersOfAsync(readers.Where(r => r.Score < 15).Select(r => r.User), "Eclipse now"));
            Assert.Equal(1, (await factory.InboxPageOfAsync(top.First(r => r.Inbox).User.Id)).Unread);
            var progress = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignSender>().ProgressAsync(id, None));
            Assert.Equal(top.Count(r => r.Inbox), progress!.Channels.Single(c => c.Channel == "Inbox").Sent);
        }
        finally
        {
            factory.Interest.Scores = null;
        }
    }

    [Fact]
    public async Task APreviewOfALargePredictedAudienceScoresASampleAndEstimatesFromItWhileTheSendScoresEveryone()
    {
        var (_, article) = await factory.StoryAsync("Quake");
        try
        {
            var readers = await ScoredReadersAsync("pr-smp", 40, "Pacific/Norfolk");
            // A preview that scores 10 readers: the first 10 by id, as the audience is walked.
            var sample = readers.OrderBy(r => r.User.Id, StringComparer.Ordinal).Take(10).ToList();
            Task<AudiencePreview> PreviewAsync(AudienceFilter filter) => factory.InScopeAsync(sp => ActivatorUtilities.CreateInstance<CampaignPreview>(sp,
                Options.Create(new CampaignOptions { PreviewScoreSampleSize = 10 })).PreviewAsync(filter, article, critical: false, factory.Clock.Now.UtcDateTime, None));

            var top = await PreviewAsync(new AudienceFilter(PushSegment.PredictedInterested, [], ["Pacific/Norfolk"], null, TopPercent: 25));
            Assert.Equal((10, 40, true), (top.Scored, top.Eligible, top.CountsEstimated));
            // The top quarter of 40 is 10 readers, whatever the sample.
            Assert.Equal(10, top.Matched);
            var cut = sample.Select(r => r.Score).OrderDescending().ElementAt(2);
            Assert.All(top.Samples, s => Assert.Contains(sample, r => r.User.DisplayName == s.Name && r.Score >= cut));

            // A minimum score: the sample's share at or above it, of all 40.
            var min = await PreviewAsync(new AudienceFilter(PushSegment.PredictedInterested, [], ["Pacific/Norfolk"], null, Threshold: 20));
            Assert.True(min.CountsEstimated);
            Assert.Equal(4 * sample.Count(r => r.Score >= 20), min.Matched);
            Assert.Equal(4 * sample.Count(r => r.Score >= 20 && r.Email), min.Channels.Single(c => c.Channel == "E-mail").Readers);

            // The push itself scores all 40: exactly the top ten get it.
            var id = await factory.ApprovedPushAsync(article, new CampaignForm
            {
                Title = "Quake felt", Segment = PushSegment.PredictedInterested, PredictedTopPercent = 25, TimeZones = ["Pacific/Norfolk"],
            });
            await factory.RunCampaignsAsync();
            var members = await factory.WithDbAsync(db => db.PushAudienceMembers.AsNoTracking().Where(m => m.CampaignId == id).Select(m => m.UserId).ToListAsync());
            Assert.Equal(readers.Where(r => r.Score >= 30).Select(r => r.User.Id).Order(StringComparer.Ordinal), members.Order(StringComparer.Ordinal));
        }
        finally
        {
            factory.Interest.Scores = null;
        }
    }

    [Fact]
    public async Task APredictedPushByMinimumScoreTakesOnlyReadersAtOrAboveIt()
    {
        var (_, article) = await factory.StoryAsync("Comet");
        try
        {
            var readers = await ScoredReadersAsync("pr-min", 16, "Asia/Kathmandu");
            var filter = new AudienceFilter(PushSegment.PredictedInterested, [], ["Asia/Kathmandu"], null, Threshold: 12);
            var preview = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignPreview>().PreviewAsync(filter, article, critical: false, factory.Clock.Now.UtcDateTime, None));
            var chosen = readers.Where(r => r.Score >= 12).ToList();
            Assert.Equal(4, preview.Matched);
            Assert.Equal(chosen.Count(r => r.Email), preview.Channels.Single(c => c.Channel == "E-mail").Readers);

            var id = await factory.ApprovedPushAsync(article, new CampaignForm
            {
                Title = "Comet tonight", Segment = PushSegment.PredictedInterested, PredictedThreshold = 12, TimeZones = ["Asia/Kathmandu"],
            });
            await factory.RunCampaignsAsync();
            Assert.Equal(chosen.Where(r => r.Email).Select(r => r.User.Id).Order(StringComparer.Ordinal),
                (await factory.DeliveriesOfPushAsync(id)).Select(d => d.UserId).Order(StringComparer.Ordinal));
            Assert.Equal(chosen.Count(r => r.Inbox), await InboxReadersOfAsync(readers.Select(r => r.User), "Comet tonight"));
            Assert.Equal(0, await InboxReadersOfAsync(readers.Where(r => r.Score < 12).Select(r => r.User), "Comet tonight"));
        }
        finally
        {
            factory.Interest.Scores = null;
        }
    }

    [Fact]
    public async Task APredictedPushWhoseModelIsSwitchedOffAfterApprovalWaitsVisiblyAndStartsWhenAModelIsBack()
    {
        var (_, article) = await factory.StoryAsync("Aurora");
        try
        {
            var readers = await ScoredReadersAsync("pr-held", 8, "Pacific/Marquesas");
            var scores = factory.Interest.Scores;
            var id = await factory.ApprovedPushAsync(article, new CampaignForm
            {
                Title = "Aurora tonight", Segment = PushSegment.PredictedInterested, PredictedTopPercent = 50, TimeZones = ["Pacific/Marquesas"],
            });
            // The model goes away between the approval and the first pass of the job; two passes find it still missing.
            factory.Interest.Scores = null;
            await factory.RunCampaignsAsync();
            await factory.RunCampaignsAsync();

            Assert.Equal(CampaignStatus.Sending, (await factory.CampaignAsync(id)).Status);
            Assert.Empty(await factory.DeliveriesOfPushAsync(id));
            Assert.Equal(0, await InboxReadersOfAsync(readers.Select(r => r.User), "Aurora tonight"));
            var progress = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignSender>().ProgressAsync(id, None));
            Assert.Equal(ActiveModelInterestPredictor.NoModel, progress!.Waiting);
            Assert.False(progress.FanoutDone);
            // The audit log says so once, not once per pass.
            Assert.Equal([CampaignSender.HeldAction], await AuditOfAsync(id, CampaignSender.HeldAction, CampaignSender.ResumedAction));
            using (var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail))
            {
                var page = await editor.GetStringAsync($"/editor/pushes/{id}");
                Assert.Contains("class=\"alert alert-warning\" role=\"alert\" id=\"progress-waiting\"", page);
                Assert.Contains("The fan-out waits.", page);
            }

            // A model is active again: the next pass scores, stores and sends, and the wait is over.
            factory.Interest.Scores = scores;
            await factory.RunCampaignsAsync();
            Assert.Equal(CampaignStatus.Sent, (await factory.CampaignAsync(id)).Status);
            var top = readers.Where(r => r.Score >= 4).ToList();
            Assert.Equal(top.Where(r => r.Email).Select(r => r.User.Id).Order(StringComparer.Ordinal),
                (await factory.DeliveriesOfPushAsync(id)).Select(d => d.UserId).Order(StringComparer.Ordinal));
            Assert.Equal(top.Count(r => r.Inbox), await InboxReadersOfAsync(readers.Select(r => r.User), "Aurora tonight"));
            Assert.Null((await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignSender>().ProgressAsync(id, None)))!.Waiting);
            Assert.Equal([CampaignSender.HeldAction, CampaignSender.ResumedAction], await AuditOfAsync(id, CampaignSender.HeldAction, CampaignSender.ResumedAction));
        }
        finally
        {
            factory.Interest.Scores = null;
        }
    }

    private Task<List<string>> AuditOfAsync(long campaignId, params string[] actions)
    {
        var entity = campaignId.ToString(CultureInfo.InvariantCulture);
        return factory.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(e => e.EntityType == nameof(PushCampaign) && e.EntityId == entity && actions.Contains(e.Action))
            .OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
    }

    [Fact]
    public async Task WithoutAnActiveModelThePredictedSegmentIsRefusedWithAClearMessage()
    {
        var (_, article) = await factory.StoryAsync("Meteor");
        Assert.Null(factory.Interest.Scores);
        var author = await factory.CreateUserAsync($"nomodel-{Guid.NewGuid():N}"[..20] + "@test.local", Roles.Editor, Roles.Reader);
        var errors = await factory.InScopeAsync(async sp =>
        {
            var flow = sp.GetRequiredService<CampaignWorkflow>();
            var (c, _) = await flow.CreateDraftAsync(article, CampaignFactory.Principal(author, Roles.Editor), None);
            return await flow.UpdateAsync(c!.Id, new CampaignForm { Title = "Meteor", Segment = PushSegment.PredictedInterested, PredictedTopPercent = 10 },
                CampaignFactory.Principal(author, Roles.Editor), None);
        });
        Assert.Equal(ActiveModelInterestPredictor.NoModel, Assert.Single(errors, e => e.Key == nameof(CampaignForm.Segment)).Value);
        var preview = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignPreview>().PreviewAsync(
            new AudienceFilter(PushSegment.PredictedInterested, [], [], null, TopPercent: 10), article, critical: false, factory.Clock.Now.UtcDateTime, None));
        Assert.Equal((ActiveModelInterestPredictor.NoModel, 0), (preview.Unavailable, preview.Matched));
    }

    [Fact]
    public async Task TheLanguageFilterLeavesOutReadersOfAnotherLanguageInThePreviewAndTheSend()
    {
        var (column, article) = await factory.StoryAsync("Typhoon");
        await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == article).ExecuteUpdateAsync(s => s.SetProperty(a => a.Language, "zh-Hans")));
        var chinese = await factory.FollowersAsync("lang-zh", 3, column, p => p.Language = "zh");
        var english = await factory.FollowersAsync("lang-en", 2, column, p => p.Language = "en");
        var unknown = await factory.FollowersAsync("lang-none", 2, column);

        // The composer starts with the story's language.
        var author = await factory.CreateUserAsync($"lang-{Guid.NewGuid():N}"[..18] + "@test.local", Roles.Editor, Roles.Reader);
        var draft = await factory.InScopeAsync(async sp => (await sp.GetRequiredService<CampaignWorkflow>().CreateDraftAsync(article, CampaignFactory.Principal(author, Roles.Editor), None)).Campaign!);
        Assert.Equal("zh", draft.Language);

        var filter = new AudienceFilter(PushSegment.ColumnFollowers, [column], [], null, Language: "zh");
        var preview = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignPreview>().PreviewAsync(filter, article, critical: false, factory.Clock.Now.UtcDateTime, None));
        Assert.Equal((5, 5), (preview.Matched, preview.Reached));
        Assert.Equal([("Inbox", 5), ("E-mail", 5)], preview.Channels.Select(c => (c.Channel, c.Readers)));
        var everyLanguage = await factory.InScopeAsync(sp => sp.GetRequiredService<CampaignPreview>().PreviewAsync(filter with { Language = "" }, article, critical: false, factory.Clock.Now.UtcDateTime, None));
        Assert.Equal(7, everyLanguage.Matched);

        var id = await factory.ApprovedPushAsync(article, new CampaignForm { Title = "台风", Segment = PushSegment.ColumnFollowers, TargetIds = [column], Language = "zh" });
        await factory.RunCampaignsAsync();
        var deliveries = await factory.DeliveriesOfPushAsync(id);
        Assert.Equal(chinese.Concat(unknown).Select(r => r.Id).Order(StringComparer.Ordinal), deliveries.Select(d => d.UserId).Order(StringComparer.Ordinal));
        Assert.Equal(5, await InboxReadersOfAsync(chinese.Concat(unknown), "台风"));
        Assert.Equal(0, await InboxReadersOfAsync(english, "台风"));
    }
}
