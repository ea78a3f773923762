using System.Globalization;

namespace NewsPush.Recommender.Data;

/// <summary>
/// Reads the MIND benchmark's format (https://msnews.github.io): <c>news.tsv</c> (id, category,
/// subcategory, title, abstract, url, entities…) and <c>behaviors.tsv</c> (impression id, user id,
/// time "M/d/yyyy h:mm:ss tt", space-separated click history, "N123-1 N456-0" impressions).
/// Category becomes the column, subcategory a tag. MIND has no publication times: an article's
/// publication time is taken as the first time it appears in any impression (this only affects the
/// age feature and the recency baseline). Test-set impressions without labels ("N123") are read as
/// not clicked; use train/dev folders for evaluation.
/// </summary>
public static class MindImporter
{
    private static readonly string[] TimeFormats = ["M/d/yyyy h:mm:ss tt", "MM/dd/yyyy hh:mm:ss tt", "M/d/yyyy H:mm:ss"];

    /// <summary>Reads one MIND folder (containing news.tsv and behaviors.tsv).</summary>
    public static RecommenderDataset Read(string folder, int maxImpressions = int.MaxValue, MindIds? ids = null)
    {
        ids ??= new MindIds();
        var newsPath = Path.Combine(folder, "news.tsv");
        var behaviorsPath = Path.Combine(folder, "behaviors.tsv");
        if (!File.Exists(newsPath) || !File.Exists(behaviorsPath))
        {
            throw new FileNotFoundException($"A MIND folder needs news.tsv and behaviors.tsv: {folder}");
        }
        var news = new List<(int Id, string Category, string Subcategory, string Title, string Abstract)>();
        foreach (var line in File.ReadLines(newsPath))
        {
            var f = line.Split('\t');
            if (f.Length < 4)
            {
                continue;
            }
            news.Add((ids.Article(f[0]), f[1], f[2], f[3], f.Length > 4 ? f[4] : ""));
        }
        var impressions = new List<ImpressionRecord>();
        var firstSeen = new Dictionary<int, DateTime>();
        foreach (var line in File.ReadLines(behaviorsPath))
        {
            if (impressions.Count >= maxImpressions)
            {
                break;
            }
            var f = line.Split('\t');
            if (f.Length < 5)
            {
                continue;
            }
            var time = DateTime.SpecifyKind(DateTime.ParseExact(f[2].Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None), DateTimeKind.Utc);
            var history = f[3].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ids.Article).ToArray();
            var items = new List<ImpressionItem>();
            foreach (var token in f[4].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var dash = token.LastIndexOf('-');
                var id = ids.Article(dash > 0 ? token[..dash] : token);
                items.Add(new ImpressionItem(id, dash > 0 && token[(dash + 1)..] == "1"));
                if (!firstSeen.TryGetValue(id, out var seen) || time < seen)
                {
                    firstSeen[id] = time;
                }
            }
            impressions.Add(new ImpressionRecord(f[0], f[1], time, history, items));
        }
        var defaultTime = impressions.Count == 0 ? DateTime.UnixEpoch : impressions.Min(i => i.Time).AddDays(-7);
        var articles = news.Select(n => new ArticleInfo(n.Id, n.Title, n.Abstract, "", ids.Column(n.Category), n.Category,
            string.IsNullOrEmpty(n.Subcategory) ? [] : [n.Subcategory], firstSeen.TryGetValue(n.Id, out var t) ? t : defaultTime)).ToList();
        return new RecommenderDataset(articles, impressions, new Dictionary<string, ReaderInterests>());
    }

    /// <summary>
    /// Reads a downloaded benchmark: a folder with behaviors.tsv (split by time later), or a folder
    /// whose subfolders end in "train" and "dev"/"valid" (e.g. MINDsmall_train, MINDsmall_dev).
    /// </summary>
    public static (RecommenderDataset Train, RecommenderDataset? Test) ReadBenchmark(string folder, int maxImpressions = int.MaxValue)
    {
        if (File.Exists(Path.Combine(folder, "behaviors.tsv")))
        {
            return (Read(folder, maxImpressions), null);
        }
        var dirs = Directory.GetDirectories(folder);
        var train = dirs.FirstOrDefault(d => Path.GetFileName(d).EndsWith("train", StringComparison.OrdinalIgnoreCase))
            ?? throw new DirectoryNotFoundException($"No *train folder with behaviors.tsv in {folder}");
        var dev = dirs.FirstOrDefault(d => Path.GetFileName(d).EndsWith("dev", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(d).EndsWith("valid", StringComparison.OrdinalIgnoreCase));
        var ids = new MindIds();
        return (Read(train, maxImpressions, ids), dev is null ? null : Read(dev, maxImpressions, ids));
    }
}

/// <summary>Maps MIND string ids ("N12345", categories) to stable ints across train and dev.</summary>
public sealed class MindIds
{
    private readonly Dictionary<string, int> articles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> columns = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, int> Articles => articles;

    public int Article(string newsId)
    {
        if (!articles.TryGetValue(newsId, out var id))
        {
            id = articles.Count + 1;
            articles[newsId] = id;
        }
        return id;
    }

    public int Column(string category)
    {
        if (!columns.TryGetValue(category, out var id))
        {
            id = columns.Count + 1;
            columns[category] = id;
        }
        return id;
    }
}
