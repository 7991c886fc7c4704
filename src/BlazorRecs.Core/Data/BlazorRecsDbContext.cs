using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BlazorRecs.Core.Data;

/// <summary>The application's SQLite database. Create one per operation through
/// <see cref="IDbContextFactory{TContext}"/>; never hold one in a long-lived component.</summary>
public sealed class BlazorRecsDbContext(DbContextOptions<BlazorRecsDbContext> options) : DbContext(options)
{
    public DbSet<Artist> Artists => Set<Artist>();
    public DbSet<Album> Albums => Set<Album>();
    public DbSet<Track> Tracks => Set<Track>();
    public DbSet<Listener> Listeners => Set<Listener>();
    public DbSet<Play> Plays => Set<Play>();
    public DbSet<EmbeddingBackend> EmbeddingBackends => Set<EmbeddingBackend>();
    public DbSet<TrackEmbedding> TrackEmbeddings => Set<TrackEmbedding>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<TrainedModel> TrainedModels => Set<TrainedModel>();
    public DbSet<EvaluationRun> EvaluationRuns => Set<EvaluationRun>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type; UTC ticks as INTEGER keep ORDER BY and range filters in SQL (TEXT offsets cannot).
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        // Enums as text: readable in the database and stable if members are reordered.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Artist>(e =>
        {
            e.Property(a => a.Name).HasMaxLength(300);
            e.HasIndex(a => a.Name);
        });

        modelBuilder.Entity<Album>(e =>
        {
            e.Property(a => a.Title).HasMaxLength(300);
            e.HasOne(a => a.Artist).WithMany(a => a.Albums).HasForeignKey(a => a.ArtistId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Track>(e =>
        {
            e.Property(t => t.Title).HasMaxLength(300);
            e.HasOne(t => t.Artist).WithMany(a => a.Tracks).HasForeignKey(t => t.ArtistId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(t => t.Album).WithMany(a => a.Tracks).HasForeignKey(t => t.AlbumId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(t => t.Title);
            e.HasIndex(t => t.Genre);
            e.HasIndex(t => t.ReleasedAt);
            e.HasIndex(t => t.ExternalId);
            e.HasIndex(t => t.ContentHash);
            // Maintained by the triggers of the TrackPlayCount migration: generated on add and update, EF never
            // writes it (a stale tracked copy cannot overwrite the count) and reads it back after saving.
            e.Property(t => t.PlayCount).HasDefaultValue(0).ValueGeneratedOnAddOrUpdate();
            e.HasIndex(t => new { t.PlayCount, t.Id }).IsDescending(true, false);
        });

        modelBuilder.Entity<Listener>(e =>
        {
            e.Property(l => l.Name).HasMaxLength(200);
            e.HasIndex(l => l.Kind);
            e.HasIndex(l => l.ExternalId);
        });

        modelBuilder.Entity<Play>(e =>
        {
            e.HasOne(p => p.Listener).WithMany(l => l.Plays).HasForeignKey(p => p.ListenerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(p => p.Track).WithMany().HasForeignKey(p => p.TrackId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(p => new { p.ListenerId, p.StartedAt });
            e.HasIndex(p => new { p.TrackId, p.StartedAt });
            e.HasIndex(p => p.StartedAt);
        });

        modelBuilder.Entity<EmbeddingBackend>(e =>
        {
            e.HasKey(b => b.Id);
            e.Property(b => b.Id).HasMaxLength(100);
        });

        modelBuilder.Entity<TrackEmbedding>(e =>
        {
            e.HasKey(x => new { x.TrackId, x.BackendId });
            e.HasOne(x => x.Track).WithMany().HasForeignKey(x => x.TrackId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Backend).WithMany().HasForeignKey(x => x.BackendId).OnDelete(DeleteBehavior.Cascade);
            // Covers the indexes' and live models' freshness check (how many current vectors, their track-id sum, the
            // newest) without reading the rows and their vector blobs: TrackId must be in it for the sum.
            e.HasIndex(x => new { x.BackendId, x.Version, x.ComputedAt, x.TrackId });
        });

        modelBuilder.Entity<Job>(e =>
        {
            e.HasIndex(j => j.CreatedAt);
            e.HasIndex(j => j.State);
        });

        modelBuilder.Entity<TrainedModel>(e => e.HasIndex(m => new { m.Model, m.BackendId }));
        modelBuilder.Entity<EvaluationRun>(e => e.HasIndex(r => r.CreatedAt));
    }

    /// <summary>Stores a <see cref="DateTimeOffset"/> as its UTC ticks; values come back with offset zero.</summary>
    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
