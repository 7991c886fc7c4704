using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BlazorRecs.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobCurves : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CurveJson",
                table: "Jobs",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CurveJson",
                table: "Jobs");
        }
    }
}
