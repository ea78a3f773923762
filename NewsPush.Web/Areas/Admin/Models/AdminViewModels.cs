using NewsPush.Web.Infrastructure;
using NewsPush.Data.Entities;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Models;

public sealed record UsersViewModel(IReadOnlyList<UserRow> Rows, int Total, int Page, int PageSize, string? Query, string? Message)
{
    /// <summary>The account just locked, which the message offers to unlock again.</summary>
    public string? UndoLockUserId { get; init; }

    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed record AuditViewModel(IReadOnlyList<AuditLogEntry> Rows, int Total, int Page, int PageSize, AuditLogQuery Query)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed record JobsViewModel(IReadOnlyList<JobRow> Jobs, IReadOnlyList<DigestSchedule> Schedules, string? Message);

public sealed record ScheduleEditViewModel(int Id, string Name, string CronExpression, bool IsEnabled, IReadOnlyList<DateTimeOffset> Preview, string? Error);

public sealed record AdminMenuLink(string Title, string Path, string Description);

public sealed record AdminMenuSection(string Title, IReadOnlyList<AdminMenuLink> Links);

/// <summary>Every page of the newsroom and the administration, grouped as the menu at /admin shows them.</summary>
public static class AdminMenu
{
    public static readonly IReadOnlyList<AdminMenuSection> Sections =
    [
        new("People", [
            new("Users", "/admin/users", "Find readers and staff, change roles, lock or delete accounts."),
            new("Audit log", "/admin/audit", "Who did what in the newsroom and the administration, and when."),
        ]),
        new("Pushes and delivery", [
            new("Breaking news", "/editor/pushes", "Compose, review, schedule and follow breaking-news pushes."),
            new("Deliveries", "/admin/deliveries", "Every message on its way to a reader: filter by channel and state, retry failures."),
            new("Broadcasts", "/admin/broadcasts", "Messages to every reader's inbox, outside the breaking-news workflow."),
            new("Chat robots", "/newsroom/robots", "DingTalk, Feishu, WeCom and Slack robots that get the newsroom's stories."),
        ]),
        new("Content", [
            new("Articles", "/editor/articles", "Write, review, schedule and publish stories."),
            new("Columns", "/editor/columns", "Order, rename, hide and create the site's sections."),
            new("Comment moderation", "/editor/moderation", "Reported comments: keep, hide or block their authors."),
        ]),
        new("Analytics", [
            new("Newsroom analytics", "/editor/analytics", "Pushes, digests and columns over 7, 30 or 90 days: deliveries, opens, clicks, unsubscribes."),
            new("All analytics", "/admin/analytics", "Every channel and column, including what readers of each column also read."),
            new("Recommender effect", "/admin/analytics/recommender", "For you against Latest click-through, by model version over time."),
        ]),
        new("System", [
            new("Recommender models", "/admin/models", "Trained model versions, their scores against the baselines, which one is live."),
            new("Jobs and schedules", "/admin/jobs", "Digest schedules, background jobs and their last runs."),
        ]),
    ];
}
