using System.Globalization;
using System.Text;

namespace NewsPush.Web.Analytics;

/// <summary>The CSV download of each chart: the same rows as its table, RFC 4180 quoting, no formula injection.</summary>
public static class AnalyticsCsv
{
    public static string Write(IEnumerable<string> header, IEnumerable<IEnumerable<object?>> rows)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', header.Select(Cell)).Append("\r\n");
        foreach (var row in rows)
        {
            sb.AppendJoin(',', row.Select(v => Cell(v switch
            {
                null => "",
                double d => d.ToString("0.####", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => v.ToString() ?? "",
            }))).Append("\r\n");
        }
        return sb.ToString();
    }

    private static string Cell(string value)
    {
        // A title starting with = + - @ would be a formula in a spreadsheet.
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    public static string Overview(OverviewReport r) => Write(
        ["date", "sent", "failed", "opened_unique", "clicked_unique"],
        r.Series.Select(p => new object?[] { p.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.Sent, p.Failed, p.OpenedUnique, p.ClickedUnique }));

    public static string Channels(IReadOnlyList<ChannelFunnel> channels) => Write(
        ["channel", "queued", "sent", "failed", "delivered", "opened_unique", "opened_total", "clicked_unique", "clicked_total", "open_rate", "click_rate"],
        channels.Select(c => new object?[] { c.Channel.ToString(), c.Queued, c.Sent, c.Failed, c.Delivered, c.OpenedUnique, c.OpenedTotal, c.ClickedUnique, c.ClickedTotal, c.OpenRate, c.ClickRate }));

    public static string Timeline(ContentReport r) => Write(
        ["hours_since_start", "local_time", "sent", "opened_unique", "clicked_unique"],
        r.Timeline.Select(p => new object?[] { p.Hour, p.LocalTime, p.Sent, p.OpenedUnique, p.ClickedUnique }));

    public static string Articles(ContentReport r) => Write(
        ["article_id", "title", "clicked_unique", "clicked_total"],
        r.Articles.Select(a => new object?[] { a.ArticleId, a.Title, a.ClickedUnique, a.ClickedTotal }));

    public static string Column(ColumnReport r) => Write(
        ["date", "impressions", "clicks", "readers"],
        r.Series.Select(p => new object?[] { p.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.Impressions, p.Clicks, p.Readers }));

    public static string Recommender(RecommenderReport r) => Write(
        ["date", "source", "impressions", "clicks", "click_through"],
        r.Series.Select(p => new object?[] { p.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.Source, p.Impressions, p.Clicks, p.ClickThrough }));
}
