using Ganss.Xss;
using Markdig;

namespace NewsPush.Web.Reader;

/// <summary>
/// Markdown to safe HTML. Raw HTML in the source is not rendered, and the output still goes through an
/// allow-list sanitizer, so no script, event handler or javascript: URL can reach a page.
/// </summary>
public sealed class MarkdownRenderer
{
    private static readonly MarkdownPipeline ArticlePipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions().DisableHtml().Build();

    private static readonly MarkdownPipeline CommentPipeline = new MarkdownPipelineBuilder()
        .UseAutoLinks().UseEmphasisExtras().DisableHtml().Build();

    private static readonly MarkdownPipeline PlainPipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    private readonly HtmlSanitizer articleSanitizer = CreateSanitizer(
        ["p", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "a", "code", "pre", "blockquote", "ul", "ol", "li", "br", "hr",
         "table", "thead", "tbody", "tr", "th", "td", "img", "figure", "figcaption", "sup", "sub"],
        ["href", "title", "src", "alt", "id"]);

    private readonly HtmlSanitizer commentSanitizer = CreateSanitizer(
        ["p", "em", "strong", "del", "a", "code", "pre", "blockquote", "ul", "ol", "li", "br"],
        ["href", "title"]);

    public string RenderArticle(string markdown) =>
        articleSanitizer.Sanitize(Markdown.ToHtml(markdown ?? "", ArticlePipeline));

    public string RenderComment(string markdown) =>
        commentSanitizer.Sanitize(Markdown.ToHtml(markdown ?? "", CommentPipeline));

    /// <summary>The text without markup, for snippets, feeds and the search index.</summary>
    public static string ToPlainText(string markdown) =>
        Markdown.ToPlainText(markdown ?? "", PlainPipeline).Trim();

    /// <summary>About 230 English words or 400 Chinese characters a minute; at least one minute.</summary>
    public static int ReadingMinutes(string markdown)
    {
        var text = markdown ?? "";
        var cjk = text.Count(TextSegmenter.IsCjk);
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return Math.Max(1, (int)Math.Round(cjk / 400.0 + (cjk > 0 ? 0 : words / 230.0)));
    }

    private static HtmlSanitizer CreateSanitizer(string[] tags, string[] attributes)
    {
        var options = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(tags, StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = new HashSet<string>(attributes, StringComparer.OrdinalIgnoreCase),
            AllowedSchemes = new HashSet<string>(["http", "https", "mailto"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(["href", "src"], StringComparer.OrdinalIgnoreCase),
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        };
        var sanitizer = new HtmlSanitizer(options);
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link)
            {
                link.SetAttribute("rel", "nofollow ugc noopener noreferrer");
            }
        };
        return sanitizer;
    }
}
