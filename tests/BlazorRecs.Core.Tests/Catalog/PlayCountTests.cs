using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Tests.Support;
using BlazorRecs.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Catalog;

/// <summary>Tracks.PlayCount is kept by the database's triggers, whoever writes the plays.</summary>
public sealed class PlayCountTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Counted_plays_follow_every_insert_change_and_delete_and_order_the_popularity_sort()
    {
        await using var host = await TestHost.StartAsync();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        int a, b, c, listener, other;
        await using (var db = await host.DbAsync())
        {
            var artist = new Artist { Name = "Counter" };
            var tracks = new[] { "A", "B", "C" }.Select(t => new Track { Title = t, Artist = artist, DurationMs = 60_000, AudioPath = $"{t}.mp3", ReleasedAt = start }).ToList();
            db.Tracks.AddRange(tracks);
            var l1 = new Listener { Name = "one", CreatedAt = start };
            var l2 = new Listener { Name = "two", CreatedAt = start };
            db.Listeners.AddRange(l1, l2);
            await db.SaveChangesAsync(Ct);
            (a, b, c, listener, other) = (tracks[0].Id, tracks[1].Id, tracks[2].Id, l1.Id, l2.Id);

            // Through EF: two counted plays of B, one of C, and a skip of A that must not count.
            db.Plays.AddRange(
                new Play { ListenerId = listener, TrackId = b, StartedAt = start, MsPlayed = 40_000 },
                new Play { ListenerId = other, TrackId = b, StartedAt = start, MsPlayed = 40_000 },
                new Play { ListenerId = listener, TrackId = c, StartedAt = start, MsPlayed = 40_000 },
                new Play { ListenerId = listener, TrackId = a, StartedAt = start, MsPlayed = 3_000, IsSkip = true });
            await db.SaveChangesAsync(Ct);
        }

        // Through the raw bulk insert the seeder and the importers use: three counted plays of C.
        await using (var db = await host.DbAsync())
        {
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            await connection.OpenAsync(Ct);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(Ct);
            await using var insert = BulkInserts.Plays(connection, transaction, PlaySource.Import);
            for (int i = 0; i < 3; i++)
            {
                await BulkInserts.AddPlayAsync(insert, other, c, start.AddMinutes(i), 50_000, isSkip: false, Ct);
            }

            await transaction.CommitAsync(Ct);
        }

        Assert.Equal([(a, 0), (b, 2), (c, 4)], await CountsAsync(host));
        var catalog = host.Services.GetRequiredService<CatalogQueries>();
        var popular = await catalog.SearchAsync(new TrackQuery(Sort: TrackSort.Popularity), Ct);
        Assert.Equal([c, b, a], popular.Items.Select(t => t.Id));
        Assert.Equal([4, 2, 0], popular.Items.Select(t => t.Plays));

        await using (var db = await host.DbAsync())
        {
            // A tracked track saved after plays arrived must not write its stale count back.
            var stale = await db.Tracks.SingleAsync(t => t.Id == b, Ct);
            await db.Plays.AddAsync(new Play { ListenerId = listener, TrackId = b, StartedAt = start, MsPlayed = 45_000 }, Ct);
            await db.SaveChangesAsync(Ct);
            stale.Title = "B (renamed)";
            await db.SaveChangesAsync(Ct);

            // A skip that becomes a counted play, and a play moved to another track.
            await db.Plays.Where(p => p.TrackId == a).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsSkip, false), Ct);
            long moved = await db.Plays.Where(p => p.TrackId == c && p.ListenerId == listener).Select(p => p.Id).SingleAsync(Ct);
            await db.Plays.Where(p => p.Id == moved).ExecuteUpdateAsync(s => s.SetProperty(p => p.TrackId, a), Ct);
        }

        Assert.Equal([(a, 2), (b, 3), (c, 3)], await CountsAsync(host));

        // Deleting a listener cascades to their plays, and the counts follow.
        await using (var db = await host.DbAsync())
        {
            await db.Listeners.Where(l => l.Id == other).ExecuteDeleteAsync(Ct);
        }

        Assert.Equal([(a, 2), (b, 2), (c, 0)], await CountsAsync(host));
        Assert.Equal(await RecountAsync(host), await CountsAsync(host));
    }

    [Fact]
    public async Task The_migration_fills_the_counts_of_plays_stored_before_it()
    {
        string directory = Directory.CreateTempSubdirectory("blazorrecs-playcount-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<BlazorRecsDbContext>();
            DataRegistration.ConfigureSqlite(options, Path.Combine(directory, "old.db"));
            await using (var db = new BlazorRecsDbContext(options.Options))
            {
                var migrator = db.GetService<IMigrator>();
                await migrator.MigrateAsync("EmbeddingFreshnessIndex", cancellationToken: Ct);
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO Artists (Id, Name) VALUES (1, 'Old');
                    INSERT INTO Tracks (Id, Title, ArtistId, DurationMs, AudioPath, Source, ReleasedAt, AddedAt)
                        VALUES (1, 'x', 1, 1000, 'x.mp3', 'Seed', 0, 0),
                               (2, 'y', 1, 1000, 'y.mp3', 'Seed', 0, 0);
                    INSERT INTO Listeners (Id, Name, Kind, CreatedAt) VALUES (1, 'l', 'Simulated', 0);
                    INSERT INTO Plays (ListenerId, TrackId, StartedAt, MsPlayed, Source, IsSkip) VALUES
                        (1, 2, 1, 900, 'Simulated', 0), (1, 2, 2, 900, 'Simulated', 0),
                        (1, 2, 3, 100, 'Simulated', 1), (1, 1, 4, 100, 'Simulated', 1);
                    """, Ct);

                await migrator.MigrateAsync(cancellationToken: Ct);
                Assert.Equal([(1, 0), (2, 2)], (await db.Tracks.OrderBy(t => t.Id).Select(t => new { t.Id, t.PlayCount }).ToListAsync(Ct))
                    .Select(t => (t.Id, t.PlayCount)));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await TempDirectory.DeleteAsync(directory);
        }
    }

    private static async Task<List<(int Id, int Count)>> CountsAsync(TestHost host)
    {
        await using var db = await host.DbAsync();
        return (await db.Tracks.OrderBy(t => t.Id).Select(t => new { t.Id, t.PlayCount }).ToListAsync(Ct)).Select(t => (t.Id, t.PlayCount)).ToList();
    }

    private static async Task<List<(int Id, int Count)>> RecountAsync(TestHost host)
    {
        await using var db = await host.DbAsync();
        return (await db.Tracks.OrderBy(t => t.Id).Select(t => new { t.Id, Count = db.Plays.Count(p => p.TrackId == t.Id && !p.IsSkip) }).ToListAsync(Ct))
            .Select(t => (t.Id, t.Count)).ToList();
    }
}
