using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Media;
using SkiaSharp;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Media;

/// <summary>
/// The editor's feature image: what is refused (a renamed non-image, a picture without alt text, a reader's upload), what
/// is stored (no EXIF or GPS left, copies never wider than the original) and how the copies are served.
/// </summary>
public abstract partial class MediaUploadTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    private const string SecretCamera = "SecretCam-GPS-52.5200N-13.4050E";

    [Fact]
    public async Task RefusesARenamedNonImageWithAClearMessage()
    {
        await factory.ReadyAsync();
        var (id, _) = await PublishAsync(factory, "Renamed file target", "Body.");
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);

        var response = await UploadAsync(editor, id, Encoding.UTF8.GetBytes("#!/bin/sh\necho this is not a photo\n"), "holiday.jpg", "A beach");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(ImageProcessor.NotAPicture, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        Assert.Null(await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.FeatureImageId).SingleAsync()));
    }

    [Fact]
    public async Task RefusesAPictureWithoutAltText()
    {
        await factory.ReadyAsync();
        var (id, _) = await PublishAsync(factory, "No alt target", "Body.");
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);

        var response = await UploadAsync(editor, id, Jpeg(640, 360, SKColors.SteelBlue), "photo.jpg", "  ");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(FeatureImages.AltRequired, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        Assert.Null(await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.FeatureImageId).SingleAsync()));
    }

    [Fact]
    public async Task AReaderCannotUploadAPicture()
    {
        await factory.ReadyAsync();
        var (id, _) = await PublishAsync(factory, "Reader upload target", "Body.");
        var email = Unique("upload-reader") + "@test.local";
        await factory.CreateUserAsync(email);
        using var reader = await factory.CreateLoggedInClientAsync(email);
        var token = HttpTestExtensions.AntiforgeryToken(await reader.GetStringAsync("/preferences"));
        using var form = Form(token, Jpeg(640, 360, SKColors.OrangeRed), "photo.jpg", "A red square");

        var response = await reader.PostAsync($"/editor/articles/{id}/image", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/access-denied", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(response.Headers.Location)).StatusCode);
        Assert.Null(await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.FeatureImageId).SingleAsync()));
    }

    [Fact]
    public async Task AJpegWithExifIsStoredAndServedWithoutItInWebPAndJpegCopies()
    {
        await factory.ReadyAsync();
        var (id, slug) = await PublishAsync(factory, "Exif target", "Body.");
        var original = WithExif(Jpeg(1800, 1012, SKColors.SeaGreen), SecretCamera);
        Assert.Contains(SecretCamera, Encoding.ASCII.GetString(original));
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);

        var response = await UploadAsync(editor, id, original, "IMG_0001.JPG", "Green field under an overcast sky");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var image = await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.FeatureImage).SingleAsync());
        Assert.NotNull(image);
        Assert.Equal("320,640,1024,1600", image.VariantWidths);
        Assert.Equal((1800, 1012), (image.Width, image.Height));
        var stored = await factory.WithDbAsync(db => db.MediaVariants.Where(v => v.ImageId == image.Id).ToListAsync());
        Assert.Equal(9, stored.Count);
        Assert.All(stored, v => Assert.DoesNotContain(SecretCamera, Encoding.ASCII.GetString(v.Bytes)));
        Assert.All(stored, v => Assert.DoesNotContain("Exif\0\0", Encoding.ASCII.GetString(v.Bytes)));

        // The article page points at the copies; each is served with its type and cached for a year.
        using var anonymous = factory.CreateClient();
        var html = await anonymous.GetStringAsync($"/article/{slug}");
        Assert.Contains("alt=\"Green field under an overcast sky\"", html);
        foreach (var (url, type) in new[] { ($"/media/{image.Key}/640.webp", "image/webp"), ($"/media/{image.Key}/1600.jpg", "image/jpeg"), ($"/media/{image.Key}/original.jpg", "image/jpeg") })
        {
            if (!url.Contains("original", StringComparison.Ordinal))
            {
                Assert.Contains(url, html);
            }
            var served = await anonymous.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal(type, served.Content.Headers.ContentType?.MediaType);
            Assert.Equal("public, max-age=31536000, immutable", served.Headers.CacheControl?.ToString());
            Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
            var bytes = await served.Content.ReadAsByteArrayAsync();
            Assert.Equal(type == "image/webp" ? "webp" : "jpeg", ImageProcessor.Sniff(bytes));
            Assert.DoesNotContain(SecretCamera, Encoding.ASCII.GetString(bytes));
            using var codec = SKCodec.Create(SKData.CreateCopy(bytes));
            Assert.Equal(url.Contains("640") ? 640 : url.Contains("1600") ? 1600 : 1800, codec.Info.Width);
        }
        Assert.Matches(SrcsetWebp(), html);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/media/{image.Key}/2000.webp")).StatusCode);
    }

    [Fact]
    public async Task ASmallPictureIsNeverUpscaled()
    {
        await factory.ReadyAsync();
        var (id, _) = await PublishAsync(factory, "Small picture target", "Body.");
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);

        Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(editor, id, Png(500, 300), "small.png", "A small chart")).StatusCode);

        var image = await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.FeatureImage!).SingleAsync());
        Assert.Equal("320,500", image.VariantWidths);
        var widths = await factory.WithDbAsync(db => db.MediaVariants.Where(v => v.ImageId == image.Id).Select(v => v.Width).ToListAsync());
        Assert.All(widths, w => Assert.True(w <= 500, $"a copy {w} px wide was made of a 500 px picture"));
    }

    [Fact]
    public async Task SeededArticlesHaveFeatureImagesWithAltText()
    {
        await factory.ReadyAsync();
        var seeded = await factory.WithDbAsync(db => db.Articles.Where(a => a.Status == ArticleStatus.Published && a.Author != null && a.Author.Email == NewsPushFactory.EditorEmail)
            .Select(a => new { a.FeatureImageId, a.FeatureImageAlt }).ToListAsync());
        Assert.NotEmpty(seeded);
        Assert.All(seeded, a => Assert.NotNull(a.FeatureImageId));
        Assert.All(seeded, a => Assert.False(string.IsNullOrWhiteSpace(a.FeatureImageAlt)));
        using var anonymous = factory.CreateClient();
        var home = await anonymous.GetStringAsync("/");
        Assert.Contains("<picture>", home);
        Assert.Contains("loading=\"eager\"", home);
        Assert.Contains("loading=\"lazy\"", home);
        Assert.Equal("320,640,960", await factory.WithDbAsync(db => db.MediaImages.Select(m => m.VariantWidths).FirstAsync()));
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, int articleId, byte[] file, string fileName, string alt)
    {
        var token = HttpTestExtensions.AntiforgeryToken(await client.GetStringAsync($"/editor/articles/{articleId}"));
        using var form = Form(token, file, fileName, alt);
        return await client.PostAsync($"/editor/articles/{articleId}/image", form);
    }

    private static MultipartFormDataContent Form(string token, byte[] file, string fileName, string alt)
    {
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
        return new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(alt), "alt" },
            { content, "file", fileName },
        };
    }

    private static SKBitmap Draw(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(color);
        using var paint = new SKPaint { Color = SKColors.White };
        canvas.DrawCircle(width / 2f, height / 2f, height / 4f, paint);
        return bitmap;
    }

    internal static byte[] Jpeg(int width, int height, SKColor color)
    {
        using var bitmap = Draw(width, height, color);
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray();
    }

    private static byte[] Png(int width, int height)
    {
        using var bitmap = Draw(width, height, SKColors.Transparent);
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    }

    /// <summary>Puts an APP1 EXIF block (IFD0 with a Make tag holding <paramref name="make"/>) right after the JPEG's SOI marker.</summary>
    private static byte[] WithExif(byte[] jpeg, string make)
    {
        var text = Encoding.ASCII.GetBytes(make + "\0");
        var tiff = new List<byte>();
        tiff.AddRange("II*\0"u8.ToArray());
        tiff.AddRange(BitConverter.GetBytes(8));                      // IFD0 at offset 8
        tiff.AddRange(BitConverter.GetBytes((ushort)1));              // one entry
        tiff.AddRange(BitConverter.GetBytes((ushort)0x010F));         // Make
        tiff.AddRange(BitConverter.GetBytes((ushort)2));              // ASCII
        tiff.AddRange(BitConverter.GetBytes(text.Length));
        tiff.AddRange(BitConverter.GetBytes(8 + 2 + 12 + 4));          // the string follows the IFD
        tiff.AddRange(BitConverter.GetBytes(0));                      // no next IFD
        tiff.AddRange(text);
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var length = payload.Length + 2;
        var segment = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return jpeg.Take(2).Concat(segment).Concat(jpeg.Skip(2)).ToArray();
    }

    [GeneratedRegex(@"<source type=""image/webp"" srcset=""/media/[0-9a-f]{32}/320\.webp 320w, /media/[0-9a-f]{32}/640\.webp 640w")]
    private static partial Regex SrcsetWebp();
}

public sealed class SqliteMediaUploadTests(PicturesSqliteFactory factory) : MediaUploadTests<PicturesSqliteFactory>(factory);

public sealed class PostgreSqlMediaUploadTests(PicturesPostgreSqlFactory factory) : MediaUploadTests<PicturesPostgreSqlFactory>(factory);
