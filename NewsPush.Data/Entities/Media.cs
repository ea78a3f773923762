namespace NewsPush.Data.Entities;

/// <summary>
/// An uploaded (or seeded) picture, stored in the database so every web node serves it. <see cref="Key"/> is derived from
/// the re-encoded original's bytes, so its URLs never change meaning and can be cached for a year.
/// </summary>
public class MediaImage
{
    public int Id { get; set; }
    /// <summary>Content address: 32 lowercase hex characters of the SHA-256 of the stored original.</summary>
    public string Key { get; set; } = "";
    public int Width { get; set; }
    public int Height { get; set; }
    /// <summary>The widths of the resized copies, ascending and comma separated ("320,640,1024"), for <c>srcset</c>.</summary>
    public string VariantWidths { get; set; } = "";
    public string? UploadedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<MediaVariant> Variants { get; set; } = [];
}

/// <summary>One encoding of an image: the metadata-free original or a resized copy in WebP or JPEG.</summary>
public class MediaVariant
{
    public long Id { get; set; }
    public int ImageId { get; set; }
    public MediaImage? Image { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    /// <summary>"webp", "jpeg" or "png".</summary>
    public string Format { get; set; } = "";
    public bool IsOriginal { get; set; }
    public byte[] Bytes { get; set; } = [];
}
