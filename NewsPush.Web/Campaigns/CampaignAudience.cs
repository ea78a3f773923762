using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using System.Globalization;
using NewsPush.Web.Inbox;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Campaigns;

/// <summary>
/// Who a push is for, before preferences: the segment (for predicted interest: the top share or the minimum score), its
/// columns or tags, the zones, the language, and who was pushed lately.
/// </summary>
public sealed record AudienceFilter(PushSegment Segment, IReadOnlyList<int> TargetIds, IReadOnlyList<string> TimeZones, int? ExcludePushedWithinHours,
    string Language = "", double? TopPercent = null, double? Threshold = null)
{
    public static AudienceFilter Of(PushCampaign c) =>
        new(c.Segment, Ids(c.TargetIds), Zones(c.TimeZoneFilter), c.ExcludePushedWithinHours, c.Language, c.PredictedTopPercent, c.PredictedThreshold);

    public static IReadOnlyList<int> Ids(string csv) =>
        csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.TryParse(s, out var i) ? i : 0).Where(i => i > 0).Distinct().ToList();

    public static IReadOnlyList<string> Zones(string csv) => csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
}

/// <summary>
/// The readers a push goes to, by the one rule of <see cref="BroadcastAudience"/>: the push's inbox part (a broadcast,
/// stored when it starts sending) holds the audience, and the same rule gives the fan-out its readers for every other
/// channel and the preview its counts. Preferences, the cap and quiet hours are the planner's.
/// </summary>
public sealed class CampaignAudience(BroadcastAudience rule, IInterestPredictor predictor)
{
    /// <summary>Member rows per insert call when a predicted audience is stored (all in the transaction that stores the inbox part).</summary>
    public const int MemberBatchSize = 10_000;

    /// <summary>The push's inbox part as it is stored when the push starts at <paramref name="at"/>: its audience fixed.</summary>
    public static Broadcast InboxPart(AudienceFilter f, int articleColumnId, DateTime at, long? campaignId = null) => new()
    {
        CampaignId = campaignId, CreatedAt = at, AudienceColumnId = articleColumnId,
        AudienceSegment = f.Segment is PushSegment.ColumnFollowers or PushSegment.TagFollowers or PushSegment.PredictedInterested ? f.Segment : PushSegment.Everyone,
        AudienceTargets = f.Segment is PushSegment.ColumnFollowers or PushSegment.TagFollowers ? Between(f.TargetIds.Select(i => i.ToString(CultureInfo.InvariantCulture))) : "",
        AudienceZones = Between(f.TimeZones),
        AudienceLanguage = f.Language,
        ExcludePushedSince = f.ExcludePushedWithinHours is { } hours and > 0 ? at.AddHours(-hours) : null,
    };

    /// <summary>
    /// In one pass over the audience: readers with any channel on, readers whose inbox shows the push, readers with a
    /// channel that interrupts (those the fan-out plans).
    /// </summary>
    /// <remarks>
    /// <paramref name="from"/> (inclusive) and <paramref name="until"/> (exclusive) bound the reader ids, in ordinal
    /// order, so that a large audience can be counted in ranges side by side.
    /// </remarks>
    public async Task<(int Matched, int Inbox, int Interruptible)> CountAsync(Broadcast part, CancellationToken ct, string? from = null, string? until = null)
    {
        var interrupting = AudiencePlanner.HasInterruptingChannel;
        var readers = rule.Readers(part);
        if (from is not null)
        {
            readers = readers.Where(p => string.Compare(p.UserId, from) >= 0);
        }
        if (until is not null)
        {
            readers = readers.Where(p => string.Compare(p.UserId, until) < 0);
        }
        var counts = await readers.Where(AudiencePlanner.HasAnyChannel).GroupBy(_ => 1)
            .Select(g => new { Matched = g.Count(), Inbox = g.Count(p => p.InboxEnabled), Interruptible = g.Count(p => interrupting.Invoke(p)) })
            .Inline().SingleOrDefaultAsync(ct);
        return counts is null ? (0, 0, 0) : (counts.Matched, counts.Inbox, counts.Interruptible);
    }

    /// <summary>Readers in the audience whose inbox shows the push: the inbox part's readers.</summary>
    public Task<int> InboxReadersAsync(Broadcast part, CancellationToken ct) => rule.Readers(part).CountAsync(p => p.InboxEnabled, ct);

    /// <summary>The next <paramref name="size"/> readers the fan-out plans after <paramref name="after"/>, in ordinal order of id: the batches preview and fan-out both walk.</summary>
    public Task<List<string>> NextBatchAsync(Broadcast part, string? after, int size, CancellationToken ct)
    {
        // Always a range on the id, from "" at the start: it makes the database walk the readers in id order (without it,
        // SQLite starts from the join date's index and sorts the whole audience for each batch).
        var from = after ?? "";
        return rule.Readers(part).Where(AudiencePlanner.HasInterruptingChannel).Select(p => p.UserId)
            .Where(id => string.Compare(id, from) > 0).OrderBy(id => id).Take(size).ToListAsync(ct);
    }

    /// <summary>The first <paramref name="size"/> readers in the audience with any channel on, and whether their inbox is on.</summary>
    public async Task<List<(string UserId, bool Inbox)>> FirstAsync(Broadcast part, int size, CancellationToken ct) =>
        (await rule.Readers(part).Where(AudiencePlanner.HasAnyChannel).Where(p => string.Compare(p.UserId, "") > 0).OrderBy(p => p.UserId).Take(size).Select(p => new { p.UserId, p.InboxEnabled }).ToListAsync(ct))
            .Select(p => (p.UserId, p.InboxEnabled)).ToList();

