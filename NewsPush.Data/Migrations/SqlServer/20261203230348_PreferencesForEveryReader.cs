using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class PreferencesForEveryReader : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Registration used to create no preferences row, so those readers never got a digest. They get the
            // defaults of ReaderPreferences (inbox + e-mail, daily at 07:00; UTC, as their zone was never asked).
            migrationBuilder.Sql(@"INSERT INTO ""ReaderPreferences"" (""UserId"", ""InboxEnabled"", ""EmailEnabled"", ""WebPushEnabled"", ""WebhookEnabled"", ""DigestFrequency"", ""DigestLocalTime"", ""DigestDayOfWeek"", ""TimeZoneId"", ""WeeklyPushCap"", ""UpdatedAt"")
SELECT u.""Id"", 1, 1, 0, 0, 1, '07:00', 1, 'UTC', 14, SYSUTCDATETIME()
FROM ""AspNetUsers"" u
WHERE u.""DeletedAt"" IS NULL AND NOT EXISTS (SELECT 1 FROM ""ReaderPreferences"" p WHERE p.""UserId"" = u.""Id"")");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The rows stay: readers may have edited them since, and without them no digest is sent.
        }
    }
}
