using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class FollowConfiguration : IEntityTypeConfiguration<Follow>
{
    public void Configure(EntityTypeBuilder<Follow> builder)
    {
        builder.Property(f => f.UserId).HasMaxLength(450).IsRequired();
        // Following the same column or tag twice is impossible.
        builder.HasIndex(f => new { f.UserId, f.Kind, f.TargetId }).IsUnique();
        // Segment queries: "followers of column X".
        builder.HasIndex(f => new { f.Kind, f.TargetId });
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
