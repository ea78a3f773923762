using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Media;

/// <summary>
/// The request size limit of an upload endpoint, from <see cref="MediaOptions.MaxUploadBytes"/> (plus room for the form's
/// other fields), set before the body is read (before antiforgery reads the form, like <c>[RequestSizeLimit]</c>); larger
/// requests are cut off by the server instead of being buffered.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MediaUploadLimitAttribute : Attribute, IAuthorizationFilter, IOrderedFilter
{
    private const long FormOverhead = 64 * 1024;

    public int Order => -2000;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        var limit = context.HttpContext.RequestServices.GetRequiredService<IOptions<MediaOptions>>().Value.MaxUploadBytes + FormOverhead;
        if (context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        context.HttpContext.Features.Set<IFormFeature>(new FormFeature(context.HttpContext.Request, new FormOptions
        {
            MultipartBodyLengthLimit = limit,
            ValueCountLimit = 20,
        }));
    }
}
