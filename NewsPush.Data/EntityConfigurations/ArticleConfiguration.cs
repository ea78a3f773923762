using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class ArticleConfiguration : IEntityTypeConfiguration<Article>
{
    public void Configure(EntityTypeBuilder<Article> builder)
    {
        builder.Property(a => a.Slug).HasMaxLength(200).IsRequired();
        builder.Property(a => a.Title).HasMaxLength(300).IsRequired();
        builder.Property(a => a.Summary).HasMaxLength(1000);
        builder.Property(a => a.Language).HasMaxLength(10);
        builder.HasIndex(a => a.Slug).IsUnique();
        builder.HasIndex(a => new { a.Status, a.PublishedAt });
        builder.HasIndex(a => new { a.ColumnId, a.Status, a.PublishedAt });
        builder.HasIndex(a => new { a.Status, a.ScheduledAt });
        builder.HasOne(a => a.Column).WithMany(c => c.Articles).HasForeignKey(a => a.ColumnId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(a => a.FeatureImageAlt).HasMaxLength(300);
        builder.HasOne(a => a.FeatureImage).WithMany().HasForeignKey(a => a.FeatureImageId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne(a => a.Author).WithMany().HasForeignKey(a => a.AuthorId).OnDelete(DeleteBehavior.ClientSetNull);
    }
}
