namespace NewsPush.Data.Entities;

/// <summary>A reader's 1–5 star rating of an article; one per reader and article.</summary>
public class Rating
{
    public string UserId { get; set; } = "";
    public int ArticleId { get; set; }
    public Article? Article { get; set; }
    public int Stars { get; set; }
    public DateTime CreatedAt { get; set; }
}

public class Bookmark
{
    public string UserId { get; set; } = "";
    public int ArticleId { get; set; }
    public Article? Article { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A reader follows a column or a tag (<see cref="TargetId"/> is the column or tag id).</summary>
public class Follow
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public FollowKind Kind { get; set; }
    public int TargetId { get; set; }
    /// <summary>True when picked at onboarding as a declared interest.</summary>
    public bool IsDeclaredInterest { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Reading history: one row per reader and article read.</summary>
public class ArticleRead
{
    public string UserId { get; set; } = "";
    public int ArticleId { get; set; }
    public Article? Article { get; set; }
    public DateTime FirstReadAt { get; set; }
    public DateTime LastReadAt { get; set; }
    public int ReadCount { get; set; }
    public double DwellSeconds { get; set; }
}

/// <summary>An event the recommender learns from (impression, click, dwell, rating, …).</summary>
public class Interaction
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public int ArticleId { get; set; }
    public InteractionType Type { get; set; }
    /// <summary>Dwell seconds, rating stars, list position — depending on <see cref="Type"/>.</summary>
    public double Value { get; set; }
    /// <summary>Where it happened: "home", "column", "foryou", "digest", "search", …</summary>
    public string? Source { get; set; }
    public DateTime OccurredAt { get; set; }
}
