using System.Globalization;
using NewsPush.Data;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// Times on reader pages as the reader reads them: in the zone of a signed-in reader's preferences, in UTC for everyone
/// else (the anonymous pages are cached and shared), always with the zone's name. One lookup per request.
/// </summary>
public sealed class ReaderTime(NewsPushDbContext db, IHttpContextAccessor http)
{
    private TimeZoneInfo? zone;

    public async Task<TimeZoneInfo> ZoneAsync()
    {
        if (zone is null)
        {
            var context = http.HttpContext;
            var userId = context?.User.UserId();
            zone = userId is null ? TimeZoneInfo.Utc : await db.TimeZoneOfAsync(userId, context!.RequestAborted);
        }
        return zone;
    }

    /// <summary>e.g. "2025-06-02 20:00 Asia/Shanghai" or "2025-06-02 12:00 UTC".</summary>
    public async Task<string> FormatAsync(DateTime utc)
    {
        var z = await ZoneAsync();
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), z);
        return local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + z.Id;
    }
}
