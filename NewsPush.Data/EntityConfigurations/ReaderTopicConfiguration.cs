using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class ReaderTopicConfiguration : IEntityTypeConfiguration<ReaderTopic>
{
    public void Configure(EntityTypeBuilder<ReaderTopic> builder)
    {
        builder.HasKey(t => new { t.UserId, t.ColumnId });
        builder.Property(t => t.UserId).HasMaxLength(450);
        builder.HasOne(t => t.Column).WithMany().HasForeignKey(t => t.ColumnId).OnDelete(DeleteBehavior.Cascade);
    }
}
