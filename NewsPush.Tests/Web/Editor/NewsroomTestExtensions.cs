using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

internal static class NewsroomTestExtensions
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Creates an article through the editor's form and returns its id.</summary>
    public static async Task<int> CreateArticleAsync(this HttpClient editor, string title, int columnId, string body = "Some **bold** text.")
    {
        var response = await editor.PostFormAsync("/editor/articles/new", new Dictionary<string, string>
        {
            ["Form.Title"] = title, ["Form.Summary"] = "A summary.", ["Form.BodyMarkdown"] = body,
            ["Form.ColumnId"] = columnId.ToString(), ["Form.Tags"] = "elections, 测试", ["Form.Language"] = "en",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return int.Parse(response.Headers.Location!.OriginalString.Split('/').Last());
    }

    public static Task<HttpResponseMessage> TransitionAsync(this HttpClient editor, int articleId, string action, DateTime? scheduledAt = null)
    {
        var fields = new Dictionary<string, string> { ["action"] = action };
        if (scheduledAt is { } at)
        {
            fields["scheduledAt"] = at.ToString("yyyy-MM-ddTHH:mm:ss");
        }
        return editor.PostFormAsync($"/editor/articles/{articleId}", fields, $"/editor/articles/{articleId}/transition");
    }

    public static Task<ArticleStatus> StatusOfAsync(this NewsPushFactory factory, int articleId) =>
        factory.WithDbAsync(db => db.Articles.Where(a => a.Id == articleId).Select(a => a.Status).SingleAsync());

    public static Task<Column> FirstVisibleColumnAsync(this NewsPushFactory factory) =>
        factory.WithDbAsync(db => db.Columns.AsNoTracking().Where(c => !c.IsHidden).OrderBy(c => c.SortOrder).FirstAsync());
}
