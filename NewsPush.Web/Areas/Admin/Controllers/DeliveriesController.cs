using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Areas.Admin.Controllers;

public sealed record DeliveryRowViewModel(long Id, string? Email, DeliveryChannel Channel, DeliveryStatus Status, int Attempts, string? LastError, DateTime CreatedAt, DateTime? SentAt, DateTime? NextAttemptAt, long? DigestId, long? CampaignId);

public sealed record DeliveriesViewModel(DeliveryStatus? Status, IReadOnlyDictionary<DeliveryStatus, int> Counts, IReadOnlyList<DeliveryRowViewModel> Rows);

/// <summary>Deliveries for admins: counts per status and the latest rows, failures with their reason first.</summary>
[Area("Admin"), Authorize(Roles = Roles.Admin), Route("admin/deliveries")]
public sealed class DeliveriesController(NewsPushDbContext db) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(DeliveryStatus? status = DeliveryStatus.Failed, CancellationToken ct = default)
    {
        var counts = await db.Deliveries.GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var query = db.Deliveries.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(d => d.Status == s);
        }
        var rows = await query.OrderByDescending(d => d.Id).Take(200)
            .Select(d => new DeliveryRowViewModel(d.Id, db.Users.Where(u => u.Id == d.UserId).Select(u => u.Email).FirstOrDefault(), d.Channel, d.Status, d.Attempts, d.LastError, d.CreatedAt, d.SentAt, d.NextAttemptAt, d.DigestId, d.CampaignId))
            .ToListAsync(ct);
        return View("~/Views/Push/Deliveries.cshtml", new DeliveriesViewModel(status, counts, rows));
    }
}
