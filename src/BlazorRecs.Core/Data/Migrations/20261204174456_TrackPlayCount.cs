using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BlazorRecs.Core.Data.Migrations
{
    /// <summary>
    /// Tracks.PlayCount, the counted (non-skip) plays of each track, filled from the existing plays and kept by
    /// triggers on Plays from then on, so that popularity sorts read an index rather than count plays per track.
    /// Triggers rather than application code: plays arrive through EF, raw bulk inserts (seeding, imports) and
    /// cascading deletes, and all of them pass through SQLite.
    /// </summary>
    public partial class TrackPlayCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "PlayCount",
                table: "Tracks",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.Sql("UPDATE Tracks SET PlayCount = (SELECT COUNT(*) FROM Plays WHERE Plays.TrackId = Tracks.Id AND Plays.IsSkip = 0);");
            migrationBuilder.Sql("""
                CREATE TRIGGER Plays_PlayCount_Insert AFTER INSERT ON Plays WHEN NEW.IsSkip = 0
                BEGIN UPDATE Tracks SET PlayCount = PlayCount + 1 WHERE Id = NEW.TrackId; END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Plays_PlayCount_Delete AFTER DELETE ON Plays WHEN OLD.IsSkip = 0
                BEGIN UPDATE Tracks SET PlayCount = PlayCount - 1 WHERE Id = OLD.TrackId; END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER Plays_PlayCount_Update AFTER UPDATE OF TrackId, IsSkip ON Plays
                BEGIN
                    UPDATE Tracks SET PlayCount = PlayCount - 1 WHERE Id = OLD.TrackId AND OLD.IsSkip = 0;
                    UPDATE Tracks SET PlayCount = PlayCount + 1 WHERE Id = NEW.TrackId AND NEW.IsSkip = 0;
                END;
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Tracks_PlayCount_Id",
                table: "Tracks",
                columns: new[] { "PlayCount", "Id" },
                descending: new[] { true, false });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS Plays_PlayCount_Insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS Plays_PlayCount_Delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS Plays_PlayCount_Update;");

            migrationBuilder.DropIndex(
                name: "IX_Tracks_PlayCount_Id",
                table: "Tracks");

            migrationBuilder.DropColumn(
                name: "PlayCount",
                table: "Tracks");
        }
    }
}
