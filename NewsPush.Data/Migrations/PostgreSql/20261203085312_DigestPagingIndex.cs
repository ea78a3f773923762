using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DigestPagingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ReaderPreferences_DigestFrequency_TimeZoneId",
                table: "ReaderPreferences");

            migrationBuilder.CreateIndex(
                name: "IX_ReaderPreferences_DigestFrequency_UserId",
                table: "ReaderPreferences",
                columns: new[] { "DigestFrequency", "UserId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ReaderPreferences_DigestFrequency_UserId",
                table: "ReaderPreferences");

            migrationBuilder.CreateIndex(
                name: "IX_ReaderPreferences_DigestFrequency_TimeZoneId",
                table: "ReaderPreferences",
                columns: new[] { "DigestFrequency", "TimeZoneId" });
        }
    }
}
