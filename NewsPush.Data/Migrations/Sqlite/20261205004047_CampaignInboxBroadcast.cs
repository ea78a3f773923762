using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CampaignInboxBroadcast : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AudienceColumnId",
                table: "Broadcasts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AudienceCount",
                table: "Broadcasts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AudienceSegment",
                table: "Broadcasts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "AudienceTargets",
                table: "Broadcasts",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "AudienceZones",
                table: "Broadcasts",
                type: "TEXT",
                maxLength: 4000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "ExcludePushedSince",
                table: "Broadcasts",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AudienceColumnId",
                table: "Broadcasts");

            migrationBuilder.DropColumn(
                name: "AudienceCount",
                table: "Broadcasts");

            migrationBuilder.DropColumn(
                name: "AudienceSegment",
                table: "Broadcasts");

            migrationBuilder.DropColumn(
                name: "AudienceTargets",
                table: "Broadcasts");

            migrationBuilder.DropColumn(
                name: "AudienceZones",
                table: "Broadcasts");

            migrationBuilder.DropColumn(
                name: "ExcludePushedSince",
                table: "Broadcasts");
        }
    }
}
