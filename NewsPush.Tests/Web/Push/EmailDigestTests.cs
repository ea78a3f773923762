using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Push;

/// <summary>Digest e-mail through a real SMTP server (node smtp-server), parsed back with MimeKit and mailparser.</summary>
public sealed partial class EmailDigestTests(PushSmtpFactory factory) : IClassFixture<PushSmtpFactory>
{
    [Fact]
    public async Task DigestEmailHasBothPartsWorkingLinksAndOneClickUnsubscribe()
    {
        var reader = await factory.CreateReaderAsync("mail", p => { p.TimeZoneId = "Europe/Rome"; p.DigestLocalTime = new TimeOnly(7, 0); p.InboxEnabled = false; });
        factory.SetLocalTime("Europe/Rome", new DateTime(2026, 11, 23, 7, 2, 0));
        await factory.RunAndDeliverAsync();

        var mail = Assert.Single(factory.Smtp.MessagesTo(reader.Email!));
        var digest = Assert.Single(await factory.DigestsOfAsync(reader.Id));
        var stories = await factory.WithDbAsync(db => db.DigestItems.Where(i => i.DigestId == digest.Id).OrderBy(i => i.Position).Select(i => new { i.Article!.Title, i.Article.Slug }).ToListAsync());
        var titles = stories.Select(s => s.Title).ToList();
        Assert.NotEmpty(titles);
        Assert.Contains("daily digest", mail.Subject, StringComparison.Ordinal);
        Assert.NotNull(mail.TextBody);
        Assert.NotNull(mail.HtmlBody);
        foreach (var title in titles)
        {
            Assert.Contains(title, mail.TextBody, StringComparison.Ordinal);
            Assert.Contains(title, WebUtility.HtmlDecode(mail.HtmlBody), StringComparison.Ordinal);
        }

        // RFC 8058 headers, seen the same way by an independent parser (mailparser) on the server side.
        var unsubscribeHeader = mail.Headers["List-Unsubscribe"] ?? "";
        Assert.Matches("^<http://localhost/unsubscribe\\?token=[^>]+>$", unsubscribeHeader);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        var parsed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(factory.Smtp.MessageFiles.Single(f => File.ReadAllText(f).Contains(reader.Email!, StringComparison.Ordinal)), ".json"))).RootElement;
        Assert.True(parsed.GetProperty("hasHtml").GetBoolean());
        Assert.True(parsed.GetProperty("hasText").GetBoolean());
        Assert.Equal(unsubscribeHeader.Trim('<', '>'), parsed.GetProperty("listUnsubscribe").GetString());
        Assert.Equal("List-Unsubscribe=One-Click", parsed.GetProperty("listUnsubscribePost").GetString());

        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        // Every story link goes through the click tracker to the article.
        var links = StoryLinkRegex().Matches(mail.HtmlBody).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal(titles.Count, links.Count);
        var response = await client.GetAsync(new Uri(links[0]).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/article/{stories[0].Slug}", response.Headers.Location!.OriginalString);
        // A forged target is never followed off-site.
        var offsite = await client.GetAsync(new Uri(links[0]).AbsolutePath + "?a=1&u=%2F%2Fevil.example%2F");
        Assert.Equal("/", offsite.Headers.Location!.OriginalString);
        // The open pixel.
        var pixel = PixelRegex().Match(mail.HtmlBody).Groups[1].Value;
        var gif = await client.GetAsync(new Uri(WebUtility.HtmlDecode(pixel)).PathAndQuery);
        Assert.Equal("image/gif", gif.Content.Headers.ContentType?.MediaType);

        await factory.FlushInteractionsAsync();
        var delivery = Assert.Single(await factory.DeliveriesOfAsync(reader.Id));
        Assert.NotNull(delivery.OpenedAt);
        Assert.NotNull(delivery.ClickedAt);
        Assert.NotNull((await factory.DigestsOfAsync(reader.Id))[0].OpenedAt);
        var types = await factory.WithDbAsync(db => db.Interactions.Where(i => i.UserId == reader.Id).Select(i => i.Type).ToListAsync());
        Assert.Contains(InteractionType.DigestClick, types);
        Assert.Equal(titles.Count, types.Count(t => t == InteractionType.DigestOpen));

        // One-click unsubscribe exactly as a mail client does it: POST, no cookie, no antiforgery token.
        var unsubscribe = await client.PostAsync(new Uri(unsubscribeHeader.Trim('<', '>')).PathAndQuery,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.OK, unsubscribe.StatusCode);
        Assert.NotNull(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.EmailUnsubscribedAt).SingleAsync()));

        // The next digest is not e-mailed.
        factory.SetLocalTime("Europe/Rome", new DateTime(2026, 11, 24, 7, 2, 0));
        await factory.RunAndDeliverAsync();
        Assert.Single(factory.Smtp.MessagesTo(reader.Email!));
    }

    [Fact]
    public async Task UnsubscribeLinkInTheBodyAsksThenUnsubscribes()
    {
        var reader = await factory.CreateReaderAsync("bodylink", p => { p.TimeZoneId = "Europe/Rome"; p.DigestLocalTime = new TimeOnly(7, 10); p.InboxEnabled = false; });
        factory.SetLocalTime("Europe/Rome", new DateTime(2026, 11, 23, 7, 12, 0));
        await factory.RunAndDeliverAsync();
        var mail = Assert.Single(factory.Smtp.MessagesTo(reader.Email!));
        var link = UnsubscribeLinkRegex().Match(mail.TextBody ?? "").Groups[1].Value;

        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await client.GetStringAsync(new Uri(link).PathAndQuery);
        Assert.Contains("Stop all NewsPush e-mail", page, StringComparison.Ordinal);
        Assert.Null(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.EmailUnsubscribedAt).SingleAsync()));

        var token = WebUtility.HtmlDecode(Regex.Match(page, "name=\"token\" value=\"([^\"]+)\"").Groups[1].Value);
        var done = await client.PostAsync("/unsubscribe", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Contains("You are unsubscribed", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.EmailUnsubscribedAt).SingleAsync()));

        var forged = await client.PostAsync("/unsubscribe?token=forged", new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task PermanentRejectionIsFailedWithTheReasonAndShownToAdmins()
    {
        var reader = await factory.CreateReaderAsync("reject", p => { p.TimeZoneId = "Europe/Rome"; p.DigestLocalTime = new TimeOnly(7, 20); p.InboxEnabled = false; });
        factory.SetLocalTime("Europe/Rome", new DateTime(2026, 11, 23, 7, 22, 0));
        await factory.RunAndDeliverAsync();

        var delivery = Assert.Single(await factory.DeliveriesOfAsync(reader.Id));
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Equal(1, delivery.Attempts);
        Assert.Contains("550", delivery.LastError, StringComparison.Ordinal);

        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var html = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/deliveries?status=Failed"));
        Assert.Contains(reader.Email!, html, StringComparison.Ordinal);
        Assert.Contains("Mailbox unavailable", html, StringComparison.Ordinal);
        using var readerClient = await factory.CreateLoggedInClientAsync(reader.Email!);
        Assert.NotEqual(HttpStatusCode.OK, (await readerClient.GetAsync("/admin/deliveries")).StatusCode);
    }

    [Fact]
    public async Task TemporaryFailureIsRetriedWithExponentialBackoffUntilItsDeadlineThenExpiredWithTheReason()
    {
        // Test settings: base 60 s; the default deadline of 48 h and backoff ceiling of 1 h.
        var reader = await factory.CreateReaderAsync("tempfail", p => { p.TimeZoneId = "Europe/Rome"; p.DigestLocalTime = new TimeOnly(7, 30); p.InboxEnabled = false; });
        factory.SetLocalTime("Europe/Rome", new DateTime(2026, 11, 23, 7, 32, 0));
        var start = factory.Clock.Now.UtcDateTime;
        await factory.RunAndDeliverAsync();
        var first = Assert.Single(await factory.DeliveriesOfAsync(reader.Id));
        Assert.Equal((DeliveryStatus.Queued, 1), (first.Status, first.Attempts));
        Assert.Equal(start.AddSeconds(60), first.NextAttemptAt);
        Assert.Equal(start.AddHours(48), first.DeliverBy);
        Assert.Contains("Try again later", first.LastError, StringComparison.Ordinal);

        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await factory.DispatchAsync();
        Assert.Equal(1, (await factory.DeliveriesOfAsync(reader.Id))[0].Attempts);

        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        await factory.DispatchAsync();
        var second = (await factory.DeliveriesOfAsync(reader.Id))[0];
        Assert.Equal((DeliveryStatus.Queued, 2), (second.Status, second.Attempts));
        Assert.Equal(factory.Clock.Now.UtcDateTime.AddSeconds(120), second.NextAttemptAt);

        // Hour after hour the wait stops growing at the ceiling, and the delivery stays queued until its deadline.
        for (var i = 0; i < 12; i++)
        {
            factory.Clock.Advance(TimeSpan.FromHours(1));
            await factory.DispatchAsync();
        }
        var later = (await factory.DeliveriesOfAsync(reader.Id))[0];
        Assert.Equal(DeliveryStatus.Queued, later.Status);
        Assert.True(later.NextAttemptAt <= factory.Clock.Now.UtcDateTime.AddHours(1), "the backoff is capped at one hour");

        factory.Clock.Now = new DateTimeOffset(start.AddHours(48).AddMinutes(1), TimeSpan.Zero);
        await factory.DispatchAsync();
        var last = (await factory.DeliveriesOfAsync(reader.Id))[0];
        Assert.Equal(DeliveryStatus.Expired, last.Status);
        Assert.Contains("deadline", last.LastError, StringComparison.Ordinal);
        Assert.Contains("Try again later", last.LastError, StringComparison.Ordinal);
        Assert.Empty(factory.Smtp.MessagesTo(reader.Email!));
    }

    [GeneratedRegex("<a class=\"np-link\" href=\"([^\"]+/t/c/[^\"]+)\"")]
    private static partial Regex StoryLinkRegex();

    [GeneratedRegex("<img src=\"([^\"]+/t/o/[^\"]+)\"")]
    private static partial Regex PixelRegex();

    [GeneratedRegex("Unsubscribe from these e-mails: (\\S+)")]
    private static partial Regex UnsubscribeLinkRegex();
}
