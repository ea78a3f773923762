using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ChatRobots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WebhookEndpoints_UserId_Url",
                table: "WebhookEndpoints");

            migrationBuilder.AddColumn<string>(
                name: "BreakingColumns",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 400,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "DigestColumnId",
                table: "WebhookEndpoints",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<TimeOnly>(
                name: "DigestLocalTime",
                table: "WebhookEndpoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DigestTimeZoneId",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Keyword",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastDeliveryAt",
                table: "WebhookEndpoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastError",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastErrorAt",
                table: "WebhookEndpoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "NeedsFix",
                table: "WebhookEndpoints",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Owner",
                table: "WebhookEndpoints",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "PauseReason",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PausedUntil",
                table: "WebhookEndpoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ReceivesAlerts",
                table: "WebhookEndpoints",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "ReceivesBreaking",
                table: "WebhookEndpoints",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "SecretHint",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "UpdatedAt",
                table: "WebhookEndpoints",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "UrlHash",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "UrlHint",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 120,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "SystemAlerts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Url = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SystemAlerts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WebhookRequests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EndpointId = table.Column<long>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Items = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WebhookRequests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WebhookRequests_WebhookEndpoints_EndpointId",
                        column: x => x.EndpointId,
                        principalTable: "WebhookEndpoints",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WebhookEndpoints_Owner_UserId",
                table: "WebhookEndpoints",
                columns: new[] { "Owner", "UserId" });

            migrationBuilder.CreateIndex(
                name: "IX_WebhookEndpoints_UrlHash",
                table: "WebhookEndpoints",
                column: "UrlHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WebhookEndpoints_UserId",
                table: "WebhookEndpoints",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_WebhookRequests_EndpointId_SentAt",
                table: "WebhookRequests",
                columns: new[] { "EndpointId", "SentAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SystemAlerts");

            migrationBuilder.DropTable(
                name: "WebhookRequests");

            migrationBuilder.DropIndex(
                name: "IX_WebhookEndpoints_Owner_UserId",
                table: "WebhookEndpoints");

            migrationBuilder.DropIndex(
                name: "IX_WebhookEndpoints_UrlHash",
                table: "WebhookEndpoints");

            migrationBuilder.DropIndex(
                name: "IX_WebhookEndpoints_UserId",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "BreakingColumns",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "DigestColumnId",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "DigestLocalTime",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "DigestTimeZoneId",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "Keyword",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "LastDeliveryAt",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "LastError",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "LastErrorAt",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "NeedsFix",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "Owner",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "PauseReason",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "PausedUntil",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "ReceivesAlerts",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "ReceivesBreaking",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "SecretHint",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "UrlHash",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "UrlHint",
                table: "WebhookEndpoints");

            migrationBuilder.CreateIndex(
                name: "IX_WebhookEndpoints_UserId_Url",
                table: "WebhookEndpoints",
                columns: new[] { "UserId", "Url" },
                unique: true);
        }
    }
}
