using NewsPush.Data.Entities;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Digests;

/// <summary>An article a digest may contain: published, fresh, in a visible column.</summary>
public readonly record struct DigestCandidate(int ArticleId, int ColumnId);

/// <summary>
/// Picks a reader's digest items from the recommender's ranking: fresh, in the reader's topics, not sent
/// before, no more than <see cref="DigestOptions.MaxPerColumn"/> per column while the ranking offers others,
/// then the items of an unopened previous digest carried over.
/// </summary>
public sealed class DigestComposer(int itemsPerDigest, int maxPerColumn)
{
    public List<DigestItem> Compose(
        IReadOnlyList<Recommendation> ranking,
        IReadOnlyDictionary<int, DigestCandidate> fresh,
        IReadOnlySet<int> alreadySent,
        IReadOnlySet<int>? topics,
        IReadOnlyList<DigestItem> carried)
    {
        var eligible = ranking
            .Where(r => fresh.TryGetValue(r.ArticleId, out var c) && !alreadySent.Contains(r.ArticleId)
                && (topics is null || topics.Count == 0 || topics.Contains(c.ColumnId)))
            .DistinctBy(r => r.ArticleId)
            .ToList();
        var picked = new List<Recommendation>(itemsPerDigest);
        var perColumn = new Dictionary<int, int>();
        foreach (var r in eligible)
        {
            if (picked.Count == itemsPerDigest)
            {
                break;
            }
            var column = fresh[r.ArticleId].ColumnId;
            var n = perColumn.GetValueOrDefault(column);
            if (n >= maxPerColumn)
            {
                continue;
            }
            perColumn[column] = n + 1;
            picked.Add(r);
        }
        // Too few columns to be diverse: fill up with the best of the rest rather than send less.
        foreach (var r in eligible)
        {
            if (picked.Count == itemsPerDigest)
            {
                break;
            }
            if (!picked.Contains(r))
            {
                picked.Add(r);
            }
        }

        var items = picked.Select((r, i) => new DigestItem { ArticleId = r.ArticleId, Position = i + 1, Score = r.Score, Reason = Truncate(r.Reason) }).ToList();
        var ids = items.Select(i => i.ArticleId).ToHashSet();
        foreach (var c in carried.OrderBy(c => c.Position))
        {
            if (items.Count >= itemsPerDigest * 2)
            {
                break;
            }
            if (ids.Add(c.ArticleId))
            {
                items.Add(new DigestItem { ArticleId = c.ArticleId, Position = items.Count + 1, Score = c.Score, Reason = c.Reason });
            }
        }
        return items;
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200];
}
