using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class MediaImageConfiguration : IEntityTypeConfiguration<MediaImage>
{
    public void Configure(EntityTypeBuilder<MediaImage> builder)
    {
        builder.Property(m => m.Key).HasMaxLength(32).IsRequired();
        builder.Property(m => m.VariantWidths).HasMaxLength(100).IsRequired();
        builder.HasIndex(m => m.Key).IsUnique();
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.UploadedById).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class MediaVariantConfiguration : IEntityTypeConfiguration<MediaVariant>
{
    public void Configure(EntityTypeBuilder<MediaVariant> builder)
    {
        builder.Property(v => v.Format).HasMaxLength(8).IsRequired();
        builder.HasIndex(v => new { v.ImageId, v.IsOriginal, v.Width, v.Format }).IsUnique();
        builder.HasOne(v => v.Image).WithMany(m => m.Variants).HasForeignKey(v => v.ImageId).OnDelete(DeleteBehavior.Cascade);
    }
}
