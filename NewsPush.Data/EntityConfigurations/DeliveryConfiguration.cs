using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class DeliveryConfiguration : IEntityTypeConfiguration<Delivery>
{
    public void Configure(EntityTypeBuilder<Delivery> builder)
    {
        builder.Property(d => d.UserId).HasMaxLength(450).IsRequired();
        builder.Property(d => d.LastError).HasMaxLength(2000);
        builder.Property(d => d.TrackingToken).HasMaxLength(64).IsRequired();
        builder.Property(d => d.LeaseId).HasMaxLength(32);
        builder.HasIndex(d => d.TrackingToken).IsUnique();
        // A content is never sent twice to the same reader's endpoint on one channel.
        builder.HasIndex(d => new { d.ContentKind, d.ContentId, d.UserId, d.Channel, d.EndpointId }).IsUnique();
        // The dispatcher's work queue, oldest first: a claim walks the queued rows in Id order and stops after one
        // batch. (On (Status, NextAttemptAt) every claim sorted all queued rows: quadratic over a large run.)
        builder.HasIndex(d => new { d.Status, d.Id });
        builder.HasIndex(d => new { d.UserId, d.CreatedAt });
        // Expiring queued deliveries past their deadline.
        builder.HasIndex(d => new { d.Status, d.DeliverBy });
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.NoAction);
    }
}
