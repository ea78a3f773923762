using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using Microsoft.Extensions.Options;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;
using System.Globalization;

namespace NewsPush.Web.Campaigns;

public sealed record ChannelCount(string Channel, int Readers, int Endpoints);

public sealed record SampleReader(string Name, string TimeZone, string Why, IReadOnlyList<string> Channels, DateTime? WaitsUntil);

/// <summary>
/// What a push would do now: readers matched by the audience, those it reaches, per channel (readers and endpoints:
/// browsers, devices), those the weekly cap leaves out of every channel that interrupts (the inbox never does, and is
/// never capped), those whose quiet hours hold it, and a few sample readers.
/// <see cref="Estimated"/>: the per-channel figures come from the first <see cref="Planned"/> readers the fan-out would
/// plan (ids are random, so they are a fair sample), scaled to all; matched and inbox readers are always exact.
/// <see cref="Unavailable"/>: why there is no preview (predicted interest with no model to score); <see cref="Scored"/>:
/// readers the model scored for a predicted audience, of the <see cref="Eligible"/> the rest of the filter lets in — all of
/// them, or a sample (<see cref="CampaignOptions.PreviewScoreSampleSize"/>) from which the predicted audience's
/// matched, reached and inbox figures are estimated too (<see cref="CountsEstimated"/>).
/// </summary>
public sealed record AudiencePreview(int Matched, int Reached, int Skipped, int Waiting, IReadOnlyList<ChannelCount> Channels, IReadOnlyList<SampleReader> Samples,
    bool Estimated = false, int Planned = 0, string? Unavailable = null, int? Scored = null, int? Eligible = null, IReadOnlyList<ScoreAtShare>? ScoreGuide = null)
{
    public bool CountsEstimated => Scored < Eligible;

    public static AudiencePreview None(string why) => new(0, 0, 0, 0, [], [], Unavailable: why);
}

