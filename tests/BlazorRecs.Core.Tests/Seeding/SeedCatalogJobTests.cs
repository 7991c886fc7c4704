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
}
