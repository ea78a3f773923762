using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace NewsPush.Web.Media;

/// <summary>One encoding of a picture, ready to store.</summary>
public sealed record EncodedImage(int Width, int Height, string Format, bool IsOriginal, byte[] Bytes);

/// <summary>A picture re-encoded without its metadata, with its content address and resized copies.</summary>
public sealed record ProcessedImage(string Key, int Width, int Height, IReadOnlyList<int> VariantWidths, IReadOnlyList<EncodedImage> Encodings);

/// <summary>The outcome of reading an upload: a picture, or the message the editor sees.</summary>
public sealed record ImageReadResult(ProcessedImage? Image, string? Error);

/// <summary>
/// Reads untrusted picture files with SkiaSharp: the first bytes must say JPEG, PNG or WebP and the decoder must agree,
/// the size is checked before the pixels are decoded, and everything is re-encoded from pixels, so EXIF, GPS, XMP and
/// ICC blocks and anything appended to the file are gone. Stateless and thread-safe.
/// </summary>
public sealed class ImageProcessor(IOptions<MediaOptions> options)
{
    public const string NotAPicture = "That file is not a picture this site can use: upload a JPEG, PNG or WebP image.";

    /// <summary>The format the file's first bytes announce ("jpeg", "png", "webp"), or null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return "jpeg";
        }
        if (head.Length >= 8 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "png";
        }
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return "webp";
        }
        return null;
    }

    public static string ContentType(string format) => format switch
    {
        "webp" => "image/webp",
        "jpeg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/octet-stream",
    };

    public static string Extension(string format) => format == "jpeg" ? "jpg" : format;

    public ImageReadResult Read(byte[] file)
    {
        var o = options.Value;
        if (file.Length > o.MaxUploadBytes)
        {
            return new(null, $"The file is {Megabytes(file.Length)}; the largest picture you can upload is {Megabytes(o.MaxUploadBytes)}.");
        }
        var sniffed = Sniff(file);
        if (sniffed is null)
        {
            return new(null, NotAPicture);
        }
        using var data = SKData.CreateCopy(file);
        using var codec = SKCodec.Create(data);
        if (codec is null || FormatOf(codec.EncodedFormat) != sniffed)
        {
            return new(null, NotAPicture);
        }
        var origin = codec.EncodedOrigin;
        var (w, h) = SwapsAxes(origin) ? (codec.Info.Height, codec.Info.Width) : (codec.Info.Width, codec.Info.Height);
        if (w > o.MaxWidth || h > o.MaxHeight || (long)w * h > o.MaxPixels)
        {
            return new(null, $"The picture is {w}×{h} pixels; the largest allowed is {o.MaxWidth}×{o.MaxHeight} ({o.MaxPixels / 1_000_000.0:0.#} megapixels).");
        }
        if (w < o.MinWidth)
        {
            return new(null, $"The picture is only {w} pixels wide; use one at least {o.MinWidth} pixels wide.");
        }
        using var decoded = SKBitmap.Decode(codec, codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Premul));
        if (decoded is null)
        {
            return new(null, "The picture could not be read; the file may be damaged.");
        }
        using var upright = Orient(decoded, origin);
        return new(Encode(upright), null);
    }

    /// <summary>Encodes pixels drawn by the site itself (seeded cards).</summary>
    public ProcessedImage Encode(SKBitmap bitmap)
    {
        var o = options.Value;
        var opaque = bitmap.AlphaType == SKAlphaType.Opaque || IsOpaque(bitmap);
        var originalFormat = opaque ? "jpeg" : "png";
        var original = EncodeAs(bitmap, originalFormat, 92);
        var key = Convert.ToHexStringLower(SHA256.HashData(original))[..32];
        var widths = o.Widths.Where(x => x < bitmap.Width).Append(Math.Min(bitmap.Width, o.Widths[^1])).Distinct().Order().ToList();
        var encodings = new List<EncodedImage> { new(bitmap.Width, bitmap.Height, originalFormat, true, original) };
        foreach (var width in widths)
        {
            var height = Math.Max(1, (int)Math.Round((double)bitmap.Height * width / bitmap.Width));
            using var resized = width == bitmap.Width ? bitmap.Copy() : bitmap.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul),
                new SKSamplingOptions(SKCubicResampler.Mitchell));
            encodings.Add(new(width, height, "webp", false, EncodeAs(resized, "webp", o.WebpQuality)));
            using var flat = Flatten(resized);
            encodings.Add(new(width, height, "jpeg", false, EncodeAs(flat, "jpeg", o.JpegQuality)));
        }
        return new ProcessedImage(key, bitmap.Width, bitmap.Height, widths, encodings);
    }

    private static byte[] EncodeAs(SKBitmap bitmap, string format, int quality)
    {
        using var image = SKImage.FromBitmap(bitmap);
        var skFormat = format switch { "webp" => SKEncodedImageFormat.Webp, "png" => SKEncodedImageFormat.Png, _ => SKEncodedImageFormat.Jpeg };
        using var data = image.Encode(skFormat, quality) ?? throw new InvalidOperationException($"SkiaSharp could not encode {format}.");
        return data.ToArray();
    }

    /// <summary>JPEG has no alpha: transparent parts become white instead of black.</summary>
    private static SKBitmap Flatten(SKBitmap source)
    {
        var flat = new SKBitmap(new SKImageInfo(source.Width, source.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(flat);
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(source, 0, 0, SKSamplingOptions.Default);
        return flat;
    }

    private static bool IsOpaque(SKBitmap bitmap)
    {
        var pixels = bitmap.Pixels;
        foreach (var p in pixels)
        {
            if (p.Alpha != 255)
            {
                return false;
            }
        }
        return true;
    }

    private static bool SwapsAxes(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>Applies the EXIF orientation to the pixels, since the re-encoded file no longer carries it.</summary>
    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
        {
            return source.Copy();
        }
        var (w, h) = SwapsAxes(origin) ? (source.Height, source.Width) : (source.Width, source.Height);
        var result = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        float sw = source.Width, sh = source.Height;
        // x' = ScaleX·x + SkewX·y + TransX, y' = SkewY·x + ScaleY·y + TransY: where each source pixel lands upright.
        var m = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, sw, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, sw, 0, -1, sh, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, sh, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, sh, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, sh, -1, 0, sw, 0, 0, 1),
            _ => new SKMatrix(0, 1, 0, -1, 0, sw, 0, 0, 1),
        };
        using var canvas = new SKCanvas(result);
        canvas.SetMatrix(m);
        canvas.DrawBitmap(source, 0, 0, SKSamplingOptions.Default);
        return result;
    }

    private static string? FormatOf(SKEncodedImageFormat format) => format switch
    {
        SKEncodedImageFormat.Jpeg => "jpeg",
        SKEncodedImageFormat.Png => "png",
        SKEncodedImageFormat.Webp => "webp",
        _ => null,
    };

    private static string Megabytes(long bytes) => $"{bytes / 1024.0 / 1024.0:0.#} MB";
}
