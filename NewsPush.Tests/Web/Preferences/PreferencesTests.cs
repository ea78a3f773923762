using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;

namespace NewsPush.Tests.Web.Preferences;

public sealed class PreferencesTests(PushSqliteFactory factory) : IClassFixture<PushSqliteFactory>
{
    private static Dictionary<string, string> Form(string timeZone = "Asia/Shanghai", string quietStart = "22:00", string quietEnd = "06:30", string time = "07:45") => new()
    {
        ["InboxEnabled"] = "true", ["EmailEnabled"] = "false", ["DigestFrequency"] = "Weekly", ["DigestLocalTime"] = time,
        ["DigestDayOfWeek"] = "Friday", ["TimeZoneId"] = timeZone, ["QuietHoursStart"] = quietStart, ["QuietHoursEnd"] = quietEnd,
        ["WeeklyPushCap"] = "5",
    };

    [Fact]
    public async Task SavesChannelsScheduleQuietHoursCapAndTopics()
    {
        var reader = await factory.CreateReaderAsync("prefs");
        var columns = await factory.WithDbAsync(db => db.Columns.OrderBy(c => c.Id).Select(c => c.Id).Take(2).ToListAsync());
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var fields = Form();
        var content = fields.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)).Concat(columns.Select(c => KeyValuePair.Create("Topics", c.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        var html = await client.GetStringAsync("/preferences");
        content.Add(KeyValuePair.Create("__RequestVerificationToken", NewsPush.Tests.Infrastructure.HttpTestExtensions.AntiforgeryToken(html)));

        var response = await client.PostAsync("/preferences", new FormUrlEncodedContent(content));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("preferences are saved", await client.GetStringAsync(response.Headers.Location!.OriginalString), StringComparison.Ordinal);
        var p = await factory.WithDbAsync(db => db.ReaderPreferences.Include(x => x.Topics).SingleAsync(x => x.UserId == reader.Id));
        Assert.Equal((true, false, DigestFrequency.Weekly, new TimeOnly(7, 45), DayOfWeek.Friday, "Asia/Shanghai"),
            (p.InboxEnabled, p.EmailEnabled, p.DigestFrequency, p.DigestLocalTime, p.DigestDayOfWeek, p.TimeZoneId));
        Assert.Equal((new TimeOnly(22, 0), new TimeOnly(6, 30), 5), (p.QuietHoursStart, p.QuietHoursEnd, p.WeeklyPushCap));
        Assert.Equal(columns, p.Topics.Select(t => t.ColumnId).Order());
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons", "22:00", "06:30", "07:45", "not a known time zone")]
    [InlineData("Europe", "22:00", "06:30", "07:45", "not a known time zone")] // a folder of the zone database: the system lookup throws an I/O error
    [InlineData("America/Argentina", "22:00", "06:30", "07:45", "not a known time zone")]
    [InlineData("../../../etc/passwd", "22:00", "06:30", "07:45", "not a known time zone")]
    [InlineData("Europe/Paris", "22:00", "", "07:45", "both ends of the quiet hours")]
    [InlineData("Europe/Paris", "", "", "25:99", "delivery time as HH:mm")]
    public async Task RejectsBadInputWithAClearMessageAndSavesNothing(string zone, string quietStart, string quietEnd, string time, string message)
    {
        var reader = await factory.CreateReaderAsync("badprefs", p => p.TimeZoneId = "UTC");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);

        var response = await client.PostFormAsync("/preferences", Form(zone, quietStart, quietEnd, time));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal("UTC", await factory.WithDbAsync(db => db.ReaderPreferences.Where(x => x.UserId == reader.Id).Select(x => x.TimeZoneId).SingleAsync()));
    }

    [Fact]
    public async Task TickingEmailAgainResubscribes()
    {
        var reader = await factory.CreateReaderAsync("resub", p => { p.EmailEnabled = false; p.EmailUnsubscribedAt = DateTime.UtcNow; });
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        Assert.Contains("You unsubscribed from e-mail", await client.GetStringAsync("/preferences"), StringComparison.Ordinal);
        var fields = Form();
        fields["EmailEnabled"] = "true";
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostFormAsync("/preferences", fields)).StatusCode);
        var p = await factory.WithDbAsync(db => db.ReaderPreferences.SingleAsync(x => x.UserId == reader.Id));
        Assert.True(p.EmailEnabled);
        Assert.Null(p.EmailUnsubscribedAt);
    }

    [Fact]
    public async Task AnonymousVisitorIsSentToLogin()
    {
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync("/preferences");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
