using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WebPushSubscriptionsInUse : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Browser",
                table: "WebPushSubscriptions",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "ConsecutiveFailures",
                table: "WebPushSubscriptions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "ExpiryWarnedAt",
                table: "WebPushSubscriptions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastSeenAt",
                table: "WebPushSubscriptions",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<DateTime>(
                name: "LastSuccessAt",
                table: "WebPushSubscriptions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ReceivesBreaking",
                table: "WebPushSubscriptions",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "ReceivesDigests",
                table: "WebPushSubscriptions",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "SiteKeys",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    PublicValue = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ProtectedValue = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SiteKeys", x => x.Name);
                });

            // Rows from before: seen when they were made.
            migrationBuilder.Sql("UPDATE \"WebPushSubscriptions\" SET \"LastSeenAt\" = \"CreatedAt\"");

            migrationBuilder.CreateIndex(
                name: "IX_WebPushSubscriptions_LastSeenAt",
                table: "WebPushSubscriptions",
                column: "LastSeenAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SiteKeys");

            migrationBuilder.DropIndex(
                name: "IX_WebPushSubscriptions_LastSeenAt",
                table: "WebPushSubscriptions");

            migrationBuilder.DropColumn(
                name: "Browser",
                table: "WebPushSubscriptions");

            migrationBuilder.DropColumn(
                name: "ConsecutiveFailures",
                table: "WebPushSubscriptions");

            migrationBuilder.DropColumn(
                name: "ExpiryWarnedAt",
                table: "WebPushSubscriptions");

            migrationBuilder.DropColumn(
                name: "LastSeenAt",
                table: "WebPushSubscriptions");

            migrationBuilder.DropColumn(
                name: "LastSuccessAt",
                table: "WebPushSubscriptions");

            migrationBuilder.DropColumn(
                name: "ReceivesBreaking",
                table: "WebPushSubscriptions");

            migrationBuilder.DropColumn(
                name: "ReceivesDigests",
                table: "WebPushSubscriptions");
        }
    }
}
