using BlazorRecs.Core.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Data;

/// <summary>Creates the data directory, applies checked-in migrations and switches the database to WAL, before the
/// app serves (it runs as the first hosted service's StartAsync).</summary>
public sealed class DatabaseInitializer(
    IDbContextFactory<BlazorRecsDbContext> contexts,
    IOptions<BlazorRecsOptions> options,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Value.DataPath);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        // WAL lets the player's play reports and background jobs write while pages read.
        var mode = await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode = WAL").ToListAsync(cancellationToken);
        logger.LogInformation("Database {Path}: applied {Count} migration(s), journal mode {Mode}",
            options.Value.DatabasePath, pending.Count, mode.FirstOrDefault());
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
