using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace NewsPush.Web.Media;

/// <summary>Stable, content-addressed URLs of stored pictures and the <c>srcset</c> lists views put in <c>&lt;picture&gt;</c>.</summary>
public static class MediaUrls
{
    public static string Variant(string key, int width, string format) =>
        $"/media/{key}/{width.ToString(CultureInfo.InvariantCulture)}.{ImageProcessor.Extension(format)}";

    public static string Srcset(ImageRef image, string format) => Srcset(image.Key, image.Widths, format);

    /// <summary>As <see cref="Srcset(ImageRef, string)"/>, for a caller that has the widths already (they are parsed from the stored list on each read).</summary>
    public static string Srcset(string key, IReadOnlyList<int> widths, string format) =>
        string.Join(", ", widths.Select(w => $"{Variant(key, w, format)} {w.ToString(CultureInfo.InvariantCulture)}w"));

    /// <summary>The copy closest to <paramref name="wanted"/> pixels wide (for <c>src</c> and sharing cards).</summary>
    public static string Fallback(ImageRef image, int wanted = 1024, string format = "jpeg") => Variant(image.Key, NearestWidth(image, wanted), format);

    /// <summary>The widest stored copy no wider than <paramref name="wanted"/> (the narrowest when all are wider).</summary>
    public static int NearestWidth(ImageRef image, int wanted)
    {
        var widths = image.Widths;
        return widths.Where(w => w <= wanted).DefaultIfEmpty(widths.Count > 0 ? widths[0] : image.Width).Max();
    }

    /// <summary>Height of the <paramref name="width"/>-wide copy, for the <c>width</c>/<c>height</c> attributes that stop the page jumping.</summary>
    public static int HeightAt(ImageRef image, int width) => Math.Max(1, (int)Math.Round((double)image.Height * width / image.Width));
}

/// <summary>A <c>&lt;picture&gt;</c>: WebP with a JPEG fallback; <paramref name="Eager"/> for the one picture above the fold.</summary>
public sealed record PictureViewModel(ImageRef Image, string Sizes, bool Eager = false, string CssClass = "img-fluid")
{
    /// <summary>
    /// The markup, written here rather than by a partial view: a front page draws a dozen pictures, and each partial
    /// view is found, activated (its injected helpers resolved again) and buffered on its own.
    /// </summary>
    public IHtmlContent ToHtml()
    {
        var e = HtmlEncoder.Default;
        var widths = Image.Widths;
        var html = new StringBuilder(640)
            .Append("<picture>\n    <source type=\"image/webp\" srcset=\"").Append(e.Encode(MediaUrls.Srcset(Image.Key, widths, "webp")))
            .Append("\" sizes=\"").Append(e.Encode(Sizes)).Append("\" />\n    <img");
        if (CssClass is not null)
        {
            html.Append(" class=\"").Append(e.Encode(CssClass)).Append('"');
        }
        html.Append(" src=\"").Append(e.Encode(MediaUrls.Fallback(Image, 640)))
            .Append("\" srcset=\"").Append(e.Encode(MediaUrls.Srcset(Image.Key, widths, "jpeg")))
            .Append("\" sizes=\"").Append(e.Encode(Sizes))
            .Append("\" width=\"").Append(Image.Width.ToString(CultureInfo.InvariantCulture))
            .Append("\" height=\"").Append(Image.Height.ToString(CultureInfo.InvariantCulture)).Append('"');
        if (Image.Alt is not null)
        {
            html.Append(" alt=\"").Append(e.Encode(Image.Alt)).Append('"');
        }
        html.Append(Eager ? " loading=\"eager\" decoding=\"async\" fetchpriority=\"high\" />" : " loading=\"lazy\" decoding=\"async\" />").Append("\n</picture>");
        return new HtmlString(html.ToString());
    }
}
