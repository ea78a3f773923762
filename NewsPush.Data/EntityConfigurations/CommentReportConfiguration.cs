using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class CommentReportConfiguration : IEntityTypeConfiguration<CommentReport>
{
    public void Configure(EntityTypeBuilder<CommentReport> builder)
    {
        builder.Property(r => r.ReporterId).HasMaxLength(450).IsRequired();
        builder.Property(r => r.Reason).HasMaxLength(500);
        // A reader reports a comment once.
        builder.HasIndex(r => new { r.CommentId, r.ReporterId }).IsUnique();
        builder.HasOne(r => r.Comment).WithMany().HasForeignKey(r => r.CommentId).OnDelete(DeleteBehavior.Cascade);
    }
}
