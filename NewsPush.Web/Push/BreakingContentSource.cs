using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Media;

namespace NewsPush.Web.Push;

/// <summary>
/// The content of a <see cref="DeliveryContentKind.Breaking"/> delivery: a <see cref="PushCampaign"/> (its headline and
/// message) and its story. Critical campaigns may pass quiet hours.
/// </summary>
public sealed class BreakingContentSource(NewsPushDbContext db) : IDeliveryContentSource
{
    public DeliveryContentKind Kind => DeliveryContentKind.Breaking;

    public async Task<IReadOnlyDictionary<long, DeliveryContent>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var rows = await db.PushCampaigns.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new
            {
                c.Id, c.Title, c.Message, c.IsCritical, c.Status, c.CancelledAt, c.ArticleId, ArticleTitle = c.Article!.Title, c.Article.Summary, c.Article.Slug,
                Column = c.Article.Column!.Name,
                Image = c.Article.FeatureImage == null ? null
                    : new ImageRef(c.Article.FeatureImage.Key, c.Article.FeatureImage.Width, c.Article.FeatureImage.Height, c.Article.FeatureImage.VariantWidths, c.Article.FeatureImageAlt ?? ""),
            })
            .ToListAsync(ct);
        return rows.ToDictionary(c => c.Id, c => new DeliveryContent(DeliveryContentKind.Breaking, c.Id, c.Title,
            c.Message.Length > 0 ? c.Message : c.Summary, Slugs.ArticlePath(c.Slug),
            [new ContentStory(c.ArticleId, c.ArticleTitle, c.Summary, c.Column, c.Slug, "breaking", c.Image)], c.IsCritical, CollapseKey: "story-" + c.ArticleId)
        {
            // A delivery already claimed when the push was cancelled does not go out either.
            WithdrawnReason = c.Status == CampaignStatus.Cancelled ? $"The push was cancelled at {c.CancelledAt:yyyy-MM-dd HH:mm} UTC before this went out." : null,
        });
    }
}
