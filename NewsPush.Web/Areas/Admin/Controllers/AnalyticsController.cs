using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Data.Entities;
using NewsPush.Web.Analytics;
using NewsPush.Web.Areas.Editor.Controllers;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Areas.Admin.Controllers;

/// <summary>Everything: the overview over all content (tests, alerts, broadcasts too) and the recommender's effect.</summary>
[Area("Admin"), Authorize(Roles = Roles.Admin), Route("admin/analytics")]
public sealed class AnalyticsController(AnalyticsQueries queries, ReaderTime time) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(int days = 7, CancellationToken ct = default)
    {
        var zone = await time.ZoneAsync();
        var report = await queries.OverviewAsync(days, AnalyticsScope.All, zone, ct);
        return View(Editor.Controllers.AnalyticsController.OverviewView, new AnalyticsOverviewViewModel(report, await queries.RecentAsync(report.Days, zone, ct),
            await queries.ColumnsAsync(ct), "/admin/analytics", $"/api/analytics/overview?days={report.Days}&scope=all"));
    }

    [HttpGet("recommender")]
    public async Task<IActionResult> Recommender(int days = 30, CancellationToken ct = default)
    {
        var report = await queries.RecommenderAsync(days, await time.ZoneAsync(), ct);
        return View(new AnalyticsRecommenderViewModel(report, $"/api/analytics/recommender?days={report.Days}"));
    }
}

public sealed record AnalyticsRecommenderViewModel(RecommenderReport Report, string ApiUrl);
