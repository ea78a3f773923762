using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class InboxMessageConfiguration : IEntityTypeConfiguration<InboxMessage>
{
    public void Configure(EntityTypeBuilder<InboxMessage> builder)
    {
        builder.Property(m => m.UserId).HasMaxLength(450).IsRequired();
        builder.Property(m => m.Title).HasMaxLength(300).IsRequired();
        builder.Property(m => m.Body).HasMaxLength(20000);
        builder.Property(m => m.Link).HasMaxLength(800);
        builder.HasIndex(m => new { m.UserId, m.ArchivedAt, m.CreatedAt });
        builder.HasIndex(m => new { m.UserId, m.ReadAt });
        // One inbox message per digest: a re-run cannot post a digest twice.
        builder.HasIndex(m => m.DigestId).IsUnique();
        builder.HasIndex(m => new { m.CampaignId, m.UserId }).IsUnique();
        builder.HasIndex(m => m.DeliveryId).IsUnique();
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
