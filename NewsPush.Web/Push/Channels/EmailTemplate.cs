using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace NewsPush.Web.Push.Channels;

/// <summary>A picture in an e-mail: an absolute JPEG URL (every mail client shows JPEG; WebP not), its alt text and the size of that copy.</summary>
public sealed record EmailImage(string Url, string Alt, int Width, int Height);

public sealed record EmailStory(string Title, string Summary, string ColumnName, string Reason, string Url, EmailImage? Image = null);

public sealed record EmailModel(string DisplayName, string Subject, string? Intro, IReadOnlyList<EmailStory> Stories, string PreferencesUrl, string UnsubscribeUrl, string OpenPixelUrl)
{
    /// <summary>The site's address, for the masthead.</summary>
    public string HomeUrl { get; init; } = "/";

    /// <summary>What kind of message this is, beside the masthead ("Breaking news", "Your digest").</summary>
    public string Label { get; init; } = "";

    public bool IsCritical { get; init; }
}

/// <summary>
/// The e-mail of any content — a digest's list of stories, or one story with an intro — HTML and plain text from one
/// model; every value is encoded for its part. The HTML looks like the site: its dark masthead, one 600 px column that
/// narrows to the phone, the lead story's picture; tables and inline styles for the clients that ignore style sheets,
/// a <c>prefers-color-scheme</c> block and explicit colours on every surface so dark-mode clients keep the contrast.
/// </summary>
public static class EmailTemplate
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    private const string Font = "-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif";

    public static string RenderText(EmailModel m)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Hello {m.DisplayName},\n\n{m.Subject}\n\n");
        if (!string.IsNullOrWhiteSpace(m.Intro))
        {
            sb.Append(m.Intro).Append("\n\n");
        }
        var n = 1;
        foreach (var s in m.Stories)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{n++}. {s.Title}\n   {s.ColumnName} · {s.Reason}\n   {s.Url}\n\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"--\nChange what you receive: {m.PreferencesUrl}\nUnsubscribe from these e-mails: {m.UnsubscribeUrl}\n");
        return sb.ToString();
    }

    public static string RenderHtml(EmailModel m)
    {
        var sb = new StringBuilder(4096);
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"supported-color-schemes\" content=\"light dark\">")
            .Append("<title>").Append(E(m.Subject)).Append("</title><style>")
            .Append("body{margin:0;padding:0}")
            .Append("@media (max-width:620px){.np-container{width:100%!important}.np-pad{padding-left:16px!important;padding-right:16px!important}.np-thumb{display:none!important}}")
            .Append("@media (prefers-color-scheme:dark){.np-bg{background:#121417!important}.np-card{background:#1e2126!important;color:#e9ecef!important}")
            .Append(".np-muted{color:#adb5bd!important}.np-link{color:#8bb9fe!important}.np-rule{border-color:#343a40!important}}")
            .Append("</style></head>");
        sb.Append("<body class=\"np-bg\" style=\"margin:0;padding:0;background:#f1f3f5\">");
        // The preview line mail clients show after the subject.
        sb.Append("<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all\">")
            .Append(E(!string.IsNullOrWhiteSpace(m.Intro) ? m.Intro : string.Join(" · ", m.Stories.Take(3).Select(s => s.Title)))).Append("</div>");
        sb.Append("<table role=\"presentation\" class=\"np-bg\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#f1f3f5\"><tr><td align=\"center\" style=\"padding:24px 8px\">");
        sb.Append("<table role=\"presentation\" class=\"np-container\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:600px;max-width:600px\">");

        // Masthead: the site's dark bar, the same in both schemes.
        sb.Append("<tr><td class=\"np-pad\" style=\"background:#212529;padding:16px 24px;border-radius:8px 8px 0 0;font-family:").Append(Font).Append("\">")
            .Append("<a href=\"").Append(E(m.HomeUrl)).Append("\" style=\"color:#ffffff;font-size:20px;font-weight:700;text-decoration:none\">NewsPush</a>");
        if (m.Label.Length > 0)
        {
            sb.Append("<span style=\"color:#ced4da;font-size:14px\">&nbsp;&nbsp;").Append(E(m.Label)).Append("</span>");
        }
        sb.Append("</td></tr>");

        sb.Append("<tr><td class=\"np-card np-pad\" style=\"background:#ffffff;color:#212529;padding:24px;font-family:").Append(Font).Append(";font-size:16px;line-height:1.5;word-break:break-word;overflow-wrap:anywhere\">");
        if (m.IsCritical)
        {
            sb.Append("<p style=\"margin:0 0 8px\"><span style=\"display:inline-block;background:#b02a37;color:#ffffff;font-size:12px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;padding:2px 8px;border-radius:4px\">Breaking</span></p>");
        }
        sb.Append("<p class=\"np-muted\" style=\"margin:0 0 4px;color:#495057;font-size:14px\">Hello ").Append(E(m.DisplayName)).Append(",</p>");
        sb.Append("<h1 style=\"margin:0 0 12px;font-size:24px;line-height:1.25\">").Append(E(m.Subject)).Append("</h1>");
        if (!string.IsNullOrWhiteSpace(m.Intro))
        {
            sb.Append("<p style=\"margin:0 0 16px\">").Append(E(m.Intro)).Append("</p>");
        }
        for (var i = 0; i < m.Stories.Count; i++)
        {
            Story(sb, m.Stories[i], lead: i == 0);
        }
        sb.Append("</td></tr>");

        sb.Append("<tr><td class=\"np-pad np-muted\" style=\"padding:16px 24px;color:#6c757d;font-family:").Append(Font).Append(";font-size:12px;line-height:1.5\">")
            .Append("You get this because of your NewsPush preferences. ")
            .Append("<a class=\"np-link\" href=\"").Append(E(m.PreferencesUrl)).Append("\" style=\"color:#495057\">Change what you receive</a> · ")
            .Append("<a class=\"np-link\" href=\"").Append(E(m.UnsubscribeUrl)).Append("\" style=\"color:#495057\">Unsubscribe</a>")
            .Append("</td></tr></table></td></tr></table>");
        sb.Append("<img src=\"").Append(E(m.OpenPixelUrl)).Append("\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\"></body></html>");
        return sb.ToString();
    }

    private static void Story(StringBuilder sb, EmailStory s, bool lead)
    {
        var rule = lead ? "" : "border-top:1px solid #dee2e6;";
        sb.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"table-layout:fixed\"><tr>");
        if (lead && s.Image is { } picture)
        {
            sb.Append("<td style=\"padding:0 0 12px\"><a href=\"").Append(E(s.Url)).Append("\"><img src=\"").Append(E(picture.Url)).Append("\" alt=\"").Append(E(picture.Alt))
                .Append("\" width=\"552\" style=\"display:block;width:100%;max-width:552px;height:auto;border:0;border-radius:6px\"></a></td></tr><tr>");
        }
        sb.Append("<td class=\"np-rule\" valign=\"top\" style=\"").Append(rule).Append("padding:12px 0\">")
            .Append("<p class=\"np-muted\" style=\"margin:0 0 2px;color:#6c757d;font-size:12px;text-transform:uppercase;letter-spacing:.04em\">").Append(E(s.ColumnName)).Append("</p>")
            .Append("<a class=\"np-link\" href=\"").Append(E(s.Url)).Append("\" style=\"color:#0b5ed7;font-size:").Append(lead ? "20" : "17").Append("px;font-weight:700;text-decoration:none;line-height:1.3\">")
            .Append(E(s.Title)).Append("</a>");
        if (!string.IsNullOrWhiteSpace(s.Summary))
        {
            sb.Append("<p style=\"margin:4px 0 0;font-size:15px\">").Append(E(s.Summary)).Append("</p>");
        }
        sb.Append("<p class=\"np-muted\" style=\"margin:4px 0 0;color:#6c757d;font-size:12px\">").Append(E(s.Reason)).Append("</p></td>");
        if (!lead && s.Image is { } thumb)
        {
            sb.Append("<td class=\"np-thumb np-rule\" width=\"96\" valign=\"top\" style=\"").Append(rule).Append("padding:12px 0 12px 12px\"><a href=\"").Append(E(s.Url)).Append("\"><img src=\"")
                .Append(E(thumb.Url)).Append("\" alt=\"").Append(E(thumb.Alt)).Append("\" width=\"96\" style=\"display:block;width:96px;height:auto;border:0;border-radius:4px\"></a></td>");
        }
        sb.Append("</tr></table>");
    }

    private static string E(string value) => Html.Encode(value);
}
