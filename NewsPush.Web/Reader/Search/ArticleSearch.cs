using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using NewsPush.Web.Infrastructure;
using System.Data.Common;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Reader.Search;

/// <summary>One row of a provider's full-text match: the article and its relevance (higher is better).</summary>
public sealed class SearchHit
{
    public int ArticleId { get; set; }
    public double Rank { get; set; }
}

/// <summary>What one database engine contributes to search: its index writes and its ranked match query.</summary>
public interface IFullTextProvider
{
    /// <summary>A composable query of matching article ids with their rank, or null when the terms give no query.</summary>
    IQueryable<SearchHit> Match(NewsPushDbContext db, IReadOnlyList<SearchTerm> terms);

    Task UpsertAsync(NewsPushDbContext db, int articleId, string title, string body, CancellationToken ct);

    Task DeleteAsync(NewsPushDbContext db, int articleId, CancellationToken ct);

    /// <summary>Ids of articles that have no index entry yet.</summary>
    Task<List<int>> MissingAsync(NewsPushDbContext db, CancellationToken ct);
}

public sealed record SearchRequest(string? Query, string? Column, DateOnly? From, DateOnly? To, int Page);

public sealed record SearchResultItem(string Slug, string TitleHtml, string SnippetHtml, string ColumnName, string ColumnSlug, DateTime? PublishedAt);

public sealed record SearchResults(IReadOnlyList<SearchResultItem> Items, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// The last few thousand searches' results, for 30 seconds on the site's clock and until content is saved: the same
/// query asked by many readers (the news of the hour) runs once. Bounded by count, so a script of random queries cannot
/// grow it.
/// </summary>
public sealed class SearchResultCache(ContentChanges changes) : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 2_000;
    private const int MaxKeyLength = 300;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    private sealed record Entry(SearchResults Results, DateTime At);

    public static string? KeyOf(SearchRequest r) =>
        $"{r.Query}\n{r.Column}\n{r.From:O}\n{r.To:O}\n{r.Page}" is { Length: <= MaxKeyLength } key ? key : null;

    public bool TryGet(string key, DateTime now, out SearchResults results)
    {
        if (cache.TryGetValue(key, out Entry? e) && e is not null && (now - e.At).Duration() < Lifetime)
        {
            results = e.Results;
            return true;
        }
        results = null!;
        return false;
    }

    /// <summary>The token to store with, taken before the search ran: a save during the search expires the entry.</summary>
    public IChangeToken Token => changes.Token;

    public void Set(string key, SearchResults results, DateTime now, IChangeToken token) =>
        cache.Set(key, new Entry(results, now), new MemoryCacheEntryOptions { Size = 1 }.AddExpirationToken(token).SetAbsoluteExpiration(Lifetime));

    public void Dispose() => cache.Dispose();
}

/// <summary>Ranked full-text search over published articles, on whichever database is configured.</summary>
public sealed class ArticleSearchService(NewsPushDbContext db, IEnumerable<IFullTextProvider> providers, SearchResultCache cache, TimeProvider clock)
{
    public const int PageSize = 10;

    public static IFullTextProvider For(NewsPushDbContext db, IEnumerable<IFullTextProvider> providers)
    {
        var name = db.Database.ProviderName ?? "";
        Type type = name.Contains("Sqlite", StringComparison.Ordinal) ? typeof(SqliteFullText)
            : name.Contains("Npgsql", StringComparison.Ordinal) ? typeof(PostgreSqlFullText)
            : typeof(SqlServerFullText);
        return providers.First(p => p.GetType() == type);
    }

    /// <summary>The results of <paramref name="request"/>, from <see cref="SearchResultCache"/> when it was asked lately.</summary>
    public async Task<SearchResults> SearchAsync(SearchRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var key = SearchResultCache.KeyOf(request);
        if (key is not null && cache.TryGet(key, now, out var cached))
        {
            return cached;
        }
        var token = cache.Token;
        var results = await RunAsync(request, ct);
        if (key is not null)
        {
            cache.Set(key, results, now, token);
        }
        return results;
    }

