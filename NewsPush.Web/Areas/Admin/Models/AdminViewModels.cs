using NewsPush.Web.Infrastructure;
using NewsPush.Data.Entities;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Models;

public sealed record UsersViewModel(IReadOnlyList<UserRow> Rows, int Total, int Page, int PageSize, string? Query, string? Message)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed record AuditViewModel(IReadOnlyList<AuditLogEntry> Rows, int Total, int Page, int PageSize, AuditLogQuery Query)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed record JobsViewModel(IReadOnlyList<JobRow> Jobs, IReadOnlyList<DigestSchedule> Schedules, string? Message);

public sealed record ScheduleEditViewModel(int Id, string Name, string CronExpression, bool IsEnabled, IReadOnlyList<DateTimeOffset> Preview, string? Error);
