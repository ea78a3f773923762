using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Media;

/// <summary>A stored picture as pages show it: its content address, size, resized widths and the article's alt text for it.</summary>
public sealed record ImageRef(string Key, int Width, int Height, string VariantWidths, string Alt)
{
    public IReadOnlyList<int> Widths => [.. VariantWidths.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
}

/// <summary>A stored encoding, as served.</summary>
public sealed record StoredFile(byte[] Bytes, string ContentType);

/// <summary>Stores processed pictures (one row per content address, so the same file uploaded twice is stored once) and reads them back.</summary>
public sealed class MediaLibrary(NewsPushDbContext db, TimeProvider clock)
{
    public async Task<MediaImage> SaveAsync(ProcessedImage image, string? uploadedById, CancellationToken ct)
    {
        if (await db.MediaImages.FirstOrDefaultAsync(m => m.Key == image.Key, ct) is { } existing)
        {
            return existing;
        }
        var row = new MediaImage
        {
            Key = image.Key, Width = image.Width, Height = image.Height, VariantWidths = string.Join(',', image.VariantWidths),
            UploadedById = uploadedById, CreatedAt = clock.GetUtcNow().UtcDateTime,
            Variants = [.. image.Encodings.Select(e => new MediaVariant { Width = e.Width, Height = e.Height, Format = e.Format, IsOriginal = e.IsOriginal, Bytes = e.Bytes })],
        };
        db.MediaImages.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
            return row;
        }
        catch (DbUpdateException)
        {
            // The same picture stored at the same moment by another request: use that one.
            db.Entry(row).State = EntityState.Detached;
            foreach (var v in row.Variants)
            {
                db.Entry(v).State = EntityState.Detached;
            }
            return await db.MediaImages.FirstOrDefaultAsync(m => m.Key == image.Key, ct) ?? throw new InvalidOperationException("The picture could not be stored.");
        }
    }

    /// <summary>The file behind <c>/media/{key}/{name}</c>: <c>640.webp</c>, <c>640.jpg</c> or <c>original.jpg</c>/<c>original.png</c>.</summary>
    public async Task<StoredFile?> FindAsync(string key, string name, CancellationToken ct)
    {
        var dot = name.LastIndexOf('.');
        if (dot <= 0)
        {
            return null;
        }
        var format = name[(dot + 1)..] switch { "webp" => "webp", "jpg" => "jpeg", "png" => "png", _ => null };
        var stem = name[..dot];
        if (format is null)
        {
            return null;
        }
        var variants = db.MediaVariants.AsNoTracking().Where(v => v.Image!.Key == key && v.Format == format);
        if (stem == "original")
        {
            variants = variants.Where(v => v.IsOriginal);
        }
        else if (int.TryParse(stem, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var width) && width is > 0 and < 100_000)
        {
            variants = variants.Where(v => !v.IsOriginal && v.Width == width);
        }
        else
        {
            return null;
        }
        var bytes = await variants.Select(v => v.Bytes).FirstOrDefaultAsync(ct);
        return bytes is null ? null : new StoredFile(bytes, ImageProcessor.ContentType(format));
    }
}
