using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class ChannelStateConfiguration : IEntityTypeConfiguration<ChannelState>
{
    public void Configure(EntityTypeBuilder<ChannelState> builder)
    {
        builder.HasKey(c => c.Channel);
        builder.Property(c => c.Channel).ValueGeneratedNever();
        builder.Property(c => c.LastError).HasMaxLength(2000);
    }
}
