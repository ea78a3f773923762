using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace NewsPush.Web.Push.Channels;

public sealed record EmailStory(string Title, string Summary, string ColumnName, string Reason, string Url);

public sealed record EmailModel(string DisplayName, string Subject, string? Intro, IReadOnlyList<EmailStory> Stories, string PreferencesUrl, string UnsubscribeUrl, string OpenPixelUrl);

/// <summary>
/// The e-mail of any content — a digest's list of stories, or one story with an intro — HTML and plain text from one
/// model; every value is encoded for its part.
/// </summary>
public static class EmailTemplate
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

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
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(Html.Encode(m.Subject)).Append("</title></head>");
        sb.Append("<body style=\"font-family:Arial,Helvetica,sans-serif;color:#222;max-width:640px;margin:0 auto;padding:16px\">");
        sb.Append("<p>Hello ").Append(Html.Encode(m.DisplayName)).Append(",</p>");
        sb.Append("<h1 style=\"font-size:20px\">").Append(Html.Encode(m.Subject)).Append("</h1>");
        if (!string.IsNullOrWhiteSpace(m.Intro))
        {
            sb.Append("<p>").Append(Html.Encode(m.Intro)).Append("</p>");
        }
        sb.Append("<ol style=\"padding-left:20px\">");
        foreach (var s in m.Stories)
        {
            sb.Append("<li style=\"margin-bottom:14px\"><a href=\"").Append(Html.Encode(s.Url)).Append("\" style=\"font-weight:bold;color:#0d6efd\">")
                .Append(Html.Encode(s.Title)).Append("</a><br><span style=\"font-size:13px;color:#555\">")
                .Append(Html.Encode(s.ColumnName)).Append(" · ").Append(Html.Encode(s.Reason)).Append("</span>");
            if (!string.IsNullOrWhiteSpace(s.Summary))
            {
                sb.Append("<br><span style=\"font-size:14px\">").Append(Html.Encode(s.Summary)).Append("</span>");
            }
            sb.Append("</li>");
        }
        sb.Append("</ol><hr><p style=\"font-size:12px;color:#777\"><a href=\"").Append(Html.Encode(m.PreferencesUrl)).Append("\">Change what you receive</a> · ")
            .Append("<a href=\"").Append(Html.Encode(m.UnsubscribeUrl)).Append("\">Unsubscribe</a></p>");
        sb.Append("<img src=\"").Append(Html.Encode(m.OpenPixelUrl)).Append("\" width=\"1\" height=\"1\" alt=\"\"></body></html>");
        return sb.ToString();
    }
}