    private async Task<SearchResults> RunAsync(SearchRequest request, CancellationToken ct)
    {
        var terms = TextSegmenter.QueryTerms(request.Query);
        var page = Math.Max(1, request.Page);
        if (terms.Count == 0)
        {
            return new SearchResults([], 0, page, PageSize);
        }
        var hits = For(db, providers).Match(db, terms);
        var articles = db.Articles.AsNoTracking().PubliclyVisible(clock.GetUtcNow().UtcDateTime);
        if (!string.IsNullOrEmpty(request.Column))
        {
            articles = articles.Where(a => a.Column!.Slug == request.Column);
        }
        if (request.From is { } from)
        {
            var fromUtc = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            articles = articles.Where(a => a.PublishedAt >= fromUtc);
        }
        if (request.To is { } to)
        {
            var toUtc = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            articles = articles.Where(a => a.PublishedAt < toUtc);
        }
        var joined = from h in hits
                     join a in articles on h.ArticleId equals a.Id
                     select new { h.Rank, a.Slug, a.Title, a.Summary, a.BodyMarkdown, ColumnName = a.Column!.Name, ColumnSlug = a.Column.Slug, a.PublishedAt };
        var total = await joined.CountAsync(ct);
        var rows = await joined.OrderByDescending(r => r.Rank).ThenByDescending(r => r.PublishedAt)
            .Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(ct);
        var words = TextSegmenter.HighlightWords(request.Query);
        var items = rows.Select(r => new SearchResultItem(
            r.Slug, Highlight(r.Title, words), Snippet(r.Summary + "\n" + MarkdownRenderer.ToPlainText(r.BodyMarkdown), words),
            r.ColumnName, r.ColumnSlug, r.PublishedAt)).ToList();
        return new SearchResults(items, total, page, PageSize);
    }

