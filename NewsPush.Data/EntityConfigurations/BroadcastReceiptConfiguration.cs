using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class BroadcastReceiptConfiguration : IEntityTypeConfiguration<BroadcastReceipt>
{
    public void Configure(EntityTypeBuilder<BroadcastReceipt> builder)
    {
        builder.HasKey(r => new { r.BroadcastId, r.UserId });
        builder.Property(r => r.UserId).HasMaxLength(450);
        builder.HasIndex(r => r.UserId);
        builder.HasOne(r => r.Broadcast).WithMany().HasForeignKey(r => r.BroadcastId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
