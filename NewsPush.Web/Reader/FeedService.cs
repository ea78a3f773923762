using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Email;

namespace NewsPush.Web.Reader;

public sealed record FeedEntry(string Slug, string Title, string Summary, string ColumnName, DateTime Published, DateTime Updated);

public sealed record Feed(string Title, string Description, string SiteUrl, string SelfUrl, IReadOnlyList<FeedEntry> Entries);

/// <summary>RSS 2.0 and Atom 1.0 documents for a column, and the private personal feed.</summary>
public sealed class FeedService(NewsPushDbContext db, IOptions<EmailOptions> email, TimeProvider clock, IHttpContextAccessor http)
{
    private const int Size = 30;

    private string BaseUrl => email.Value.BaseUrl(http.HttpContext?.Request);

    private IQueryable<FeedEntry> Entries(IQueryable<Article> q) =>
        q.PubliclyVisible(clock.GetUtcNow().UtcDateTime).OrderByDescending(a => a.PublishedAt).Take(Size)
            .Select(a => new FeedEntry(a.Slug, a.Title, a.Summary, a.Column!.Name, a.PublishedAt!.Value, a.UpdatedAt));

    public async Task<Feed?> ColumnFeedAsync(string slug, string format, CancellationToken ct)
    {
        var column = await db.Columns.AsNoTracking().Where(c => c.Slug == slug && !c.IsHidden).Select(c => new { c.Id, c.Name, c.Description }).FirstOrDefaultAsync(ct);
        if (column is null)
        {
            return null;
        }
        var entries = await Entries(db.Articles.AsNoTracking().Where(a => a.ColumnId == column.Id)).ToListAsync(ct);
        return new Feed($"{column.Name} · NewsPush", column.Description, $"{BaseUrl}/column/{slug}", $"{BaseUrl}/feeds/column/{slug}.{format}", entries);
    }

    /// <summary>The reader's followed columns and tags; null for an unknown (or revoked) token.</summary>
    public async Task<Feed?> PersonalFeedAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return null;
        }
        var user = await db.Users.AsNoTracking().Where(u => u.FeedToken == token && u.DeletedAt == null).Select(u => new { u.Id, u.DisplayName }).FirstOrDefaultAsync(ct);
        if (user is null)
        {
            return null;
        }
        var columnIds = db.Follows.Where(f => f.UserId == user.Id && f.Kind == FollowKind.Column).Select(f => f.TargetId);
        var tagIds = db.Follows.Where(f => f.UserId == user.Id && f.Kind == FollowKind.Tag).Select(f => f.TargetId);
        var entries = await Entries(db.Articles.AsNoTracking().Where(a => columnIds.Contains(a.ColumnId) || a.Tags.Any(t => tagIds.Contains(t.TagId)))).ToListAsync(ct);
        if (entries.Count == 0)
        {
            entries = await Entries(db.Articles.AsNoTracking()).ToListAsync(ct);
        }
        return new Feed($"NewsPush for {user.DisplayName}", "Articles from the columns and tags you follow", BaseUrl + "/", $"{BaseUrl}/feeds/me/{token}.atom", entries);
    }

    public static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

    public string ArticleUrl(string slug) => BaseUrl + Slugs.ArticlePath(slug);

    /// <summary>
    /// The text without the characters XML 1.0 cannot carry (controls other than tab and newlines, lone surrogates,
    /// U+FFFE/U+FFFF): an editor's paste or a reader's display name must not make the writer throw and the feed fail.
    /// </summary>
    public static string XmlSafe(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        StringBuilder? clean = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (XmlConvert.IsXmlChar(c))
            {
                clean?.Append(c);
            }
            else if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], c))
            {
                clean?.Append(c).Append(value[i + 1]);
                i++;
            }
            else
            {
                clean ??= new StringBuilder(value, 0, i, value.Length);
            }
        }
        return clean?.ToString() ?? value;
    }

    public string Rss(Feed feed)
    {
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8 }))
        {
            w.WriteStartDocument();
            w.WriteStartElement("rss");
            w.WriteAttributeString("version", "2.0");
            w.WriteAttributeString("xmlns", "atom", null, "http://www.w3.org/2005/Atom");
            w.WriteStartElement("channel");
            w.WriteElementString("title", XmlSafe(feed.Title));
            w.WriteElementString("link", feed.SiteUrl);
            w.WriteElementString("description", XmlSafe(string.IsNullOrEmpty(feed.Description) ? feed.Title : feed.Description));
            w.WriteElementString("language", "en");
            if (feed.Entries.Count > 0)
            {
                w.WriteElementString("lastBuildDate", feed.Entries.Max(e => e.Updated).ToString("r", CultureInfo.InvariantCulture));
            }
            w.WriteStartElement("atom", "link", "http://www.w3.org/2005/Atom");
            w.WriteAttributeString("href", feed.SelfUrl);
            w.WriteAttributeString("rel", "self");
            w.WriteAttributeString("type", "application/rss+xml");
            w.WriteEndElement();
            foreach (var e in feed.Entries)
            {
                w.WriteStartElement("item");
                w.WriteElementString("title", XmlSafe(e.Title));
                w.WriteElementString("link", ArticleUrl(e.Slug));
                w.WriteStartElement("guid");
                w.WriteAttributeString("isPermaLink", "true");
                w.WriteString(ArticleUrl(e.Slug));
                w.WriteEndElement();
                w.WriteElementString("description", XmlSafe(e.Summary));
                w.WriteElementString("category", XmlSafe(e.ColumnName));
                w.WriteElementString("pubDate", e.Published.ToString("r", CultureInfo.InvariantCulture));
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
        }
        return sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    public string Atom(Feed feed)
    {
        const string ns = "http://www.w3.org/2005/Atom";
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true }))
        {
            w.WriteStartDocument();
            w.WriteStartElement("feed", ns);
            w.WriteElementString("title", ns, XmlSafe(feed.Title));
            w.WriteElementString("subtitle", ns, XmlSafe(feed.Description));
            w.WriteElementString("id", ns, feed.SelfUrl);
            w.WriteElementString("updated", ns, (feed.Entries.Count > 0 ? feed.Entries.Max(e => e.Updated) : DateTime.UnixEpoch).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            WriteLink(w, feed.SelfUrl, "self", "application/atom+xml");
            WriteLink(w, feed.SiteUrl, "alternate", "text/html");
            w.WriteStartElement("author", ns);
            w.WriteElementString("name", ns, "NewsPush");
            w.WriteEndElement();
            foreach (var e in feed.Entries)
            {
                w.WriteStartElement("entry", ns);
                w.WriteElementString("title", ns, XmlSafe(e.Title));
                w.WriteElementString("id", ns, ArticleUrl(e.Slug));
                WriteLink(w, ArticleUrl(e.Slug), "alternate", "text/html");
                w.WriteElementString("published", ns, e.Published.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                w.WriteElementString("updated", ns, e.Updated.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                w.WriteStartElement("category", ns);
                w.WriteAttributeString("term", XmlSafe(e.ColumnName));
                w.WriteEndElement();
                w.WriteElementString("summary", ns, XmlSafe(e.Summary));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        return sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);

        static void WriteLink(XmlWriter w, string href, string rel, string type)
        {
            w.WriteStartElement("link", ns);
            w.WriteAttributeString("rel", rel);
            w.WriteAttributeString("type", type);
            w.WriteAttributeString("href", href);
            w.WriteEndElement();
        }
    }
}
