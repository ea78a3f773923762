using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class DigestConfiguration : IEntityTypeConfiguration<Digest>
{
    public void Configure(EntityTypeBuilder<Digest> builder)
    {
        builder.Property(d => d.UserId).HasMaxLength(450).IsRequired();
        builder.Property(d => d.WindowKey).HasMaxLength(64).IsRequired();
        // One digest per reader and window, however often the job runs.
        builder.HasIndex(d => new { d.UserId, d.WindowKey }).IsUnique();
        builder.HasIndex(d => new { d.UserId, d.CreatedAt });
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
