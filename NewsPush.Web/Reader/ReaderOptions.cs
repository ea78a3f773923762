using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Reader;

/// <summary>One fixed-window limit: at most <see cref="PermitLimit"/> requests per <see cref="WindowSeconds"/>.</summary>
public sealed class RateLimitRule
{
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 10;

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;
}

/// <summary>The "RateLimits" section: per user (or per IP when anonymous) limits on sensitive forms.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";
    public const string LoginPolicy = "login";
    public const string CommentPolicy = "comment";

    [Required]
    public RateLimitRule Login { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };

    /// <summary>Register, resend-confirmation and forgot-password together, per client address and per e-mail address (Account.AccountThrottle).</summary>
    [Required]
    public RateLimitRule Register { get; set; } = new() { PermitLimit = 5, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule Comment { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };
}

/// <summary>The "Reader" section: page sizes and cache lifetimes of the reader site.</summary>
public sealed class ReaderOptions
{
    public const string SectionName = "Reader";

    [Range(1, 100)]
    public int PageSize { get; set; } = 12;

    [Range(0, 3600)]
    public int ArticleCacheSeconds { get; set; } = 60;

    /// <summary>How often reading history gathered in memory is written (<see cref="ReadingHistory"/>).</summary>
    [Range(50, 60_000)]
    public int HistoryFlushMilliseconds { get; set; } = 1000;

    /// <summary>Reads waiting beyond this many (the database down for long) are not recorded, so memory stays bounded.</summary>
    [Range(1000, 10_000_000)]
    public int HistoryMaxPending { get; set; } = 200_000;

    /// <summary>How long a reader's own state (ratings, bookmarks, follows) is kept in memory; changes evict it at once.</summary>
    [Range(0, 3600)]
    public int ReaderStateCacheSeconds { get; set; } = 120;
}
