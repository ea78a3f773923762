using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Media;
using NewsPush.Web.Push;

namespace NewsPush.Web.Digests;

/// <summary>Digests as delivery content: the title with the window's date and the stories with their reasons.</summary>
public sealed class DigestContentSource(NewsPushDbContext db) : IDeliveryContentSource
{
    public DeliveryContentKind Kind => DeliveryContentKind.Digest;

    public async Task<IReadOnlyDictionary<long, DeliveryContent>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var digests = await db.Digests.AsNoTracking()
            .Where(d => ids.Contains(d.Id))
            .Select(d => new { d.Id, d.WindowKey, d.Status })
            .ToListAsync(ct);
        // Items flat and apart: SQLite plans a nested collection as a join over every digest item ever sent.
        var items = (await db.DigestItems.AsNoTracking()
                .Where(i => ids.Contains(i.DigestId))
                .Select(i => new
                {
                    i.DigestId, i.Position, i.ArticleId, i.Article!.Title, i.Article.Summary, i.Article.Slug, Column = i.Article.Column!.Name, i.Reason,
                    Image = i.Article.FeatureImage == null ? null
                        : new ImageRef(i.Article.FeatureImage.Key, i.Article.FeatureImage.Width, i.Article.FeatureImage.Height, i.Article.FeatureImage.VariantWidths, i.Article.FeatureImageAlt ?? ""),
                })
                .ToListAsync(ct))
            .ToLookup(i => i.DigestId);
        var contents = new Dictionary<long, DeliveryContent>(digests.Count);
        foreach (var d in digests)
        {
            var stories = items[d.Id].OrderBy(i => i.Position)
                .Select(i => new ContentStory(i.ArticleId, i.Title, i.Summary, i.Column, i.Slug, i.Reason, i.Image)).ToList();
            var title = Title(d.WindowKey, stories.Count);
            contents[d.Id] = new DeliveryContent(DeliveryContentKind.Digest, d.Id, title, string.Join(" · ", stories.Take(3).Select(s => s.Title)), "/inbox", stories)
            {
                WithdrawnReason = d.Status == DigestStatus.Merged ? "merged into a newer digest" : null,
            };
        }
        return contents;
    }

    public Task OnSentAsync(IReadOnlyCollection<long> ids, CancellationToken ct) =>
        db.Digests.Where(d => ids.Contains(d.Id) && d.Status == DigestStatus.Composed)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DigestStatus.Delivered), ct);

    /// <summary>"Your daily digest 23 Nov 2026: 5 stories".</summary>
    public static string Title(string windowKey, int items)
    {
        var parts = windowKey.Split(':');
        var kind = parts[0] == "weekly" ? "weekly" : "daily";
        var date = parts.Length > 1 && DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", out var d) ? d.ToString("d MMM yyyy", CultureInfo.InvariantCulture) : "";
        return $"Your {kind} digest {date}: {items} stories".Replace("  ", " ", StringComparison.Ordinal);
    }
}
