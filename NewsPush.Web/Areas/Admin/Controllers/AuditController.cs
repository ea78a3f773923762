using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Areas.Admin.Models;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Controllers;

[Area("Admin"), Authorize(Policy = NewsroomServiceCollectionExtensions.AdminPolicy), Route("admin/audit")]
public sealed class AuditController(AuditLogReader audit) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery(Name = "action")] string? actionPrefix, string? entityType, string? actor, int page = 1, CancellationToken ct = default)
    {
        var query = new AuditLogQuery(actionPrefix, entityType, actor, Math.Max(1, page));
        var (rows, total) = await audit.QueryAsync(query, ct);
        return View(new AuditViewModel(rows, total, query.Page, AuditLogReader.PageSize, query));
    }
}
