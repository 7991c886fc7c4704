using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BlazorRecs.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class CoveringEmbeddingStateIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TrackEmbeddings_BackendId_Version_ComputedAt",
                table: "TrackEmbeddings");

            migrationBuilder.CreateIndex(
                name: "IX_TrackEmbeddings_BackendId_Version_ComputedAt_TrackId",
                table: "TrackEmbeddings",
                columns: new[] { "BackendId", "Version", "ComputedAt", "TrackId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TrackEmbeddings_BackendId_Version_ComputedAt_TrackId",
                table: "TrackEmbeddings");

            migrationBuilder.CreateIndex(
                name: "IX_TrackEmbeddings_BackendId_Version_ComputedAt",
                table: "TrackEmbeddings",
                columns: new[] { "BackendId", "Version", "ComputedAt" });
        }
    }
}
