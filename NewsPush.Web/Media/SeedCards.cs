using SkiaSharp;

namespace NewsPush.Web.Media;

/// <summary>
/// Draws the picture of a seeded article: a gradient in its column's colours, a few soft shapes placed by the headline's
/// hash, the column's name and the headline. No internet, no stock photos; the same article always gets the same card.
/// </summary>
public static class SeedCards
{
    public const int Width = 960;
    public const int Height = 540;

    private static readonly Dictionary<string, (SKColor From, SKColor To)> Palette = new()
    {
        ["world"] = (new SKColor(0x0B, 0x3D, 0x91), new SKColor(0x1F, 0x8A, 0xC0)),
        ["business"] = (new SKColor(0x0F, 0x5E, 0x4A), new SKColor(0x3B, 0xA5, 0x7A)),
        ["technology"] = (new SKColor(0x3A, 0x1C, 0x71), new SKColor(0x7B, 0x4F, 0xD6)),
        ["science"] = (new SKColor(0x05, 0x4A, 0x5E), new SKColor(0x2A, 0x9D, 0x8F)),
        ["sports"] = (new SKColor(0x9C, 0x27, 0x0E), new SKColor(0xE7, 0x6F, 0x51)),
        ["culture"] = (new SKColor(0x7A, 0x1F, 0x5C), new SKColor(0xC9, 0x4B, 0x8F)),
        ["health"] = (new SKColor(0x0E, 0x6B, 0x3A), new SKColor(0x8A, 0xC9, 0x26)),
        ["opinion"] = (new SKColor(0x5C, 0x3D, 0x0B), new SKColor(0xD4, 0x93, 0x1E)),
    };

    public static SKBitmap Draw(string columnSlug, string columnName, string headline)
    {
        var (from, to) = Palette.TryGetValue(columnSlug, out var p) ? p : FromHash(columnSlug);
        var hash = (uint)StableHash(headline);
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(Width, Height), [from, to], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader })
        {
            canvas.DrawRect(0, 0, Width, Height, paint);
        }
        using (var paint = new SKPaint { IsAntialias = true, Color = SKColors.White.WithAlpha(34) })
        {
            for (var i = 0; i < 4; i++)
            {
                var x = (hash >> (i * 7)) % Width;
                var y = (hash >> (i * 5 + 3)) % Height;
                var r = 64 + (hash >> (i * 3)) % 176;
                canvas.DrawCircle(x, y, r, paint);
            }
        }
        var cjk = headline.Any(c => c >= 0x2E80);
        using var typeface = Typeface(cjk ? "Noto Sans CJK SC" : "DejaVu Sans", cjk ? '中' : 'A');
        using var white = new SKPaint { IsAntialias = true, Color = SKColors.White };
        using (var label = new SKFont(typeface, 24) { Embolden = true })
        {
            canvas.DrawText(columnName.ToUpperInvariant(), 48, 72, SKTextAlign.Left, label, white);
        }
        using var font = new SKFont(typeface, 48);
        var y0 = Height - 56f;
        var lines = Wrap(headline, font, Width - 96, cjk).Take(3).ToList();
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            canvas.DrawText(lines[i], 48, y0, SKTextAlign.Left, font, white);
            y0 -= 58;
        }
        return bitmap;
    }

    private static SKTypeface Typeface(string family, char probe) =>
        SKFontManager.Default.MatchFamily(family, SKFontStyle.Bold)
        ?? SKFontManager.Default.MatchCharacter(probe)
        ?? SKTypeface.Default;

    private static IEnumerable<string> Wrap(string text, SKFont font, float width, bool cjk)
    {
        var line = "";
        var tokens = cjk ? text.Select(c => c.ToString()) : text.Split(' ').Select(w => w + " ");
        foreach (var token in tokens)
        {
            if (line.Length > 0 && font.MeasureText((line + token).TrimEnd()) > width)
            {
                yield return line.TrimEnd();
                line = "";
            }
            line += token;
        }
        if (line.Length > 0)
        {
            yield return line.TrimEnd();
        }
    }

    private static (SKColor, SKColor) FromHash(string s)
    {
        var h = (uint)StableHash(s);
        return (SKColor.FromHsl(h % 360, 60, 28), SKColor.FromHsl((h + 40) % 360, 60, 45));
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            var h = (int)2166136261;
            foreach (var c in s)
            {
                h = (h ^ c) * 16777619;
            }
            return h;
        }
    }
}
