namespace NewsPush.Web.Infrastructure;

/// <summary>Paging links shared by every list page.</summary>
public sealed record PagerViewModel(int Page, int PageCount, string BaseUrl)
{
    public string UrlFor(int page) => BaseUrl + (BaseUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "page=" + page;
}

public sealed record ErrorViewModel(int StatusCode)
{
    public string Title => StatusCode switch
    {
        404 => "Page not found",
        403 => "Access denied",
        429 => "Too many requests",
        _ => "Something went wrong",
    };
}
