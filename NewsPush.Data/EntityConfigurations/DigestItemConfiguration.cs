using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class DigestItemConfiguration : IEntityTypeConfiguration<DigestItem>
{
    public void Configure(EntityTypeBuilder<DigestItem> builder)
    {
        builder.HasKey(i => new { i.DigestId, i.ArticleId });
        builder.Property(i => i.Reason).HasMaxLength(200);
        builder.HasIndex(i => i.ArticleId);
        builder.HasOne(i => i.Digest).WithMany(d => d.Items).HasForeignKey(i => i.DigestId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.Article).WithMany().HasForeignKey(i => i.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}
