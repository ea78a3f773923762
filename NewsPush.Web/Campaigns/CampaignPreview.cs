using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Push;

namespace NewsPush.Web.Campaigns;

public sealed record ChannelCount(string Channel, int Readers, int Endpoints);

public sealed record SampleReader(string Name, string TimeZone, string Why, IReadOnlyList<string> Channels, DateTime? WaitsUntil);

/// <summary>
/// What a push would do now: readers matched by the audience, those it reaches, per channel (readers and endpoints:
/// browsers, devices), those the weekly cap leaves out, those whose quiet hours hold it, and a few sample readers.
/// </summary>
public sealed record AudiencePreview(int Matched, int Reached, int Skipped, int Waiting, IReadOnlyList<ChannelCount> Channels, IReadOnlyList<SampleReader> Samples);

/// <summary>Plans the audience exactly as the fan-out will (the same planner, in the same batches), without writing.</summary>
public sealed class CampaignPreview(NewsPushDbContext db, CampaignAudience audience, AudiencePlanner planner)
{
    public const int SampleCount = 5;

    public async Task<AudiencePreview> PreviewAsync(AudienceFilter filter, int articleId, bool critical, DateTime now, CancellationToken ct, int batchSize = 2000)
    {
        var article = await db.Articles.AsNoTracking().Where(a => a.Id == articleId).Select(a => new { a.ColumnId, Column = a.Column!.Name }).SingleAsync(ct);
        var readers = new Dictionary<DeliveryChannel, int>();
        var endpoints = new Dictionary<DeliveryChannel, int>();
        int matched = 0, reached = 0, skipped = 0, waiting = 0;
        var samples = new List<(string UserId, ReaderPlan Plan)>();
        string? cursor = null;
        while (true)
        {
            var batch = await audience.NextBatchAsync(filter, article.ColumnId, now, cursor, batchSize, ct);
            if (batch.Count == 0)
            {
                break;
            }
            cursor = batch[^1];
            matched += batch.Count;
            var plans = await planner.PlanAsync(batch, now, respectQuietHours: !critical, ct, DeliveryContentKind.Breaking);
            foreach (var plan in plans.Values)
            {
                if (plan.IsSkipped)
                {
                    skipped++;
                    continue;
                }
                reached++;
                if (plan.NotBefore is not null)
                {
                    waiting++;
                }
                foreach (var g in plan.Endpoints.GroupBy(e => e.Channel))
                {
                    readers[g.Key] = readers.GetValueOrDefault(g.Key) + 1;
                    endpoints[g.Key] = endpoints.GetValueOrDefault(g.Key) + g.Count();
                }
                if (samples.Count < SampleCount)
                {
                    samples.Add((plan.UserId, plan));
                }
            }
            if (batch.Count < batchSize)
            {
                break;
            }
        }
        var ids = samples.Select(s => s.UserId).ToList();
        var people = await db.ReaderPreferences.AsNoTracking().Where(p => ids.Contains(p.UserId))
            .Select(p => new { p.UserId, p.User!.DisplayName, p.TimeZoneId }).ToDictionaryAsync(p => p.UserId, ct);
        var why = CampaignAudience.Reason(filter, article.Column);
        return new AudiencePreview(matched, reached, skipped, waiting,
            readers.OrderBy(r => r.Key).Select(r => new ChannelCount(ChannelName(r.Key), r.Value, endpoints[r.Key])).ToList(),
            samples.Select(s => new SampleReader(people[s.UserId].DisplayName, people[s.UserId].TimeZoneId, why,
                s.Plan.Endpoints.Select(e => ChannelName(e.Channel)).Distinct().ToList(), s.Plan.NotBefore)).ToList());
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
