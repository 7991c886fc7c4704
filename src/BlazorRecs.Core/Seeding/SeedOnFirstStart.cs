using BlazorRecs.Core.Data;
using BlazorRecs.Core.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Seeding;

/// <summary>Queues the demo's seed job when the app starts on an empty catalog that was never seeded, so a fresh
/// <c>./run.sh</c> shows music within minutes without anyone signing in.</summary>
public sealed class SeedOnFirstStart(
    IDbContextFactory<BlazorRecsDbContext> contexts,
    JobService jobs,
    IOptions<SeedOptions> options,
    ILogger<SeedOnFirstStart> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.OnFirstStart)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Tracks.AnyAsync(cancellationToken) || await db.Jobs.AnyAsync(j => j.Kind == SeedCatalogJob.JobKind, cancellationToken))
        {
            return;
        }

        var job = await jobs.EnqueueAsync(SeedCatalogJob.JobKind, cancellationToken: cancellationToken);
        logger.LogInformation("Empty catalog: queued the demo seed job #{Id} ({Tracks} tracks, {Listeners} listeners); follow it on /jobs",
            job.Id, options.Value.DefaultTracks, options.Value.DefaultListeners);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
