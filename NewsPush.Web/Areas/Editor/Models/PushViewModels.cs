using System.Globalization;
using NewsPush.Data.Entities;
using NewsPush.Web.Campaigns;

namespace NewsPush.Web.Areas.Editor.Models;

/// <summary>What the composer posts; the columns and the tags are separate lists, the chosen segment decides which one counts.</summary>
public sealed class PushFormModel
{
    public string Title { get; set; } = "";
    public string? Message { get; set; } = "";
    public bool IsCritical { get; set; }
    public PushSegment Segment { get; set; }
    public List<int> ColumnIds { get; set; } = [];
    public List<int> TagIds { get; set; } = [];
    /// <summary>IANA zones, separated by commas or spaces; empty: every zone.</summary>
    public string? TimeZones { get; set; } = "";
    public int? ExcludePushedWithinHours { get; set; }
    /// <summary>Predicted interest: "top" (<see cref="PredictedTopPercent"/>) or "threshold" (<see cref="PredictedThreshold"/>).</summary>
    public string? PredictedBy { get; set; } = "top";
    public double? PredictedTopPercent { get; set; } = 10;
    public double? PredictedThreshold { get; set; }
    /// <summary>A language code ("en", "zh"); empty: every language.</summary>
    public string? Language { get; set; } = "";
    public string When { get; set; } = "now";
    public DateTime? SendAt { get; set; }
    public string? Cron { get; set; }

    public IReadOnlyList<string> ZoneList =>
        (TimeZones ?? "").Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

    public IReadOnlyList<int> TargetIds => Segment switch
    {
        PushSegment.ColumnFollowers => ColumnIds,
        PushSegment.TagFollowers => TagIds,
        _ => [],
    };

    public CampaignForm ToForm() => new()
    {
        Title = Title ?? "", Message = Message ?? "", IsCritical = IsCritical, Segment = Segment, TargetIds = [.. TargetIds], TimeZones = [.. ZoneList],
        ExcludePushedWithinHours = ExcludePushedWithinHours, When = When ?? "now", SendAt = SendAt, Cron = Cron, Language = Language,
        PredictedTopPercent = PredictedBy == "threshold" ? null : PredictedTopPercent, PredictedThreshold = PredictedBy == "threshold" ? PredictedThreshold : null,
    };

    public AudienceFilter ToFilter() => new(Segment, TargetIds, ZoneList, ExcludePushedWithinHours, CampaignWorkflow.LanguageCode(Language) ?? "",
        PredictedBy == "threshold" ? null : PredictedTopPercent ?? 10, PredictedBy == "threshold" ? PredictedThreshold ?? 0 : null);

    public static PushFormModel Of(PushCampaign c, TimeZoneInfo newsroom)
    {
        var targets = AudienceFilter.Ids(c.TargetIds);
        return new PushFormModel
        {
            Title = c.Title, Message = c.Message, IsCritical = c.IsCritical, Segment = c.Segment,
            ColumnIds = c.Segment == PushSegment.ColumnFollowers ? [.. targets] : [],
            TagIds = c.Segment == PushSegment.TagFollowers ? [.. targets] : [],
            TimeZones = c.TimeZoneFilter.Replace(",", ", ", StringComparison.Ordinal), ExcludePushedWithinHours = c.ExcludePushedWithinHours,
            PredictedBy = c.PredictedThreshold is not null && c.PredictedTopPercent is null ? "threshold" : "top",
            PredictedTopPercent = c.PredictedTopPercent ?? 10, PredictedThreshold = c.PredictedThreshold, Language = c.Language,
            When = c.Cron is not null ? "recurring" : c.ScheduledAt is not null ? "at" : "now",
            SendAt = c.ScheduledAt is { } at ? TimeZoneInfo.ConvertTimeFromUtc(at, newsroom) : null, Cron = c.Cron,
        };
    }
}

public sealed record PushListRow(long Id, CampaignStatus Status, string Title, int ArticleId, string ArticleTitle, string? AuthorName, bool WrittenByViewer,
    bool IsCritical, DateTime? WhenUtc, string WhenLabel);

public sealed record PushListViewModel(
    IReadOnlyList<PushListRow> Rows, int Total, int Page, int PageSize, CampaignStatus? Status, string? ArticleQuery,
    IReadOnlyList<Option> ArticleMatches, TimeZoneInfo Zone, string? Message)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>The composer (a draft) and the review page (anything else) share this.</summary>
public sealed class PushPageViewModel
{
    public required PushCampaign Campaign { get; init; }
    public required PushFormModel Form { get; init; }
    public required string ArticleTitle { get; init; }
    public required string ArticleSlug { get; init; }
    public required string ColumnName { get; init; }
    public string? AuthorName { get; init; }
    public string? ApproverName { get; init; }
    public string? CancelledByName { get; init; }
    public bool WrittenByViewer { get; init; }
    public bool ViewerIsAdmin { get; init; }
    public IReadOnlyList<Option> Columns { get; init; } = [];
    public IReadOnlyList<Option> Tags { get; init; } = [];
    /// <summary>The languages articles are written in, offered by the composer's language filter.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];
    public IReadOnlyList<DateTime> NextRuns { get; init; } = [];
    public AudiencePreview? Audience { get; init; }
    public CampaignProgress? Progress { get; init; }
    public required TimeZoneInfo Zone { get; init; }
    public string? Message { get; init; }
    public string? Error { get; init; }

    public string TargetNames => string.Join(", ", (Campaign.Segment == PushSegment.ColumnFollowers ? Columns : Tags)
        .Where(o => AudienceFilter.Ids(Campaign.TargetIds).Contains(int.Parse(o.Value, CultureInfo.InvariantCulture))).Select(o => o.Text));
}

public static class PushLabels
{
    public static string Status(CampaignStatus s) => s switch
    {
        CampaignStatus.PendingApproval => "In review",
        _ => s.ToString(),
    };

    public static string Badge(CampaignStatus s) => s switch
    {
        CampaignStatus.Draft => "text-bg-secondary",
        CampaignStatus.PendingApproval => "text-bg-warning",
        CampaignStatus.Approved or CampaignStatus.Scheduled => "text-bg-info",
        CampaignStatus.Sending => "text-bg-primary",
        CampaignStatus.Sent => "text-bg-success",
        _ => "text-bg-dark",
    };

    /// <summary>A UTC instant as newsroom time, naming the zone.</summary>
    public static string Newsroom(DateTime? utc, TimeZoneInfo zone) =>
        utc is { } u ? TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(u, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + zone.Id : "–";

    public static string Segment(PushSegment s) => s switch
    {
        PushSegment.ColumnFollowers => "Followers of columns",
        PushSegment.TagFollowers => "Followers of tags",
        PushSegment.PredictedInterested => "Predicted interested",
        _ => "Everyone",
    };
}
