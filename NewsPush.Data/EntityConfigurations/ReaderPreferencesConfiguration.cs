using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class ReaderPreferencesConfiguration : IEntityTypeConfiguration<ReaderPreferences>
{
    public void Configure(EntityTypeBuilder<ReaderPreferences> builder)
    {
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.UserId).HasMaxLength(450);
        builder.Property(p => p.TimeZoneId).HasMaxLength(64).IsRequired();
        builder.Property(p => p.Language).HasMaxLength(16);
        // The digest run pages through one frequency in UserId order: an index that needs no sort per page.
        builder.HasIndex(p => new { p.DigestFrequency, p.UserId });
        // The analytics overview counts unsubscribes in a range.
        builder.HasIndex(p => p.EmailUnsubscribedAt);
        builder.ToTable(t => t.HasCheckConstraint("CK_ReaderPreferences_WeeklyPushCap", "\"WeeklyPushCap\" >= 0"));
        builder.HasOne(p => p.User).WithOne().HasForeignKey<ReaderPreferences>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(p => p.Topics).WithOne().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
