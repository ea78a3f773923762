using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Reader;

/// <summary>Articles and helpers the reader-site tests share.</summary>
public static partial class ReaderTestData
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 11)];

    /// <summary>Publishes an article through EF (so the search index sees it like an editor's save).</summary>
    public static async Task<(int Id, string Slug)> PublishAsync(NewsPushFactory factory, string title, string body, string? columnSlug = null,
        string summary = "A summary.", string language = "en", DateTime? publishedAt = null, params string[] tags)
    {
        return await factory.WithDbAsync(async db =>
        {
            var column = columnSlug is null ? await db.Columns.OrderBy(c => c.SortOrder).FirstAsync() : await db.Columns.FirstAsync(c => c.Slug == columnSlug);
            var slug = Unique("t");
            var when = publishedAt ?? DateTime.UtcNow.AddMinutes(-1);
            var article = new Article
            {
                Column = column, Slug = slug, Title = title, Summary = summary, BodyMarkdown = body, Language = language,
                Status = ArticleStatus.Published, PublishedAt = when, CreatedAt = when, UpdatedAt = when,
            };
            foreach (var t in tags)
            {
                var tag = await db.Tags.FirstOrDefaultAsync(x => x.Slug == t) ?? new Tag { Slug = t, Name = t };
                article.Tags.Add(new ArticleTag { Tag = tag });
            }
            db.Articles.Add(article);
            await db.SaveChangesAsync();
            return (article.Id, slug);
        });
    }

    public static string Text(string html) => WebUtility.HtmlDecode(TagRegex().Replace(html, " "));

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagRegex();

    /// <summary>The text of the newest .eml in the pickup folder sent to <paramref name="email"/>, decoded.</summary>
    public static async Task<string> LastMailToAsync(NewsPushFactory factory, string email) => (await LastMessageToAsync(factory, email)).TextBody ?? "";

    /// <summary>The newest .eml in the pickup folder sent to <paramref name="email"/>, as a message.</summary>
    public static Task<MimeKit.MimeMessage> LastMessageToAsync(NewsPushFactory factory, string email) => LastMessageToAsync(factory.MailPickupFolder, email);

    /// <summary>The newest .eml in <paramref name="folder"/> sent to <paramref name="email"/>, waiting for it as account mail is sent in the background.</summary>
    public static async Task<MimeKit.MimeMessage> LastMessageToAsync(string folder, string email)
    {
        // Account e-mails are sent in the background after the answer (AccountMailQueue): wait up to 15 s.
        for (var i = 0; i < 150; i++)
        {
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.GetFiles(folder, "*.eml").OrderByDescending(File.GetLastWriteTimeUtc))
                {
                    var message = await MimeKit.MimeMessage.LoadAsync(file);
                    if (message.To.Mailboxes.Any(m => string.Equals(m.Address, email, StringComparison.OrdinalIgnoreCase)))
                    {
                        return message;
                    }
                }
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"No mail to {email} in {folder}");
    }

    /// <summary>Waits until the pickup folder holds at least <paramref name="count"/> mails to <paramref name="email"/> (sent in the background) and returns how many.</summary>
    public static async Task<int> MailCountToAsync(NewsPushFactory factory, string email, int count)
    {
        var found = 0;
        for (var i = 0; i < 150 && found < count; i++)
        {
            found = 0;
            if (Directory.Exists(factory.MailPickupFolder))
            {
                foreach (var file in Directory.GetFiles(factory.MailPickupFolder, "*.eml"))
                {
                    var message = await MimeKit.MimeMessage.LoadAsync(file);
                    found += message.To.Mailboxes.Any(m => string.Equals(m.Address, email, StringComparison.OrdinalIgnoreCase)) ? 1 : 0;
                }
            }
            if (found < count)
            {
                await Task.Delay(100);
            }
        }
        return found;
    }

    public static string LinkIn(string mailText, string pathPrefix)
    {
        var match = Regex.Match(mailText, "https?://[^/\\s]+(" + Regex.Escape(pathPrefix) + "[^\\s]*)");
        Assert.True(match.Success, $"No {pathPrefix} link in mail: {mailText}");
        return match.Groups[1].Value;
    }
}
