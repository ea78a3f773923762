using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Account;

/// <summary>
/// A reader who registers through the form and never opens preferences gets the next digest, in the inbox and by
/// e-mail, at 07:00 in the zone their browser reported (UTC when it reported none).
/// </summary>
public abstract class RegistrationDigestTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PushFactory
{
    [Theory]
    [InlineData("Asia/Tokyo", "Asia/Tokyo")]
    [InlineData("", "UTC")]
    [InlineData("Mars/Olympus_Mons", "UTC")]
    public async Task ANewReaderGetsTheNextDigestInTheInboxAndByEmailWithoutOpeningPreferences(string browserZone, string expectedZone)
    {
        factory.Clock.Now = PushFactory.Start;
        var email = Unique("new") + "@test.local";
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var registered = await client.PostFormAsync("/account/register", new Dictionary<string, string>
        {
            ["Email"] = email, ["DisplayName"] = "New Reader", ["Password"] = "a long passphrase of mine",
            ["ConfirmPassword"] = "a long passphrase of mine", ["TimeZone"] = browserZone,
        });
        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        Assert.Contains("E-mail confirmed", await client.GetStringAsync(LinkIn(await LastMailToAsync(factory, email), "/account/confirm-email")));
        var user = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == email));

        // What /preferences shows is what is stored: subscribed, daily at 07:00 in the reported zone.
        var prefs = await factory.WithDbAsync(db => db.ReaderPreferences.AsNoTracking().SingleAsync(p => p.UserId == user.Id));
        Assert.Equal((true, true, DigestFrequency.Daily, new TimeOnly(7, 0), expectedZone),
            (prefs.InboxEnabled, prefs.EmailEnabled, prefs.DigestFrequency, prefs.DigestLocalTime, prefs.TimeZoneId));

        // Just before 07:00 the next morning in their zone: nothing yet.
        factory.SetLocalTime(expectedZone, new DateTime(2026, 11, 21, 6, 55, 0));
        await factory.RunAndDeliverAsync();
        Assert.Empty(await factory.DeliveriesOfAsync(user.Id));

        factory.SetLocalTime(expectedZone, new DateTime(2026, 11, 21, 7, 3, 0));
        await factory.RunAndDeliverAsync();

        var deliveries = await factory.DeliveriesOfAsync(user.Id);
        Assert.Equal([(DeliveryChannel.Inbox, DeliveryStatus.Sent), (DeliveryChannel.Email, DeliveryStatus.Sent)],
            deliveries.Select(d => (d.Channel, d.Status)).OrderBy(x => x.Channel).ToList());
        var inbox = Assert.Single(await factory.InboxOfAsync(user.Id));
        Assert.StartsWith("Your daily digest 21 Nov 2026", inbox.Title, StringComparison.Ordinal);
        var digestMail = Directory.GetFiles(factory.MailPickupFolder, "*.eml")
            .Select(f => MimeKit.MimeMessage.Load(f))
            .Where(m => m.To.Mailboxes.Any(a => a.Address == email) && m.Headers.Contains("List-Unsubscribe"))
            .ToList();
        Assert.Single(digestMail);
    }
}

public sealed class SqliteRegistrationDigestTests(PushSqliteFactory factory) : RegistrationDigestTests<PushSqliteFactory>(factory);

public sealed class PostgreSqlRegistrationDigestTests(PushPostgreSqlFactory factory) : RegistrationDigestTests<PushPostgreSqlFactory>(factory);
