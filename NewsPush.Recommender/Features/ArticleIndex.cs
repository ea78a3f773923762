using NewsPush.Recommender.Text;

namespace NewsPush.Recommender.Features;

/// <summary>
/// Articles laid out for fast scoring: dense indexes, text vectors in one contiguous array,
/// column and tag indexes, publication ticks, and column centroids (for cold-start readers).
/// Immutable once built, so one instance is shared by all scoring threads.
/// </summary>
public sealed class ArticleIndex
{
    private readonly Dictionary<int, int> indexById;
    private readonly Dictionary<int, int> columnIndexById;
    private readonly Dictionary<string, int> tagIndexByName;

    public ArticleIndex(IReadOnlyList<ArticleInfo> articles, TextVectorizer vectorizer)
    {
        Articles = articles;
        Vectorizer = vectorizer;
        Dimensions = vectorizer.Dimensions;
        Count = articles.Count;
        Vectors = new float[Count * Dimensions];
        ColumnOf = new int[Count];
        PublishedTicks = new long[Count];
        TagsOf = new int[Count][];
        indexById = new Dictionary<int, int>(Count);
        columnIndexById = [];
        tagIndexByName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var columnNames = new List<string>();
        var tagNames = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            var a = articles[i];
            indexById[a.Id] = i;
            if (!columnIndexById.TryGetValue(a.ColumnId, out var col))
            {
                col = columnIndexById.Count;
                columnIndexById[a.ColumnId] = col;
                columnNames.Add(a.ColumnName);
            }
            ColumnOf[i] = col;
            PublishedTicks[i] = a.PublishedAt.Ticks;
            var tags = new int[a.Tags.Count];
            for (var t = 0; t < tags.Length; t++)
            {
                if (!tagIndexByName.TryGetValue(a.Tags[t], out var tag))
                {
                    tag = tagIndexByName.Count;
                    tagIndexByName[a.Tags[t]] = tag;
                    tagNames.Add(a.Tags[t]);
                }
                tags[t] = tag;
            }
            TagsOf[i] = tags;
        }
        Parallel.For(0, Count, i => vectorizer.Vectorize(articles[i], Vectors.AsSpan(i * Dimensions, Dimensions)));
        HasText = new bool[Count];
        for (var i = 0; i < Count; i++)
        {
            HasText[i] = VectorMath.Dot(Vector(i), Vector(i)) > 0;
        }
        ColumnNames = columnNames;
        TagNames = tagNames;
        ColumnCentroids = new float[ColumnCount * Dimensions];
        var counts = new int[ColumnCount];
        for (var i = 0; i < Count; i++)
        {
            counts[ColumnOf[i]]++;
            var c = ColumnCentroids.AsSpan(ColumnOf[i] * Dimensions, Dimensions);
            var v = Vector(i);
            for (var d = 0; d < Dimensions; d++)
            {
                c[d] += v[d];
            }
        }
        for (var c = 0; c < ColumnCount; c++)
        {
            VectorMath.Normalize(ColumnCentroids.AsSpan(c * Dimensions, Dimensions));
        }
    }

    public IReadOnlyList<ArticleInfo> Articles { get; }
    public TextVectorizer Vectorizer { get; }
    public int Count { get; }
    public int Dimensions { get; }
    public float[] Vectors { get; }
    public int[] ColumnOf { get; }
    public int[][] TagsOf { get; }
    public long[] PublishedTicks { get; }

    /// <summary>False for articles known only by id (no title, summary or body): only behaviour ranks them.</summary>
    public bool[] HasText { get; }
    public float[] ColumnCentroids { get; }
    public IReadOnlyList<string> ColumnNames { get; }
    public IReadOnlyList<string> TagNames { get; }
    public int ColumnCount => ColumnNames.Count;
    public int TagCount => TagNames.Count;

    public ReadOnlySpan<float> Vector(int index) => Vectors.AsSpan(index * Dimensions, Dimensions);

    public ReadOnlySpan<float> Centroid(int columnIndex) => ColumnCentroids.AsSpan(columnIndex * Dimensions, Dimensions);

    public bool TryGetIndex(int articleId, out int index) => indexById.TryGetValue(articleId, out index);

    public int ColumnIndex(int columnId) => columnIndexById.TryGetValue(columnId, out var c) ? c : -1;

    public int TagIndex(string tag) => tagIndexByName.TryGetValue(tag, out var t) ? t : -1;
}
