using BlazorRecs.Core.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using System.Data.Common;

namespace BlazorRecs.Core.Data;

/// <summary>Registers the SQLite database (house style 4).</summary>
public static class DataRegistration
{
    /// <summary>How long a writer waits for another writer's lock before SQLite reports busy.</summary>
    public const int BusyTimeoutMs = 10_000;

    /// <summary>Adds a pooled <see cref="BlazorRecsDbContext"/> factory and applies migrations at start.</summary>
    public static IHostApplicationBuilder AddBlazorRecsData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPooledDbContextFactory<BlazorRecsDbContext>((sp, options) =>
        {
            var settings = sp.GetRequiredService<IOptions<BlazorRecsOptions>>().Value;
            ConfigureSqlite(options, settings.DatabasePath);
        });
        builder.Services.AddSingleton<DatabaseInitializer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseInitializer>());
        return builder;
    }

    /// <summary>Points <paramref name="options"/> at the SQLite file with the pragmas every connection needs.</summary>
    public static void ConfigureSqlite(DbContextOptionsBuilder options, string databasePath)
    {
        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout; keep both in step.
            DefaultTimeout = BusyTimeoutMs / 1000,
        };
        options.UseSqlite(connection.ToString(), sqlite => sqlite.MigrationsAssembly(typeof(BlazorRecsDbContext).Assembly.FullName))
            .AddInterceptors(SqlitePragmas.Instance);
    }

    /// <summary>Sets per-connection pragmas on open; journal_mode=WAL is persistent and set once at start.</summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private static void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
            command.ExecuteNonQuery();
        }
    }
}
