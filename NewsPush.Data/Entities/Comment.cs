namespace NewsPush.Data.Entities;

public class Comment
{
    public long Id { get; set; }
    public int ArticleId { get; set; }
    public Article? Article { get; set; }
    /// <summary>Null once the author's account is deleted (the comment stays, anonymized).</summary>
    public string? AuthorId { get; set; }
    public ApplicationUser? Author { get; set; }
    public long? ParentId { get; set; }
    public Comment? Parent { get; set; }
    public List<Comment> Replies { get; set; } = [];
    /// <summary>What the author typed (Markdown, raw HTML off).</summary>
    public string Body { get; set; } = "";
    /// <summary>Rendered and sanitized HTML; the only form ever shown.</summary>
    public string BodyHtml { get; set; } = "";
    public CommentStatus Status { get; set; }
    public int ReportCount { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? EditedAt { get; set; }
}

public class CommentReport
{
    public long Id { get; set; }
    public long CommentId { get; set; }
    public Comment? Comment { get; set; }
    public string ReporterId { get; set; } = "";
    public string Reason { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
}
