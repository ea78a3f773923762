using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.Property(w => w.UserId).HasMaxLength(450).IsRequired();
        builder.Property(w => w.Name).HasMaxLength(100).IsRequired();
        builder.Property(w => w.Url).HasMaxLength(4000).IsRequired();
        builder.Property(w => w.UrlHash).HasMaxLength(64).IsRequired();
        builder.Property(w => w.UrlHint).HasMaxLength(120).IsRequired();
        builder.Property(w => w.Secret).HasMaxLength(2000);
        builder.Property(w => w.SecretHint).HasMaxLength(40);
        builder.Property(w => w.Keyword).HasMaxLength(40);
        builder.Property(w => w.BreakingColumns).HasMaxLength(400).IsRequired();
        builder.Property(w => w.DigestTimeZoneId).HasMaxLength(64);
        builder.Property(w => w.PauseReason).HasMaxLength(500);
        builder.Property(w => w.LastError).HasMaxLength(1000);
        builder.HasIndex(w => w.UrlHash).IsUnique();
        builder.HasIndex(w => new { w.Owner, w.UserId });
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(w => w.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookRequestConfiguration : IEntityTypeConfiguration<WebhookRequest>
{
    public void Configure(EntityTypeBuilder<WebhookRequest> builder)
    {
        builder.HasIndex(r => new { r.EndpointId, r.SentAt });
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(r => r.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SystemAlertConfiguration : IEntityTypeConfiguration<SystemAlert>
{
    public void Configure(EntityTypeBuilder<SystemAlert> builder)
    {
        builder.Property(a => a.Title).HasMaxLength(200).IsRequired();
        builder.Property(a => a.Text).HasMaxLength(2000).IsRequired();
        builder.Property(a => a.Url).HasMaxLength(400);
    }
}