    /// <summary>HTML-encodes <paramref name="text"/> and wraps each occurrence of the words in &lt;mark&gt;.</summary>
    public static string Highlight(string text, IReadOnlyList<string> words)
    {
        if (words.Count == 0)
        {
            return WebUtility.HtmlEncode(text);
        }
        var pattern = new Regex(string.Join("|", words.Select(Regex.Escape)), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
        var sb = new StringBuilder();
        var last = 0;
        foreach (Match m in pattern.Matches(text))
        {
            sb.Append(WebUtility.HtmlEncode(text[last..m.Index])).Append("<mark>").Append(WebUtility.HtmlEncode(m.Value)).Append("</mark>");
            last = m.Index + m.Length;
        }
        sb.Append(WebUtility.HtmlEncode(text[last..]));
        return sb.ToString();
    }

    /// <summary>About 220 characters around the first occurrence of any word, highlighted.</summary>
    public static string Snippet(string text, IReadOnlyList<string> words, int length = 220)
    {
        text = Regex.Replace(text, @"\s+", " ").Trim();
        var first = words.Select(w => text.IndexOf(w, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(0).Min();
        var start = Math.Max(0, first - length / 3);
        var end = Math.Min(text.Length, start + length);
        var piece = text[start..end];
        return (start > 0 ? "… " : "") + Highlight(piece, words) + (end < text.Length ? " …" : "");
    }

    internal static string IndexTitle(string title) => TextSegmenter.ForIndex(title);

    internal static string IndexBody(string summary, string bodyMarkdown) =>
        TextSegmenter.ForIndex(summary + "\n" + MarkdownRenderer.ToPlainText(bodyMarkdown));
}

/// <summary>SQLite: an FTS5 table (unicode61 tokenizer over CJK-bigrammed text), ranked by bm25.</summary>
public sealed class SqliteFullText : IFullTextProvider
{
    public IQueryable<SearchHit> Match(NewsPushDbContext db, IReadOnlyList<SearchTerm> terms)
    {
        // Each term quoted (FTS5 string syntax, quotes doubled); Latin words also match as prefixes.
        var expr = string.Join(" ", terms.Select(t => "\"" + t.Text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" + (t.IsCjk ? "" : "*")));
        return db.Database.SqlQueryRaw<SearchHit>(
            "SELECT rowid AS ArticleId, -bm25(ArticleSearch, 8.0, 1.0) AS Rank FROM ArticleSearch WHERE ArticleSearch MATCH {0}", expr);
    }

    public async Task UpsertAsync(NewsPushDbContext db, int articleId, string title, string body, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync("DELETE FROM ArticleSearch WHERE rowid = {0}", [articleId], ct);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO ArticleSearch(rowid, Title, Body) VALUES ({0}, {1}, {2})", [articleId, title, body], ct);
    }

    public Task DeleteAsync(NewsPushDbContext db, int articleId, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("DELETE FROM ArticleSearch WHERE rowid = {0}", [articleId], ct);

    public Task<List<int>> MissingAsync(NewsPushDbContext db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<int>("SELECT Id AS Value FROM Articles WHERE Id NOT IN (SELECT rowid FROM ArticleSearch)").ToListAsync(ct);
}

/// <summary>PostgreSQL: a weighted tsvector ('simple' configuration over CJK-bigrammed text) with a GIN index, ranked by ts_rank_cd.</summary>
public sealed class PostgreSqlFullText : IFullTextProvider
{
    public IQueryable<SearchHit> Match(NewsPushDbContext db, IReadOnlyList<SearchTerm> terms)
    {
        // Terms hold only letters and digits (see TextSegmenter), so quoting them as lexemes is safe.
        var query = string.Join(" & ", terms.Select(t => "'" + t.Text + "'" + (t.IsCjk ? "" : ":*")));
        return db.Database.SqlQueryRaw<SearchHit>(
            "SELECT \"ArticleId\", ts_rank_cd(\"Document\", q)::float8 AS \"Rank\" FROM \"ArticleSearchDocuments\", to_tsquery('simple', {0}) AS q WHERE \"Document\" @@ q",
            query);
    }

    public Task UpsertAsync(NewsPushDbContext db, int articleId, string title, string body, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"ArticleSearchDocuments\" (\"ArticleId\", \"Document\") VALUES ({0}, setweight(to_tsvector('simple', {1}), 'A') || setweight(to_tsvector('simple', {2}), 'B')) " +
            "ON CONFLICT (\"ArticleId\") DO UPDATE SET \"Document\" = EXCLUDED.\"Document\"",
            [articleId, title, body], ct);

    public Task DeleteAsync(NewsPushDbContext db, int articleId, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("DELETE FROM \"ArticleSearchDocuments\" WHERE \"ArticleId\" = {0}", [articleId], ct);

    public Task<List<int>> MissingAsync(NewsPushDbContext db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<int>(
            "SELECT a.\"Id\" AS \"Value\" FROM \"Articles\" a WHERE NOT EXISTS (SELECT 1 FROM \"ArticleSearchDocuments\" d WHERE d.\"ArticleId\" = a.\"Id\")").ToListAsync(ct);
}

/// <summary>SQL Server: a full-text index (neutral word breaker over CJK-bigrammed text) queried with CONTAINSTABLE.</summary>
public sealed class SqlServerFullText : IFullTextProvider
{
    public IQueryable<SearchHit> Match(NewsPushDbContext db, IReadOnlyList<SearchTerm> terms)
    {
        var query = string.Join(" AND ", terms.Select(t => "\"" + t.Text + (t.IsCjk ? "" : "*") + "\""));
        return db.Database.SqlQueryRaw<SearchHit>(
            "SELECT ft.[KEY] AS ArticleId, CAST(ft.[RANK] AS float) AS Rank FROM CONTAINSTABLE(ArticleSearchDocuments, (Title, Body), {0}) AS ft",
            query);
    }

    public Task UpsertAsync(NewsPushDbContext db, int articleId, string title, string body, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(
            "MERGE ArticleSearchDocuments AS t USING (SELECT {0} AS ArticleId) AS s ON t.ArticleId = s.ArticleId " +
            "WHEN MATCHED THEN UPDATE SET Title = {1}, Body = {2} WHEN NOT MATCHED THEN INSERT (ArticleId, Title, Body) VALUES ({0}, {1}, {2});",
            [articleId, title, body], ct);

    public Task DeleteAsync(NewsPushDbContext db, int articleId, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("DELETE FROM ArticleSearchDocuments WHERE ArticleId = {0}", [articleId], ct);

    public Task<List<int>> MissingAsync(NewsPushDbContext db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<int>(
            "SELECT a.Id AS Value FROM Articles a WHERE NOT EXISTS (SELECT 1 FROM ArticleSearchDocuments d WHERE d.ArticleId = a.Id)").ToListAsync(ct);
}

/// <summary>Shared by the interceptor and the start-up backfill: writes one article's index entry.</summary>
public static class SearchIndexWriter
{
    public static async Task IndexAsync(NewsPushDbContext db, IFullTextProvider provider, IEnumerable<int> articleIds, CancellationToken ct)
    {
        var ids = articleIds.Distinct().ToList();
        foreach (var chunk in ids.Chunk(200))
        {
            var rows = await db.Articles.AsNoTracking().Where(a => chunk.Contains(a.Id))
                .Select(a => new { a.Id, a.Title, a.Summary, a.BodyMarkdown }).ToListAsync(ct);
            foreach (var a in rows)
            {
                await provider.UpsertAsync(db, a.Id, ArticleSearchService.IndexTitle(a.Title), ArticleSearchService.IndexBody(a.Summary, a.BodyMarkdown), ct);
            }
        }
    }
}
