namespace NewsPush.Data.Entities;

public class Article
{
    public int Id { get; set; }
    public int ColumnId { get; set; }
    public Column? Column { get; set; }
    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";
    public string Summary { get; set; } = "";
    public string BodyMarkdown { get; set; } = "";
    /// <summary>BCP 47 language of the text ("en", "zh").</summary>
    public string Language { get; set; } = "en";
    public ArticleStatus Status { get; set; }
    public DateTime? ScheduledAt { get; set; }
    public DateTime? PublishedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? AuthorId { get; set; }
    public ApplicationUser? Author { get; set; }
    /// <summary>The feature image shown on cards and atop the article; <see cref="FeatureImageAlt"/> is required with it.</summary>
    public int? FeatureImageId { get; set; }
    public MediaImage? FeatureImage { get; set; }
    public string? FeatureImageAlt { get; set; }
    /// <summary>Denormalized counters for "Popular" and the recommender; updated in batches.</summary>
    public int ViewCount { get; set; }
    public int CommentCount { get; set; }
    public int RatingCount { get; set; }
    public int RatingSum { get; set; }
    public List<ArticleTag> Tags { get; set; } = [];
    public List<Comment> Comments { get; set; } = [];
}

public class Tag
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public List<ArticleTag> Articles { get; set; } = [];
}

public class ArticleTag
{
    public int ArticleId { get; set; }
    public Article? Article { get; set; }
    public int TagId { get; set; }
    public Tag? Tag { get; set; }
}
