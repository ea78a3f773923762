using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Infrastructure;

/// <summary>Who did what to which entity. Entries are added to the caller's unit of work, saved with it.</summary>
public sealed class AuditLog(NewsPushDbContext db, TimeProvider clock)
{
    public void Add(ClaimsPrincipal? actor, string action, string entityType, string? entityId, string? details = null) =>
        db.AuditLog.Add(new AuditLogEntry
        {
            ActorId = actor?.UserId(),
            ActorName = actor?.Identity?.Name ?? "system",
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Details = details is { Length: > 4000 } ? details[..4000] : details,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
}

public sealed record AuditLogQuery(string? Action, string? EntityType, string? Actor, int Page = 1);

/// <summary>Reads the audit log for the admin viewer, newest first.</summary>
public sealed class AuditLogReader(NewsPushDbContext db)
{
    public const int PageSize = 50;

    public async Task<(IReadOnlyList<AuditLogEntry> Rows, int Total)> QueryAsync(AuditLogQuery q, CancellationToken ct)
    {
        var query = db.AuditLog.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q.Action)) { query = query.Where(e => e.Action.StartsWith(q.Action.Trim())); }
        if (!string.IsNullOrWhiteSpace(q.EntityType)) { query = query.Where(e => e.EntityType == q.EntityType.Trim()); }
        if (!string.IsNullOrWhiteSpace(q.Actor)) { query = query.Where(e => e.ActorName != null && e.ActorName.Contains(q.Actor.Trim())); }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(e => e.Id).Skip((Math.Max(1, q.Page) - 1) * PageSize).Take(PageSize).ToListAsync(ct);
        return (rows, total);
    }
}
