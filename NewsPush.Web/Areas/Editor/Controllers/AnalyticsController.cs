using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Data.Entities;
using NewsPush.Web.Analytics;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Editor.Controllers;

/// <summary>Newsroom analytics: the overview, one push, one digest run, one column. Readers are turned away by the policy.</summary>
[Area("Editor"), Authorize(Policy = NewsroomServiceCollectionExtensions.EditorPolicy), Route("editor/analytics")]
public sealed class AnalyticsController(AnalyticsQueries queries, ReaderTime time) : Controller
{
    public const string OverviewView = "~/Areas/Editor/Views/Analytics/Overview.cshtml";

    [HttpGet("")]
    public async Task<IActionResult> Index(int days = 7, CancellationToken ct = default)
    {
        var zone = await time.ZoneAsync();
        var report = await queries.OverviewAsync(days, AnalyticsScope.Newsroom, zone, ct);
        var columns = await queries.ColumnsAsync(ct);
        return View(OverviewView, new AnalyticsOverviewViewModel(report, await queries.RecentAsync(report.Days, zone, ct), columns, "/editor/analytics", $"/api/analytics/overview?days={report.Days}"));
    }

    [HttpGet("pushes/{id:long}")]
    public async Task<IActionResult> Push(long id, CancellationToken ct) =>
        await queries.ContentAsync(DeliveryContentKind.Breaking, id, await time.ZoneAsync(), ct) is { } report
            ? View("Content", new AnalyticsContentViewModel(report, $"/api/analytics/pushes/{id}"))
            : NotFound();

    [HttpGet("digest-runs/{run:long}")]
    public async Task<IActionResult> DigestRun(long run, CancellationToken ct) =>
        await queries.ContentAsync(DeliveryContentKind.Digest, run, await time.ZoneAsync(), ct) is { } report
            ? View("Content", new AnalyticsContentViewModel(report, $"/api/analytics/digest-runs/{run}"))
            : NotFound();

    [HttpGet("columns/{id:int}")]
    public async Task<IActionResult> Column(int id, int days = 30, CancellationToken ct = default) =>
        await queries.ColumnAsync(id, days, await time.ZoneAsync(), ct) is { } report
            ? View("Column", new AnalyticsColumnViewModel(report, $"/api/analytics/columns/{id}?days={report.Days}"))
            : NotFound();
}

public sealed record AnalyticsOverviewViewModel(OverviewReport Report, IReadOnlyList<ContentSummary> Recent, IReadOnlyList<(int Id, string Name)> Columns, string BasePath, string ApiUrl);

public sealed record AnalyticsContentViewModel(ContentReport Report, string ApiUrl);

public sealed record AnalyticsColumnViewModel(ColumnReport Report, string ApiUrl);
