using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace NewsPush.Web.Media;

/// <summary>
/// Serves stored pictures. A URL names the content (its key is a hash of the stored original), so what it names never
/// changes: browsers and CDNs may keep it for a year without asking again.
/// </summary>
[Route("media")]
public sealed class MediaController(MediaLibrary library) : Controller
{
    [HttpGet("{key:regex(^[[0-9a-f]]{{32}}$)}/{name}")]
    public async Task<IActionResult> Get(string key, string name, CancellationToken ct)
    {
        var etag = new EntityTagHeaderValue($"\"{key}-{name}\"");
        var file = await library.FindAsync(key, name, ct);
        if (file is null)
        {
            Response.Headers.CacheControl = "no-store";
            return NotFound();
        }
        Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        Response.Headers.XContentTypeOptions = "nosniff";
        return File(file.Bytes, file.ContentType, lastModified: null, entityTag: etag);
    }
}
