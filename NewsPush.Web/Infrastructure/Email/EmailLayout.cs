using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace NewsPush.Web.Infrastructure.Email;

/// <summary>
/// The frame every HTML e-mail of the site shares: the dark NewsPush masthead, one 600 px card that becomes the phone's
/// width, a footer, and colours that hold in dark mode (<c>color-scheme</c> metas, a <c>prefers-color-scheme</c> block,
/// explicit colours on every surface). Tables and inline styles for clients that ignore style sheets. Every value
/// passed in is encoded here; CJK stays as characters.
/// </summary>
public static class EmailLayout
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public const string Font = "-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif";

    public static string E(string value) => Html.Encode(value);

    /// <summary>Everything up to the inside of the card: head, preview line, masthead (with <paramref name="label"/>).</summary>
    public static void Open(StringBuilder sb, string subject, string preheader, string homeUrl, string label)
    {
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"supported-color-schemes\" content=\"light dark\">")
            .Append("<title>").Append(E(subject)).Append("</title><style>")
            .Append("body{margin:0;padding:0}")
            .Append("@media (max-width:620px){.np-container{width:100%!important}.np-pad{padding-left:16px!important;padding-right:16px!important}.np-thumb{display:none!important}}")
            .Append("@media (prefers-color-scheme:dark){.np-bg{background:#121417!important}.np-card{background:#1e2126!important;color:#e9ecef!important}")
            .Append(".np-muted{color:#adb5bd!important}.np-link{color:#8bb9fe!important}.np-rule{border-color:#343a40!important}}")
            .Append("</style></head>");
        sb.Append("<body class=\"np-bg\" style=\"margin:0;padding:0;background:#f1f3f5\">");
        // The preview line mail clients show after the subject.
        sb.Append("<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all\">").Append(E(preheader)).Append("</div>");
        sb.Append("<table role=\"presentation\" class=\"np-bg\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#f1f3f5\"><tr><td align=\"center\" style=\"padding:24px 8px\">");
        sb.Append("<table role=\"presentation\" class=\"np-container\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:600px;max-width:600px\">");
        // Masthead: the site's dark bar, the same in both schemes.
        sb.Append("<tr><td class=\"np-pad\" style=\"background:#212529;padding:16px 24px;border-radius:8px 8px 0 0;font-family:").Append(Font).Append("\">")
            .Append("<a href=\"").Append(E(homeUrl)).Append("\" style=\"color:#ffffff;font-size:20px;font-weight:700;text-decoration:none\">NewsPush</a>");
        if (label.Length > 0)
        {
            sb.Append("<span style=\"color:#ced4da;font-size:14px\">&nbsp;&nbsp;").Append(E(label)).Append("</span>");
        }
        sb.Append("</td></tr>");
        sb.Append("<tr><td class=\"np-card np-pad\" style=\"background:#ffffff;color:#212529;padding:24px;font-family:").Append(Font)
            .Append(";font-size:16px;line-height:1.5;word-break:break-word;overflow-wrap:anywhere\">");
    }

    /// <summary>Closes the card; <paramref name="footerHtml"/> (already encoded) goes under it in small print.</summary>
    public static void Close(StringBuilder sb, string footerHtml, string? pixelUrl = null)
    {
        sb.Append("</td></tr>");
        sb.Append("<tr><td class=\"np-pad np-muted\" style=\"padding:16px 24px;color:#6c757d;font-family:").Append(Font).Append(";font-size:12px;line-height:1.5\">")
            .Append(footerHtml).Append("</td></tr></table></td></tr></table>");
        if (pixelUrl is not null)
        {
            sb.Append("<img src=\"").Append(E(pixelUrl)).Append("\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">");
        }
        sb.Append("</body></html>");
    }

    /// <summary>A link that looks like the site's primary button (white on #0b5ed7: 5.6:1), in both schemes.</summary>
    public static void Button(StringBuilder sb, string url, string text) =>
        sb.Append("<p style=\"margin:20px 0\"><a href=\"").Append(E(url))
            .Append("\" style=\"display:inline-block;background:#0b5ed7;color:#ffffff;font-weight:700;text-decoration:none;padding:10px 18px;border-radius:6px\">")
            .Append(E(text)).Append("</a></p>");

    /// <summary>A small-print link in the footer.</summary>
    public static string FooterLink(string url, string text) =>
        "<a class=\"np-link\" href=\"" + E(url) + "\" style=\"color:#495057\">" + E(text) + "</a>";
}
