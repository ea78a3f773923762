using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Media;

/// <summary>Limits and encodings of uploaded pictures (section <c>Media</c>).</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Media";

    /// <summary>The largest file an editor may upload; the upload endpoint's request limit is this plus room for the form.</summary>
    [Range(1024, 100L * 1024 * 1024)]
    public long MaxUploadBytes { get; set; } = 10L * 1024 * 1024;

    [Range(16, 20_000)]
    public int MaxWidth { get; set; } = 8000;

    [Range(16, 20_000)]
    public int MaxHeight { get; set; } = 8000;

    /// <summary>Width × height after decoding; guards memory against small files that decode huge.</summary>
    [Range(256, 200_000_000)]
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Narrower pictures look blurred on every card.</summary>
    [Range(1, 4000)]
    public int MinWidth { get; set; } = 200;

    /// <summary>Widths of the resized copies (never wider than the original); unset: 320, 640, 1024, 1600.</summary>
    public int[]? VariantWidths { get; set; }

    [Range(1, 100)]
    public int WebpQuality { get; set; } = 80;

    [Range(1, 100)]
    public int JpegQuality { get; set; } = 82;

    /// <summary>Give every seeded article without a picture a generated card at start-up.</summary>
    public bool SeedImages { get; set; } = true;

    public IReadOnlyList<int> Widths => VariantWidths is { Length: > 0 } w ? [.. w.Where(x => x > 0).Distinct().Order()] : [320, 640, 1024, 1600];
}
