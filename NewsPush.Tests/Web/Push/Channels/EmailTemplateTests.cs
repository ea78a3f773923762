using Microsoft.Playwright;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Push.Channels;

namespace NewsPush.Tests.Web.Push.Channels;

/// <summary>The e-mail looks like the site on a phone and a desktop, in light and dark mode, and stays safe to render.</summary>
public sealed class EmailTemplateTests(BrowserHost<SqliteFactory> host) : IClassFixture<BrowserHost<SqliteFactory>>
{
    /// <summary>A real 640×360 JPEG, so the layout is measured with a picture that loads.</summary>
    private static readonly string Picture = MakePicture();

    private static string MakePicture()
    {
        using var bitmap = new SkiaSharp.SKBitmap(640, 360);
        using (var canvas = new SkiaSharp.SKCanvas(bitmap))
        {
            canvas.Clear(new SkiaSharp.SKColor(0x1f, 0x4e, 0x79));
        }
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 80);
        return "data:image/jpeg;base64," + Convert.ToBase64String(data.ToArray());
    }

    private static EmailModel Digest(string lead = "港珠澳大桥因台风关闭", string? picture = null) => new(
        "Mei", "Your daily digest: 3 stories", null,
        [
            new EmailStory(lead, "交通部门表示，大桥将在风力减弱后重新开放。", "World", "you follow World", "https://news.example/t/c/tok?a=1&u=%2Farticle%2Fa",
                new EmailImage(picture ?? "https://news.example/media/abc/640.jpg", "The bridge in the storm", 640, 360)),
            new EmailStory("Markets steady after a long week of swings", "Shares ended flat.", "Business", "popular now", "https://news.example/t/c/tok?a=2&u=%2Farticle%2Fb",
                new EmailImage(picture ?? "https://news.example/media/def/160.jpg", "A trading floor", 160, 90)),
            new EmailStory("Averyveryveryverylongheadlinewordthatwouldpushatablewideifnothingstoppedit", "", "Science", "new in Science", "https://news.example/t/c/tok?a=3&u=%2Farticle%2Fc"),
        ],
        "https://news.example/preferences", "https://news.example/unsubscribe?token=x", "https://news.example/t/o/tok.gif")
    {
        HomeUrl = "https://news.example/", Label = "Your digest",
    };

    [Fact]
    public void TheHtmlCarriesAPhoneViewportBothColourSchemesAndTheLeadPicture()
    {
        var html = EmailTemplate.RenderHtml(Digest());

        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"color-scheme\" content=\"light dark\">", html, StringComparison.Ordinal);
        Assert.Contains("@media (prefers-color-scheme:dark)", html, StringComparison.Ordinal);
        // Chinese is written as characters, not as entities three times their size.
        Assert.Contains("港珠澳大桥因台风关闭", html, StringComparison.Ordinal);
        Assert.DoesNotContain("&#x", html, StringComparison.Ordinal);
        // The lead picture is a JPEG with its alt text and links to the story.
        Assert.Contains("<img src=\"https://news.example/media/abc/640.jpg\" alt=\"The bridge in the storm\"", html, StringComparison.Ordinal);
        Assert.Contains("Your digest", html, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryValueIsEncoded()
    {
        var html = EmailTemplate.RenderHtml(Digest("<script>alert(1)</script> & \"quotes\""));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ACriticalPushSaysSoAboveTheHeadline()
    {
        var html = EmailTemplate.RenderHtml(Digest() with { IsCritical = true });
        var plain = EmailTemplate.RenderHtml(Digest());

        Assert.Contains(">Breaking</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">Breaking</span>", plain, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(390, ColorScheme.Light)]
    [InlineData(390, ColorScheme.Dark)]
    [InlineData(1280, ColorScheme.Light)]
    [InlineData(1280, ColorScheme.Dark)]
    public async Task ItFitsThePhoneAndKeepsItsContrastInDarkMode(int width, ColorScheme scheme)
    {
        await using var tab = await host.NewPageAsync();
        var page = tab.Page;
        await page.SetViewportSizeAsync(width, 800);
        await page.EmulateMediaAsync(new() { ColorScheme = scheme });
        await page.SetContentAsync(EmailTemplate.RenderHtml(Digest(picture: Picture)));

        var fits = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");
        Assert.True(fits, $"the e-mail scrolls sideways at {width} px");
        // The headline and a story title against the card behind them: WCAG AA (4.5:1) in either scheme.
        var ratios = await page.EvaluateAsync<double[]>("""
            () => {
              const rgb = c => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
              const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
              const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
              const card = getComputedStyle(document.querySelector('.np-card')).backgroundColor;
              return [document.querySelector('h1'), document.querySelector('a.np-link'), document.querySelector('.np-card p.np-muted')]
                .map(e => ratio(getComputedStyle(e).color, card));
            }
            """);
        Assert.All(ratios, r => Assert.True(r >= 4.5, $"contrast {r:0.0}:1 in {scheme} mode"));
        var card = await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.np-card')).backgroundColor");
        Assert.Equal(scheme == ColorScheme.Dark ? "rgb(30, 33, 38)" : "rgb(255, 255, 255)", card);
        // On the phone the lead picture shrinks to the column; the thumbnails give way to the text.
        var picture = await page.EvaluateAsync<double>("() => document.querySelector('img[alt=\"The bridge in the storm\"]').getBoundingClientRect().width");
        if (width == 1280)
        {
            Assert.Equal(552, picture);
        }
        else
        {
            Assert.InRange(picture, 300, 370);
        }
        if (width == 390)
        {
            Assert.False(await page.Locator("img[alt='A trading floor']").IsVisibleAsync());
        }
        await Screenshots.SaveAsync(page, $"email-digest-{width}-{scheme.ToString().ToLowerInvariant()}");
    }
}
