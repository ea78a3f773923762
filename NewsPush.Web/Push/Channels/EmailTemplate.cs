using System.Globalization;
using System.Text;
using NewsPush.Web.Infrastructure.Email;

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
/// model; every value is encoded for its part. The HTML is framed by <see cref="EmailLayout"/> (the site's masthead, one
/// column that narrows to the phone, dark-mode safe colours), with the lead story's picture and thumbnails.
/// </summary>
public static class EmailTemplate
{
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
        EmailLayout.Open(sb, m.Subject, !string.IsNullOrWhiteSpace(m.Intro) ? m.Intro : string.Join(" · ", m.Stories.Take(3).Select(s => s.Title)), m.HomeUrl, m.Label);
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
        EmailLayout.Close(sb, "You get this because of your NewsPush preferences. " + EmailLayout.FooterLink(m.PreferencesUrl, "Change what you receive") + " · "
            + EmailLayout.FooterLink(m.UnsubscribeUrl, "Unsubscribe"), m.OpenPixelUrl);
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

    private static string E(string value) => EmailLayout.E(value);
}
