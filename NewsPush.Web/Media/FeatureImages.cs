using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Media;

/// <summary>An article's feature image: upload (or keep) a picture and describe it; the description is required.</summary>
public sealed class FeatureImages(ImageProcessor processor, MediaLibrary library, NewsPushDbContext db, IOptions<MediaOptions> options)
{
    public const string AltRequired = "Describe the picture in the alt text: readers who cannot see it hear this instead.";

    /// <summary>Attaches <paramref name="file"/> (or keeps the current picture) with <paramref name="alt"/>; returns the editor's error message, or null.</summary>
    public async Task<string?> SetAsync(int articleId, IFormFile? file, string? alt, string? uploadedById, CancellationToken ct)
    {
        var article = await db.Articles.SingleOrDefaultAsync(a => a.Id == articleId, ct);
        if (article is null)
        {
            return "The article does not exist.";
        }
        if (article.Status == ArticleStatus.Archived)
        {
            return "Archived articles cannot be edited. Restore it as a draft first.";
        }
        if (file is null && article.FeatureImageId is null)
        {
            return "Choose a picture to upload.";
        }
        alt = alt?.Trim();
        if (string.IsNullOrEmpty(alt))
        {
            return AltRequired;
        }
        if (alt.Length > 300)
        {
            return "Keep the alt text under 300 characters.";
        }
        if (file is not null)
        {
            var max = options.Value.MaxUploadBytes;
            if (file.Length == 0)
            {
                return "The file is empty.";
            }
            if (file.Length > max)
            {
                return $"The file is {file.Length / 1024.0 / 1024.0:0.#} MB; the largest picture you can upload is {max / 1024.0 / 1024.0:0.#} MB.";
            }
            var bytes = new byte[file.Length];
            await using (var stream = file.OpenReadStream())
            {
                await stream.ReadExactlyAsync(bytes, ct);
            }
            var read = processor.Read(bytes);
            if (read.Image is null)
            {
                return read.Error;
            }
            article.FeatureImageId = (await library.SaveAsync(read.Image, uploadedById, ct)).Id;
        }
        article.FeatureImageAlt = alt;
        await db.SaveChangesAsync(ct);
        return null;
    }

    public double MaxUploadMegabytes => options.Value.MaxUploadBytes / 1024.0 / 1024.0;

    public async Task RemoveAsync(int articleId, CancellationToken ct) =>
        await db.Articles.Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s.SetProperty(a => a.FeatureImageId, (int?)null).SetProperty(a => a.FeatureImageAlt, (string?)null), ct);

    public async Task<ImageRef?> FindAsync(int? imageId, CancellationToken ct) => imageId is null ? null :
        await db.MediaImages.AsNoTracking().Where(m => m.Id == imageId).Select(m => new ImageRef(m.Key, m.Width, m.Height, m.VariantWidths, "")).FirstOrDefaultAsync(ct);
}
