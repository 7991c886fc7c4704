using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BlazorRecs.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class TrackAudioDescriptors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "Acousticness",
                table: "Tracks",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Brightness",
                table: "Tracks",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Energy",
                table: "Tracks",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "TempoBpm",
                table: "Tracks",
                type: "REAL",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Acousticness",
                table: "Tracks");

            migrationBuilder.DropColumn(
                name: "Brightness",
                table: "Tracks");

            migrationBuilder.DropColumn(
                name: "Energy",
                table: "Tracks");

            migrationBuilder.DropColumn(
                name: "TempoBpm",
                table: "Tracks");
        }
    }
}
