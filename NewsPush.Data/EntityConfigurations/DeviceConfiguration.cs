using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.Property(d => d.UserId).HasMaxLength(450).IsRequired();
        builder.Property(d => d.DeviceId).HasMaxLength(200).IsRequired();
        builder.Property(d => d.Token).HasMaxLength(1000).IsRequired();
        // An app install is registered once; registering again updates it.
        builder.HasIndex(d => d.DeviceId).IsUnique();
        builder.HasIndex(d => d.UserId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
