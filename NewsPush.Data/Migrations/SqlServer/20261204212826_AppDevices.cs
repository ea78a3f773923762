using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class AppDevices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AppPushEnabled",
                table: "ReaderPreferences",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AlterColumn<string>(
                name: "UserId",
                table: "Devices",
                type: "nvarchar(450)",
                maxLength: 450,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(450)",
                oldMaxLength: 450);

            migrationBuilder.AlterColumn<string>(
                name: "Token",
                table: "Devices",
                type: "nvarchar(max)",
                maxLength: 4096,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(1000)",
                oldMaxLength: 1000);

            migrationBuilder.AddColumn<string>(
                name: "AppVersion",
                table: "Devices",
                type: "nvarchar(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeactivatedAt",
                table: "Devices",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeactivatedReason",
                table: "Devices",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastOpenedAt",
                table: "Devices",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastSuccessAt",
                table: "Devices",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Locale",
                table: "Devices",
                type: "nvarchar(35)",
                maxLength: 35,
                nullable: true);

            migrationBuilder.AddColumn<TimeOnly>(
                name: "PushHoursEnd",
                table: "Devices",
                type: "time",
                nullable: true);

            migrationBuilder.AddColumn<TimeOnly>(
                name: "PushHoursStart",
                table: "Devices",
                type: "time",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ReceivesBreaking",
                table: "Devices",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "ReceivesDigests",
                table: "Devices",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "TimeZoneId",
                table: "Devices",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TokenHash",
                table: "Devices",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "TokenUpdatedAt",
                table: "Devices",
                type: "datetime2",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.CreateIndex(
                name: "IX_Devices_Platform_TokenHash",
                table: "Devices",
                columns: new[] { "Platform", "TokenHash" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Devices_Platform_TokenHash",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "AppPushEnabled",
                table: "ReaderPreferences");

            migrationBuilder.DropColumn(
                name: "AppVersion",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "DeactivatedAt",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "DeactivatedReason",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "LastOpenedAt",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "LastSuccessAt",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "Locale",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "PushHoursEnd",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "PushHoursStart",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "ReceivesBreaking",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "ReceivesDigests",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "TimeZoneId",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "TokenHash",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "TokenUpdatedAt",
                table: "Devices");

            migrationBuilder.AlterColumn<string>(
                name: "UserId",
                table: "Devices",
                type: "nvarchar(450)",
                maxLength: 450,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "nvarchar(450)",
                oldMaxLength: 450,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Token",
                table: "Devices",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(max)",
                oldMaxLength: 4096);
        }
    }
}
