using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.SqlServer
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
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "ConsecutiveFailures",
                table: "WebPushSubscriptions",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "ExpiryWarnedAt",
                table: "WebPushSubscriptions",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastSeenAt",
                table: "WebPushSubscriptions",
                type: "datetime2",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<DateTime>(
                name: "LastSuccessAt",
                table: "WebPushSubscriptions",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ReceivesBreaking",
                table: "WebPushSubscriptions",
                type: "bit",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "ReceivesDigests",
                table: "WebPushSubscriptions",
                type: "bit",
                nullable: false,
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "SiteKeys",
                columns: table => new
                {
                    Name = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    PublicValue = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    ProtectedValue = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
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