    /// <summary>
    /// A predicted audience, before it is stored: every reader the rest of the filter lets in (with a channel on) scored by
    /// the active model for the article, then the top share or those at or above the minimum score. The members come in
    /// the order the database walks the audience (reader id), so the preview plans the same first readers the fan-out
    /// will. Null when no model can score the article. <paramref name="limit"/>: score only the first so many (the preview's sample).
    /// </summary>
    public async Task<PredictedAudience?> PredictAsync(AudienceFilter f, int articleId, Broadcast part, CancellationToken ct, int limit = int.MaxValue)
    {
        var everyone = Eligible(part);
        var interrupting = AudiencePlanner.HasInterruptingChannel;
        var eligible = await rule.Readers(everyone).Where(AudiencePlanner.HasAnyChannel).Where(p => string.Compare(p.UserId, "") > 0).OrderBy(p => p.UserId)
            .Select(p => new { p.UserId, p.InboxEnabled, Interruptible = interrupting.Invoke(p) }).Take(limit).Inline().ToListAsync(ct);
        if (await predictor.PredictAsync(articleId, eligible.Select(e => e.UserId).ToList(), ct) is not { } scores)
        {
            return null;
        }
        var members = Choose(scores.Scores, f.TopPercent, f.Threshold)
            .Select(i => new PredictedReader(eligible[i].UserId, eligible[i].InboxEnabled, eligible[i].Interruptible, scores.Scores[i])).ToList();
        return new PredictedAudience(scores.ModelVersion, eligible.Count, members, ScoreGuide.Of(scores.Scores));
    }

    /// <summary>The predicted audience's readers before the model: those the rest of the filter lets in, as <see cref="CountAsync"/> counts them.</summary>
    public static Broadcast Eligible(Broadcast part) => new()
    {
        CampaignId = part.CampaignId, CreatedAt = part.CreatedAt, AudienceColumnId = part.AudienceColumnId, AudienceSegment = PushSegment.Everyone,
        AudienceZones = part.AudienceZones, AudienceLanguage = part.AudienceLanguage, ExcludePushedSince = part.ExcludePushedSince,
    };

    /// <summary>
    /// Which of the scored readers are in: the ceiling of <paramref name="topPercent"/> % of them by score (ties: the
    /// earlier reader), or every one scoring at least <paramref name="threshold"/>. Indexes in ascending order.
    /// </summary>
    public static List<int> Choose(IReadOnlyList<float> scores, double? topPercent, double? threshold)
    {
        if (topPercent is { } percent)
        {
            var take = (int)Math.Min(scores.Count, Math.Ceiling(scores.Count * Math.Clamp(percent, 0, 100) / 100));
            return Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(take).Order().ToList();
        }
        var min = threshold ?? double.NegativeInfinity;
        return Enumerable.Range(0, scores.Count).Where(i => scores[i] >= min).ToList();
    }

    private static string Between(IEnumerable<string> values) => values.ToList() is { Count: > 0 } list ? "," + string.Join(',', list) + "," : "";

    /// <summary>Why a reader qualifies, in words, for the preview's samples (a predicted reader's score is added by the preview).</summary>
    public static string Reason(AudienceFilter f, string columnName) => f.Segment switch
    {
        PushSegment.ColumnFollowers => "follows the chosen column" + (f.TargetIds.Count > 1 ? "s" : ""),
        PushSegment.TagFollowers => "follows a chosen tag",
        PushSegment.PredictedInterested => f.TopPercent is { } top ? $"in the top {top:0.##} % by predicted interest" : $"predicted interest at least {f.Threshold:0.###}",
        _ => $"is a reader who wants {columnName} or chose no topics",
    } + (f.TimeZones.Count > 0 ? ", in a chosen time zone" : "") + (f.Language.Length > 0 ? $", reads {f.Language} or no language known" : "")
        + (f.ExcludePushedWithinHours is > 0 ? $", no breaking push in the last {f.ExcludePushedWithinHours} h" : "");
}

/// <summary>A reader of a predicted audience: their channels as the planner sees them, and the model's score.</summary>
public sealed record PredictedReader(string UserId, bool Inbox, bool Interruptible, float Score);

/// <summary>A predicted audience: the model that scored it, the readers scored (<see cref="Eligible"/>) and those chosen, in reader id order.</summary>
public sealed record PredictedAudience(string ModelVersion, int Eligible, IReadOnlyList<PredictedReader> Members, IReadOnlyList<ScoreAtShare> Guide);

/// <summary>The lowest score of the top <see cref="TopPercent"/> % of the scored readers: what a minimum score would take.</summary>
public sealed record ScoreAtShare(double TopPercent, float Score);

/// <summary>
/// The model's scores are raw ranking scores, comparable within one model version only: the composer shows where the top
/// 1, 10 and 50 % of the scored readers begin, so an editor can choose a minimum score that means something.
/// </summary>
public static class ScoreGuide
{
    public static readonly double[] Shares = [1, 10, 50];

    public static IReadOnlyList<ScoreAtShare> Of(IReadOnlyList<float> scores)
    {
        if (scores.Count == 0)
        {
            return [];
        }
        var sorted = scores.OrderDescending().ToArray();
        return Shares.Select(top => new ScoreAtShare(top, sorted[(int)Math.Max(0, Math.Ceiling(sorted.Length * top / 100) - 1)])).ToList();
    }
}
