using NewsPush.Data.Entities;
using NewsPush.Web.Media;

namespace NewsPush.Web.Push;

/// <summary>One story in a delivery: the digest's items, or the single article of a breaking-news push; its feature image when it has one.</summary>
public sealed record ContentStory(int ArticleId, string Title, string Summary, string ColumnName, string Slug, string Reason, ImageRef? Image = null);

/// <summary>
/// What a delivery carries, in the one shape every channel renders from: a title, a summary, a link and the stories.
/// Loaded for a batch by the <see cref="IDeliveryContentSource"/> of its kind.
/// </summary>
public sealed record DeliveryContent(
    DeliveryContentKind Kind,
    long Id,
    string Title,
    string Summary,
    string? Url,
    IReadOnlyList<ContentStory> Stories,
    bool IsCritical = false,
    string? CollapseKey = null)
{
    /// <summary>Set when the content must not go out any more (e.g. a digest merged into a newer one): the delivery is Suppressed with this reason.</summary>
    public string? WithdrawnReason { get; init; }
}

/// <summary>
/// Loads the content of one kind for a batch of deliveries, and hears which were sent. A feature that produces
/// deliveries (digests, breaking news, broadcasts, alerts, tests) registers one with <c>AddDeliveryContent</c>.
/// </summary>
public interface IDeliveryContentSource
{
    DeliveryContentKind Kind { get; }

    /// <summary>The content by id; ids that no longer exist are left out (their deliveries fail with that reason).</summary>
    Task<IReadOnlyDictionary<long, DeliveryContent>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct);

    /// <summary>Called after deliveries of these contents were recorded Sent.</summary>
    Task OnSentAsync(IReadOnlyCollection<long> ids, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>A claimed delivery with its content, as a channel receives it.</summary>
public sealed record OutboundDelivery(Delivery Delivery, DeliveryContent Content)
{
    public long Id => Delivery.Id;
    public string UserId => Delivery.UserId;
}
