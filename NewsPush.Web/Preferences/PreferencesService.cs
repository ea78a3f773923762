using NewsPush.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Preferences;

/// <summary>Reads and saves a reader's push preferences; one-click unsubscribe goes through here too.</summary>
public sealed class PreferencesService(NewsPushDbContext db, ReaderZoneCache zones, TimeProvider clock)
{
    public async Task<PreferencesViewModel> GetAsync(string userId, CancellationToken ct)
    {
        var p = await db.ReaderPreferences.AsNoTracking().Include(x => x.Topics).FirstOrDefaultAsync(x => x.UserId == userId, ct) ?? new ReaderPreferences();
        var model = new PreferencesViewModel
        {
            InboxEnabled = p.InboxEnabled, EmailEnabled = p.EmailEnabled && p.EmailUnsubscribedAt == null, DigestFrequency = p.DigestFrequency,
            DigestLocalTime = p.DigestLocalTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            DigestDayOfWeek = p.DigestDayOfWeek, TimeZoneId = p.TimeZoneId, Language = p.Language,
            QuietHoursStart = p.QuietHoursStart?.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            QuietHoursEnd = p.QuietHoursEnd?.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            WeeklyPushCap = p.WeeklyPushCap, Topics = p.Topics.Select(t => t.ColumnId).ToList(), EmailUnsubscribedAt = p.EmailUnsubscribedAt,
        };
        await FillChoicesAsync(model, ct);
        return model;
    }

    /// <summary>
    /// Adds (without saving) the row a new account starts with: the defaults, in the zone the browser reported
    /// at registration, or UTC when it reported none or one readers cannot choose.
    /// </summary>
    public ReaderPreferences AddDefaults(string userId, string? browserTimeZone)
    {
        var prefs = ReaderPreferences.ForNewReader(userId, Infrastructure.TimeZones.FromBrowser(browserTimeZone), clock.GetUtcNow().UtcDateTime);
        db.ReaderPreferences.Add(prefs);
        return prefs;
    }

    public async Task FillChoicesAsync(PreferencesViewModel model, CancellationToken ct)
    {
        model.Columns = await db.Columns.AsNoTracking().Where(c => !c.IsHidden).OrderBy(c => c.SortOrder).Select(c => new ColumnChoice(c.Id, c.Name)).ToListAsync(ct);
        model.TimeZones = Infrastructure.TimeZones.All;
        model.Languages = (await db.Articles.AsNoTracking().Select(a => a.Language).Distinct().ToListAsync(ct))
            .Select(Infrastructure.Languages.Primary).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Saves a validated form. Ticking e-mail again is the reader's explicit re-subscription.</summary>
    public async Task SaveAsync(string userId, PreferencesViewModel model, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var p = await db.ReaderPreferences.Include(x => x.Topics).FirstOrDefaultAsync(x => x.UserId == userId, ct);
        if (p is null)
        {
            var joined = await db.Users.Where(u => u.Id == userId).Select(u => u.CreatedAt).FirstOrDefaultAsync(ct);
            p = new ReaderPreferences { UserId = userId, JoinedAt = joined };
            db.ReaderPreferences.Add(p);
        }
        p.InboxEnabled = model.InboxEnabled;
        p.EmailEnabled = model.EmailEnabled;
        if (model.EmailEnabled)
        {
            p.EmailUnsubscribedAt = null;
        }
        p.DigestFrequency = model.DigestFrequency;
        PreferencesViewModel.TryParseTime(model.DigestLocalTime, out var at);
        p.DigestLocalTime = at;
        p.DigestDayOfWeek = model.DigestDayOfWeek;
        p.TimeZoneId = model.TimeZoneId.Trim();
        p.Language = Infrastructure.Languages.Primary(model.Language);
        p.QuietHoursStart = PreferencesViewModel.TryParseTime(model.QuietHoursStart, out var qs) ? qs : null;
        p.QuietHoursEnd = PreferencesViewModel.TryParseTime(model.QuietHoursEnd, out var qe) ? qe : null;
        p.WeeklyPushCap = model.WeeklyPushCap;
        p.UpdatedAt = now;
        var valid = await db.Columns.Where(c => model.Topics.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        p.Topics.RemoveAll(t => !valid.Contains(t.ColumnId));
        foreach (var id in valid.Where(id => p.Topics.All(t => t.ColumnId != id)))
        {
            p.Topics.Add(new ReaderTopic { UserId = userId, ColumnId = id });
        }
        await db.SaveChangesAsync(ct);
        zones.Evict(userId);
    }

    /// <summary>One-click unsubscribe: no more e-mail, and nothing already queued goes out.</summary>
    public async Task<bool> UnsubscribeEmailAsync(string userId, CancellationToken ct)
    {
        if (await db.Users.Where(u => u.Id == userId).Select(u => (DateTime?)u.CreatedAt).FirstOrDefaultAsync(ct) is not { } joined)
        {
            return false;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var p = await db.ReaderPreferences.FirstOrDefaultAsync(x => x.UserId == userId, ct);
        if (p is null)
        {
            p = new ReaderPreferences { UserId = userId, UpdatedAt = now, JoinedAt = joined };
            db.ReaderPreferences.Add(p);
        }
        p.EmailEnabled = false;
        p.EmailUnsubscribedAt ??= now;
        p.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await db.Deliveries.Where(d => d.UserId == userId && d.Channel == DeliveryChannel.Email && d.Status == DeliveryStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Suppressed).SetProperty(d => d.LastError, "unsubscribed from e-mail"), ct);
        return true;
    }
}
