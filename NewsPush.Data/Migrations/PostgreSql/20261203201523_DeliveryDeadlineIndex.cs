using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DeliveryDeadlineIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Deliveries_Status_DeliverBy",
                table: "Deliveries",
                columns: new[] { "Status", "DeliverBy" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Deliveries_Status_DeliverBy",
                table: "Deliveries");
        }
    }
}
