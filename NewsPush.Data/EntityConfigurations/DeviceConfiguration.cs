using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.Property(d => d.UserId).HasMaxLength(450);
        builder.Property(d => d.DeviceId).HasMaxLength(200).IsRequired();
        builder.Property(d => d.Token).HasMaxLength(4096).IsRequired();
        builder.Property(d => d.TokenHash).HasMaxLength(64).IsRequired();
        builder.Property(d => d.AppVersion).HasMaxLength(50);
        builder.Property(d => d.Locale).HasMaxLength(35);
        builder.Property(d => d.TimeZoneId).HasMaxLength(100);
        builder.Property(d => d.DeactivatedReason).HasMaxLength(500);
        // An app install is registered once; registering again updates it.
        builder.HasIndex(d => d.DeviceId).IsUnique();
        // A token is one device: the same token registered under another deviceId replaces that one.
        builder.HasIndex(d => new { d.Platform, d.TokenHash }).IsUnique();
        builder.HasIndex(d => d.UserId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