/// <summary>
/// Plans the audience as the fan-out will (the same rule, the same planner, in the same batches), without writing: the
/// inbox part by one count, every other channel by planning each reader — at most <see cref="CampaignOptions.PreviewSampleSize"/>
/// of them, so a preview of a million readers takes as long as one of ten thousand.
/// </summary>
public sealed class CampaignPreview(
    NewsPushDbContext db, CampaignAudience audience, AudiencePlanner planner, IInterestPredictor predictor, IServiceScopeFactory scopes, IOptions<CampaignOptions> options)
{
    public const int SampleCount = 5;

    public async Task<AudiencePreview> PreviewAsync(AudienceFilter filter, int articleId, bool critical, DateTime now, CancellationToken ct, int batchSize = 2000)
    {
        var article = await db.Articles.AsNoTracking().Where(a => a.Id == articleId).Select(a => new { a.ColumnId, Column = a.Column!.Name }).SingleAsync(ct);
        var part = CampaignAudience.InboxPart(filter, article.ColumnId, now);
        // A predicted audience is a set the fan-out stores when it starts; here it is the same set, held in memory.
        PredictedAudience? predicted = null;
        Task<(int Matched, int Inbox, int Interruptible)> counting;
        int? eligible = null;
        if (filter.Segment == PushSegment.PredictedInterested)
        {
            if (await predictor.WhyUnavailableAsync(articleId, ct) is { } why)
            {
                return AudiencePreview.None(why);
            }
            // The model scores the first readers the rest of the filter lets in (ids are random: a fair sample) while the
            // readers it would score are counted on a connection of their own; the fan-out scores them all.
            var scoreSample = Math.Max(1, options.Value.PreviewScoreSampleSize);
            var everyone = CountAsync(CampaignAudience.Eligible(part), ct);
            if ((predicted = await audience.PredictAsync(filter, articleId, part, ct, scoreSample)) is null)
            {
                await everyone;
                return AudiencePreview.None(ActiveModelInterestPredictor.NoModel);
            }
            var members = predicted.Members;
            (int, int, int) chosen = (members.Count, members.Count(m => m.Inbox), members.Count(m => m.Interruptible));
            if (predicted.Eligible >= scoreSample)
            {
                eligible = (await everyone).Matched;
                var share = (double)eligible.Value / Math.Max(1, predicted.Eligible);
                int Share(int n) => (int)Math.Round(n * share);
                // The top share of all of them is a known number; a minimum score's is the sample's share above it.
                var topShare = filter.TopPercent is { } top ? (int)Math.Min(eligible.Value, Math.Ceiling(eligible.Value * Math.Clamp(top, 0, 100) / 100)) : Share(chosen.Item1);
                chosen = (topShare, Math.Min(topShare, Share(chosen.Item2)), Math.Min(topShare, Share(chosen.Item3)));
            }
            else
            {
                eligible = predicted.Eligible;
                await everyone;
            }
            counting = Task.FromResult(chosen);
        }
        else
        {
            // The pass over the whole audience runs on a connection of its own while this one plans the sample.
            counting = CountAsync(part, ct);
        }
        var interruptibleMembers = predicted?.Members.Where(m => m.Interruptible).Select(m => m.UserId).ToList();
        var limit = Math.Max(1, options.Value.PreviewSampleSize);

        var readers = new Dictionary<DeliveryChannel, int>();
        var endpoints = new Dictionary<DeliveryChannel, int>();
        int planned = 0, reachedWithoutInbox = 0, skipped = 0, waiting = 0;
        var inboxOn = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        while (planned < limit)
        {
            var want = Math.Min(batchSize, limit - planned);
            var batch = interruptibleMembers is null ? await audience.NextBatchAsync(part, cursor, want, ct) : interruptibleMembers.Skip(planned).Take(want).ToList();
            if (batch.Count == 0)
            {
                break;
            }
            cursor = batch[^1];
            planned += batch.Count;
            var last = batch.Count < want;
            inboxOn.UnionWith(await db.ReaderPreferences.AsNoTracking().Where(p => batch.Contains(p.UserId) && p.InboxEnabled).Select(p => p.UserId).ToListAsync(ct));
            var plans = await planner.PlanAsync(batch, now, respectQuietHours: !critical, ct, DeliveryContentKind.Breaking, inbox: false);
            foreach (var plan in plans.Values)
            {
                if (plan.IsSkipped)
                {
                    skipped++;
                    continue;
                }
                reachedWithoutInbox += inboxOn.Contains(plan.UserId) ? 0 : 1;
                waiting += plan.NotBefore is null ? 0 : 1;
                foreach (var g in plan.Endpoints.GroupBy(e => e.Channel))
                {
                    readers[g.Key] = readers.GetValueOrDefault(g.Key) + 1;
                    endpoints[g.Key] = endpoints.GetValueOrDefault(g.Key) + g.Count();
                }
            }
            if (last)
            {
                break;
            }
        }
        var (matched, inboxReaders, interruptible) = await counting;
        var estimated = planned < interruptible;
        var scale = planned == 0 ? 0 : (double)interruptible / planned;
        int Scaled(int n) => estimated ? (int)Math.Round(n * scale) : n;

        var channels = new List<ChannelCount>();
        if (inboxReaders > 0)
        {
            channels.Add(new ChannelCount(ChannelName(DeliveryChannel.Inbox), inboxReaders, inboxReaders));
        }
        channels.AddRange(readers.OrderBy(r => r.Key).Select(r => new ChannelCount(ChannelName(r.Key), Scaled(r.Value), Scaled(endpoints[r.Key]))));
        var reached = Math.Min(matched, inboxReaders + Scaled(reachedWithoutInbox));
        return new AudiencePreview(matched, reached, Scaled(skipped), Scaled(waiting), channels,
            await SamplesAsync(part, filter, predicted, article.Column, critical, now, ct), estimated, planned, Scored: predicted?.Eligible, Eligible: eligible, ScoreGuide: predicted?.Guide);
    }

    /// <summary>
    /// The one pass over the whole audience, split into ranges of reader ids counted side by side, each on a connection
    /// of its own (one per core: the pass is CPU-bound in the database). Account ids are GUIDs in hex, so the ranges
    /// split at hex digits are of about equal size; any other ids are still counted exactly, in unequal ranges.
    /// </summary>
    private async Task<(int Matched, int Inbox, int Interruptible)> CountAsync(Broadcast part, CancellationToken ct)
    {
        var ranges = CountRanges(options.Value.PreviewCountParallelism > 0 ? options.Value.PreviewCountParallelism : Environment.ProcessorCount);
        var counts = await Task.WhenAll(ranges.Select(async r =>
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<CampaignAudience>().CountAsync(part, ct, r.From, r.Until);
        }));
        return (counts.Sum(c => c.Matched), counts.Sum(c => c.Inbox), counts.Sum(c => c.Interruptible));
    }

    /// <summary><paramref name="n"/> (1–16) ranges of ids that together hold every string: null bounds at both ends, split at hex digits.</summary>
    public static IReadOnlyList<(string? From, string? Until)> CountRanges(int n)
    {
        n = Math.Clamp(n, 1, 16);
        var cuts = Enumerable.Range(1, n - 1).Select(i => "0123456789abcdef"[i * 16 / n].ToString()).ToList();
        return Enumerable.Range(0, n).Select(i => (i == 0 ? null : cuts[i - 1], i == n - 1 ? null : cuts[i])).ToList();
    }

    /// <summary>The first few readers of the audience, with the channels that would reach them and why they qualify.</summary>
    private async Task<IReadOnlyList<SampleReader>> SamplesAsync(Broadcast part, AudienceFilter filter, PredictedAudience? predicted, string columnName, bool critical,
        DateTime now, CancellationToken ct)
    {
        var first = predicted is null ? await audience.FirstAsync(part, SampleCount * 4, ct)
            : predicted.Members.Take(SampleCount * 4).Select(m => (m.UserId, m.Inbox)).ToList();
        var scores = predicted?.Members.Take(SampleCount * 4).ToDictionary(m => m.UserId, m => m.Score);
        var ids = first.Select(f => f.UserId).ToList();
        var plans = await planner.PlanAsync(ids, now, respectQuietHours: !critical, ct, DeliveryContentKind.Breaking, inbox: false);
        var people = await db.ReaderPreferences.AsNoTracking().Where(p => ids.Contains(p.UserId))
            .Select(p => new { p.UserId, p.User!.DisplayName, p.TimeZoneId }).ToDictionaryAsync(p => p.UserId, ct);
        var why = CampaignAudience.Reason(filter, columnName);
        var samples = new List<SampleReader>(SampleCount);
        foreach (var (userId, inbox) in first)
        {
            var plan = plans.GetValueOrDefault(userId);
            var channels = (inbox ? [ChannelName(DeliveryChannel.Inbox)] : new List<string>())
                .Concat(plan?.Endpoints.Select(e => ChannelName(e.Channel)).Distinct() ?? []).ToList();
            if (channels.Count > 0 && samples.Count < SampleCount)
            {
                var reason = scores is null ? why : $"predicted interest {scores[userId].ToString("0.###", CultureInfo.InvariantCulture)} (model {predicted!.ModelVersion}): " + why;
                samples.Add(new SampleReader(people[userId].DisplayName, people[userId].TimeZoneId, reason, channels, plan?.NotBefore));
            }
        }
        return samples;
    }

    public static string ChannelName(DeliveryChannel c) => c switch
    {
        DeliveryChannel.Inbox => "Inbox",
        DeliveryChannel.Email => "E-mail",
        DeliveryChannel.WebPush => "Browsers",
        DeliveryChannel.Fcm => "Android app",
        DeliveryChannel.Apns => "iOS app",
        DeliveryChannel.Webhook => "Webhooks",
        _ => c.ToString(),
    };
}
