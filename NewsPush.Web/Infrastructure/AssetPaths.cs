using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// The address of a file under wwwroot with its content hash (<c>/js/site.js?v=…</c>), as <c>asp-append-version</c>
/// writes it, for the scripts and style sheets every page links: without a script or link tag helper per tag, which
/// cost a signed-in page more than its own content. The hash is computed once per file and redone when the file changes
/// (<see cref="IFileVersionProvider"/>, the tag helpers' own cache).
/// </summary>
public static class AssetPaths
{
    public static string Asset(this IHtmlHelper html, string path)
    {
        var request = html.ViewContext.HttpContext.Request;
        var files = html.ViewContext.HttpContext.RequestServices.GetRequiredService<IFileVersionProvider>();
        return files.AddFileVersionToPath(request.PathBase, request.PathBase.Add(path).Value!);
    }
}
