using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Push;

public sealed record ChannelStatusViewModel(DeliveryChannel Channel, bool IsPaused, ChannelPauseKind? PauseKind, DateTime? PausedAt, DateTime? NextProbeAt,
    string? LastError, DateTime? LastErrorAt, DateTime? LastSuccessAt, int Queued, int Failed, int Expired)
{
    public string State => !IsPaused ? "Healthy" : PauseKind == ChannelPauseKind.Configuration ? "Paused: needs a fix" : "Paused: service unreachable";
}

public sealed record DeliveryRowViewModel(long Id, string? Email, DeliveryChannel Channel, DeliveryStatus Status, int Attempts, string? LastError,
    DateTime CreatedAt, DateTime? SentAt, DateTime? NextAttemptAt, DateTime? DeliverBy, DeliveryContentKind ContentKind, long ContentId);

public sealed record DeliveriesViewModel(
    DeliveryStatus? Status, IReadOnlyDictionary<DeliveryStatus, int> Counts, IReadOnlyList<ChannelStatusViewModel> Channels,
    IReadOnlyList<DeliveryRowViewModel> Rows, PagerViewModel Pager, string? Message);

/// <summary>What admins see of the outbox and do with it: channel states, failures with reasons, retry, resume.</summary>
public sealed class DeliveryAdminService(
    NewsPushDbContext db, IEnumerable<IChannelSender> senders, ChannelHealth health, AuditLog audit, DeliverySignal signal,
    TimeProvider clock, IOptions<DeliveryOptions> options)
{
    public const int PageSize = 50;

    public async Task<DeliveriesViewModel> GetAsync(DeliveryStatus? status, int page, string? message, CancellationToken ct)
    {
        var counts = await db.Deliveries.GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var perChannel = await db.Deliveries.Where(d => d.Status == DeliveryStatus.Queued || d.Status == DeliveryStatus.Failed || d.Status == DeliveryStatus.Expired)
            .GroupBy(d => new { d.Channel, d.Status }).Select(g => new { g.Key.Channel, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        var states = (await health.ListAsync(ct)).ToDictionary(s => s.Channel);
        var channels = senders.Select(s => s.Channel).Distinct().Order().Select(c =>
        {
            var s = states.GetValueOrDefault(c);
            int Count(DeliveryStatus st) => perChannel.Where(x => x.Channel == c && x.Status == st).Sum(x => x.Count);
            return new ChannelStatusViewModel(c, s?.IsPaused ?? false, s?.IsPaused == true ? s.PauseKind : null, s?.PausedAt, s?.NextProbeAt,
                s?.LastError, s?.LastErrorAt, s?.LastSuccessAt, Count(DeliveryStatus.Queued), Count(DeliveryStatus.Failed), Count(DeliveryStatus.Expired));
        }).ToList();

        var query = db.Deliveries.AsNoTracking();
        if (status is { } st)
        {
            query = query.Where(d => d.Status == st);
        }
        var total = status is { } t ? counts.GetValueOrDefault(t) : counts.Values.Sum();
        var pageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pageCount);
        var rows = await query.OrderByDescending(d => d.Id).Skip((page - 1) * PageSize).Take(PageSize)
            .Select(d => new DeliveryRowViewModel(d.Id, db.Users.Where(u => u.Id == d.UserId).Select(u => u.Email).FirstOrDefault(), d.Channel, d.Status,
                d.Attempts, d.LastError, d.CreatedAt, d.SentAt, d.NextAttemptAt, d.DeliverBy, d.ContentKind, d.ContentId))
            .ToListAsync(ct);
        var pager = new PagerViewModel(page, pageCount, status is null ? "/admin/deliveries?status=" : $"/admin/deliveries?status={status}");
        return new DeliveriesViewModel(status, counts, channels, rows, pager, message);
    }

    /// <summary>
    /// Puts Failed and Expired deliveries (of one channel, or all) back in the queue with a fresh deadline; returns how
    /// many. Each reader still gets each content at most once: the rows are the same rows.
    /// </summary>
    public async Task<int> RetryFailedAsync(DeliveryChannel? channel, ClaimsPrincipal actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var deadline = now.AddHours(options.Value.DeadlineHours);
        var query = db.Deliveries.Where(d => d.Status == DeliveryStatus.Failed || d.Status == DeliveryStatus.Expired);
        if (channel is { } c)
        {
            query = query.Where(d => d.Channel == c);
        }
        var count = await query.ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Queued).SetProperty(d => d.NextAttemptAt, (DateTime?)null)
            .SetProperty(d => d.DeliverBy, deadline).SetProperty(d => d.Claims, d => d.Attempts).SetProperty(d => d.LeaseId, (string?)null), ct);
        audit.Add(actor, "deliveries.retried", nameof(Delivery), channel?.ToString() ?? "all", $"{count} failed or expired deliveries queued again");
        await db.SaveChangesAsync(ct);
        signal.Notify();
        return count;
    }

    public async Task ResumeAsync(DeliveryChannel channel, ClaimsPrincipal actor, CancellationToken ct)
    {
        await health.ResumeAsync(channel, ct);
        audit.Add(actor, "channel.resumed", "Channel", channel.ToString());
        await db.SaveChangesAsync(ct);
        signal.Notify();
    }
}
