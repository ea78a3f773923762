using System.Text.Json.Serialization;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Analytics;

/// <summary>Which content a report covers: the newsroom's (digests, breaking pushes, robots' column digests) or everything (admins).</summary>
public enum AnalyticsScope { Newsroom = 0, All = 1 }

/// <summary>One channel's funnel: queued → sent → delivered → opened → clicked, with failures; unique and total opens/clicks.</summary>
public sealed record ChannelFunnel(
    [property: JsonConverter(typeof(JsonStringEnumConverter<DeliveryChannel>))] DeliveryChannel Channel, long Queued, long Sent, long Failed, long Delivered,
    long OpenedUnique, long OpenedTotal, long ClickedUnique, long ClickedTotal)
{
    /// <summary>Unique opens per sent delivery (0 when nothing was sent).</summary>
    public double OpenRate => Sent == 0 ? 0 : Math.Round((double)OpenedUnique / Sent, 4);

    public double ClickRate => Sent == 0 ? 0 : Math.Round((double)ClickedUnique / Sent, 4);
}

/// <summary>A day of the overview, in the viewer's zone.</summary>
public sealed record DayPoint(DateOnly Date, long Sent, long Failed, long OpenedUnique, long ClickedUnique);

public sealed record OverviewReport(
    int Days, AnalyticsScope Scope, string TimeZone, DateTime FromUtc, DateTime ToUtc,
    int Pushes, int DigestRuns, long Unsubscribes, IReadOnlyList<ChannelFunnel> Channels, IReadOnlyList<DayPoint> Series)
{
    public long Deliveries => Channels.Sum(c => c.Queued);

    public long Failures => Channels.Sum(c => c.Failed);
}

/// <summary>Hours since sending: what happened in the hour starting this many hours after the push started.</summary>
public sealed record HourPoint(int Hour, string LocalTime, long Sent, long OpenedUnique, long ClickedUnique);

public sealed record ArticleClicks(int ArticleId, string Title, long ClickedUnique, long ClickedTotal);

/// <summary>One push or one digest run: its funnel by channel, over time since sending, the articles clicked.</summary>
public sealed record ContentReport(
    DeliveryContentKind Kind, long ContentId, string Title, string? StartedAt, string TimeZone,
    IReadOnlyList<ChannelFunnel> Channels, IReadOnlyList<HourPoint> Timeline, IReadOnlyList<ArticleClicks> Articles);

public sealed record ColumnDay(DateOnly Date, long Impressions, long Clicks, long Readers);

public sealed record AlsoRead(int ColumnId, string Name, long Readers);

public sealed record ColumnReport(
    int ColumnId, string Name, int Days, string TimeZone, long Readers, long Impressions, long Clicks, double ClickThrough,
    double AverageDwellSeconds, long Follows, IReadOnlyList<ColumnDay> Series, IReadOnlyList<AlsoRead> AlsoRead);

/// <summary>A list ("foryou", "latest") under one model version: impressions, clicks and click-through.</summary>
public sealed record RecommenderRow(int ModelVersionId, string ModelVersion, string Source, long Impressions, long Clicks)
{
    public double ClickThrough => Impressions == 0 ? 0 : Math.Round((double)Clicks / Impressions, 4);
}

public sealed record RecommenderDay(DateOnly Date, string Source, long Impressions, long Clicks)
{
    public double ClickThrough => Impressions == 0 ? 0 : Math.Round((double)Clicks / Impressions, 4);
}

public sealed record RecommenderReport(int Days, string TimeZone, IReadOnlyList<RecommenderRow> Versions, IReadOnlyList<RecommenderDay> Series);

/// <summary>A push or digest run in the lists of the overview page.</summary>
public sealed record ContentSummary(DeliveryContentKind Kind, long ContentId, string Title, long Sent, long OpenedUnique, long ClickedUnique);
