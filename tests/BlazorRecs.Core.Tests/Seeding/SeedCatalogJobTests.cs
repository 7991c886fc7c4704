using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Seeding;
using BlazorRecs.Core.Simulation;
using BlazorRecs.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Seeding;

public sealed class SeedCatalogJobTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_small_seed_stores_playable_tracks_covers_personas_and_plays_and_a_rerun_adds_nothing()
    {
        await using var host = await TestHost.StartAsync();
        var parameters = new SeedJobParameters(Seed: 7, Tracks: 6, Listeners: 8, Plays: 400, TrackSeconds: 4);

        SeedReport report;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var job = scope.ServiceProvider.GetServices<IJobHandler>().OfType<SeedCatalogJob>().Single();
            report = await job.RunAsync(parameters, new Progress<JobProgress>(), Ct);
        }

        Assert.Equal(6, report.TracksRendered);
        Assert.Equal(8, report.Listeners);
        await using (var db = await host.DbAsync())
        {
            var tracks = await db.Tracks.Include(t => t.Album).ToListAsync(Ct);
            Assert.Equal(6, tracks.Count);
            Assert.All(tracks, t =>
            {
                Assert.Equal(TrackSource.Seed, t.Source);
                Assert.True(File.Exists(Path.Combine(host.DataDirectory, t.AudioPath)), t.AudioPath);
                Assert.Equal(4000, t.DurationMs);
                Assert.NotNull(t.Energy);
                Assert.NotNull(t.Album?.CoverPath);
                Assert.True(File.Exists(Path.Combine(host.DataDirectory, t.Album!.CoverPath!)));
            });

            var personas = await db.Listeners.Where(l => l.Kind == ListenerKind.Persona).ToListAsync(Ct);
            Assert.Equal(8, personas.Count);
            Assert.All(personas, p => Assert.NotNull(ListenerSimulator.TasteFromJson(p.HiddenTasteJson!)));
            int plays = await db.Plays.CountAsync(Ct);
            Assert.Equal(report.Plays, plays);
            Assert.InRange(plays, 300, 500);
            // Plays only ever of released tracks.
            Assert.False(await db.Plays.AnyAsync(p => p.StartedAt < p.Track!.ReleasedAt, Ct));
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var job = scope.ServiceProvider.GetServices<IJobHandler>().OfType<SeedCatalogJob>().Single();
            var again = await job.RunAsync(parameters, new Progress<JobProgress>(), Ct);
            Assert.Equal(0, again.TracksRendered);
            Assert.Equal(0, again.Listeners);
        }

        await using var after = await host.DbAsync();
        Assert.Equal(6, await after.Tracks.CountAsync(Ct));
        Assert.Equal(8, await after.Listeners.CountAsync(Ct));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_plays_whatever_ids_the_database_hands_out()
    {
        var parameters = new SeedJobParameters(Seed: 11, Tracks: 8, Listeners: 12, Plays: 600, TrackSeconds: 4);

        // Once into an empty database, once into one that already holds an operator's tracks (so every id shifts,
        // and albums rendered side by side may finish in another order).
        var fresh = await SeedAndReadPlaysAsync(parameters, existingTracks: 0);
        var shifted = await SeedAndReadPlaysAsync(parameters, existingTracks: 5);

        Assert.InRange(fresh.Count, 400, 800);
        Assert.Equal(fresh, shifted);
    }

    // Seeds a fresh host after storing some unrelated tracks; the plays as (persona, planned track, time, ms, skip).
    private static async Task<List<string>> SeedAndReadPlaysAsync(SeedJobParameters parameters, int existingTracks)
    {
        await using var host = await TestHost.StartAsync();
        await using (var db = await host.DbAsync())
        {
            var artist = new Artist { Name = "Operator" };
            for (int i = 0; i < existingTracks; i++)
            {
                db.Tracks.Add(new Track { Title = $"own {i}", Artist = artist, DurationMs = 1000, AudioPath = "own.mp3", ReleasedAt = DateTimeOffset.UnixEpoch, AddedAt = DateTimeOffset.UnixEpoch });
            }

            await db.SaveChangesAsync(Ct);
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var job = scope.ServiceProvider.GetServices<IJobHandler>().OfType<SeedCatalogJob>().Single();
            await job.RunAsync(parameters, new Progress<JobProgress>(), Ct);
        }

        await using var read = await host.DbAsync();
        return (await read.Plays.Select(p => new { Listener = p.Listener!.ExternalId, Track = p.Track!.ExternalId, p.StartedAt, p.MsPlayed, p.IsSkip }).ToListAsync(Ct))
            .Select(p => $"{p.Listener} {p.Track} {p.StartedAt:O} {p.MsPlayed} {p.IsSkip}").Order(StringComparer.Ordinal).ToList();
    }
}
