using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Simulation;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Seeding;

/// <summary>What a seed job makes; unset values come from <see cref="SeedOptions"/>.</summary>
public sealed record SeedJobParameters(int? Seed = null, int? Tracks = null, int? Listeners = null, int? Plays = null, int? TrackSeconds = null);

/// <summary>Figures a finished seed reports (also printed by the CLI's seed benchmark).</summary>
public sealed record SeedReport(int TracksRendered, int TracksTotal, TimeSpan RenderTime, TimeSpan? FirstPlayableAfter, int Listeners, int Plays, TimeSpan SimulationTime)
{
    /// <summary>Rendered tracks per second of wall time.</summary>
    public double TracksPerSecond => RenderTime.TotalSeconds > 0 ? TracksRendered / RenderTime.TotalSeconds : 0;
}

/// <summary>
/// The "seed" job: plans the procedural catalog, renders its tracks in parallel and stores each one as soon as it
/// is ready (the catalog is browsable and playable while the rest render), then simulates the listener personas and
/// their history over the finished catalog. Re-running it resumes: tracks and personas already stored are kept.
/// </summary>
public sealed class SeedCatalogJob(
    IDbContextFactory<BlazorRecsDbContext> contexts,
    IOptions<BlazorRecsOptions> options,
    IOptions<SeedOptions> seedOptions,
    CatalogComposer composer,
    TrackRenderer renderer,
    TimeProvider time,
    ILogger<SeedCatalogJob> logger) : IJobHandler
{
    /// <summary>The job kind.</summary>
    public const string JobKind = "seed";

    /// <inheritdoc />
    public string Kind => JobKind;

    /// <summary>Embeds the new catalog with every available backend, then trains the in-house CNN on it (whose own
    /// follow-up embeds the catalog with the new model), so the demo ends with every backend computed.</summary>
    public IReadOnlyList<string> FollowUps => [Embeddings.EmbedTracksJob.JobKind, Embeddings.Contrastive.TrainContrastiveCnnJob.JobKind];

    /// <summary>The last run's figures.</summary>
    public SeedReport? Report { get; private set; }

    /// <inheritdoc />
    public async Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var parameters = string.IsNullOrWhiteSpace(parametersJson)
            ? new SeedJobParameters()
            : JsonSerializer.Deserialize<SeedJobParameters>(parametersJson, JsonOptions) ?? new SeedJobParameters();
        await RunAsync(parameters, progress, cancellationToken);
    }

    /// <summary>Seeds with explicit parameters.</summary>
    public async Task<SeedReport> RunAsync(SeedJobParameters parameters, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var o = seedOptions.Value;
        int seed = parameters.Seed ?? o.Seed;
        var spec = new CatalogSpec(seed, parameters.Tracks ?? o.DefaultTracks, o.HistoryEnd.AddMonths(-13), o.HistoryEnd, parameters.TrackSeconds ?? o.TrackSeconds);
        progress.Report(new JobProgress(0, $"planning {spec.TrackCount} tracks (seed {seed})"));
        CatalogPlan plan = composer.Plan(spec);

        var ids = await StoreArtistsAndAlbumsAsync(plan, cancellationToken);
        var (rendered, renderTime, firstPlayable) = await RenderTracksAsync(plan, ids, new SubProgress(progress, 0.01, 0.85), cancellationToken);
        var (listeners, plays, simulationTime) = await SimulateListenersAsync(plan, parameters, new SubProgress(progress, 0.85, 1.0), cancellationToken);

        Report = new SeedReport(rendered, spec.TrackCount, renderTime, firstPlayable, listeners, plays, simulationTime);
        progress.Report(new JobProgress(1, string.Create(CultureInfo.InvariantCulture,
            $"{spec.TrackCount} tracks ({rendered} rendered now, {Report.TracksPerSecond:0.0}/s), {listeners} personas, {plays:N0} plays")));
        return Report;
    }

    private sealed record StoredIds(IReadOnlyDictionary<int, int> Artists, IReadOnlyDictionary<int, int> Albums);

    private async Task<StoredIds> StoreArtistsAndAlbumsAsync(CatalogPlan plan, CancellationToken ct)
    {
        string coverDir = Path.Combine(options.Value.DataPath, "covers", $"seed-{plan.Spec.Seed}");
        Directory.CreateDirectory(coverDir);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var artists = new Dictionary<int, int>();
        foreach (var a in plan.Artists)
        {
            var existing = await db.Artists.FirstOrDefaultAsync(x => x.Name == a.Name && x.Genre == a.Genre, ct);
            if (existing is null)
            {
                existing = new Artist { Name = a.Name, Genre = a.Genre };
                db.Artists.Add(existing);
                await db.SaveChangesAsync(ct);
            }

            artists[a.Index] = existing.Id;
        }

        var albums = new Dictionary<int, int>();
        foreach (var a in plan.Albums)
        {
            int artistId = artists[a.ArtistIndex];
            string cover = Path.Combine("covers", $"seed-{plan.Spec.Seed}", $"album-{a.Index:D4}.svg");
            await File.WriteAllTextAsync(Path.Combine(options.Value.DataPath, cover), CoverArt.Svg(plan, a, composer.Definitions), ct);
            var existing = await db.Albums.FirstOrDefaultAsync(x => x.ArtistId == artistId && x.Title == a.Title, ct);
            if (existing is null)
            {
                existing = new Album { Title = a.Title, ArtistId = artistId, ReleasedAt = a.ReleasedAt, CoverPath = cover };
                db.Albums.Add(existing);
                await db.SaveChangesAsync(ct);
            }

            albums[a.Index] = existing.Id;
        }

        return new StoredIds(artists, albums);
    }

    private async Task<(int Rendered, TimeSpan Elapsed, TimeSpan? FirstPlayable)> RenderTracksAsync(
        CatalogPlan plan, StoredIds ids, IProgress<JobProgress> progress, CancellationToken ct)
    {
        HashSet<string> done;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            string prefix = ExternalIdPrefix(plan.Spec.Seed);
            done = (await db.Tracks.Where(t => t.ExternalId != null && t.ExternalId.StartsWith(prefix)).Select(t => t.ExternalId!).ToListAsync(ct)).ToHashSet();
        }

        var todo = plan.Tracks.Where(t => !done.Contains(ExternalId(plan.Spec.Seed, t.Index))).ToList();
        int finished = 0;
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;
        string audioDir = Path.Combine("audio", $"seed-{plan.Spec.Seed}");
        progress.Report(new JobProgress(0, $"rendering {todo.Count} of {plan.Tracks.Count} tracks"));

        // An album per batch (one ffmpeg start per album), one batch per core: synthesis and encoding are each
        // single-threaded. Tracks are stored as their album finishes, so the catalog fills while the rest render.
        var albums = todo.GroupBy(t => t.AlbumIndex).Select(g => g.ToList()).ToList();
        using IDisposable? soundFont = albums.Count > 0 ? renderer.KeepSoundFontLoaded() : null;
        await Parallel.ForEachAsync(albums, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, async (album, token) =>
        {
            var requests = album.Select(track => new RenderRequest(track, Path.Combine(options.Value.DataPath, RelativeAudioPath(audioDir, track)))).ToList();
            IReadOnlyList<RenderedTrack> audio = await renderer.RenderAsync(plan, requests, token);
            await using var db = await contexts.CreateDbContextAsync(token);
            for (int i = 0; i < album.Count; i++)
            {
                TrackPlan track = album[i];
                db.Tracks.Add(new Track
                {
                    Title = track.Title,
                    ArtistId = ids.Artists[track.ArtistIndex],
                    AlbumId = ids.Albums[track.AlbumIndex],
                    TrackNumber = track.TrackNumber,
                    Genre = track.Genre,
                    DurationMs = audio[i].DurationMs,
                    AudioPath = RelativeAudioPath(audioDir, track),
                    Source = TrackSource.Seed,
                    ExternalId = ExternalId(plan.Spec.Seed, track.Index),
                    ContentHash = audio[i].Sha256,
                    ReleasedAt = track.ReleasedAt,
                    AddedAt = time.GetUtcNow(),
                    TempoBpm = audio[i].Descriptors.TempoBpm,
                    Energy = audio[i].Descriptors.Energy,
                    Brightness = audio[i].Descriptors.Brightness,
                    Acousticness = audio[i].Descriptors.Acousticness,
                });
            }

            await db.SaveChangesAsync(token);
            int n = Interlocked.Add(ref finished, album.Count);
            if (n == album.Count)
            {
                first = clock.Elapsed;
            }

            progress.Report(new JobProgress((double)n / todo.Count, string.Create(CultureInfo.InvariantCulture,
                $"rendered {n}/{todo.Count} tracks ({n / Math.Max(0.001, clock.Elapsed.TotalSeconds):0.0} tracks/s)")));
        });

        logger.LogInformation("Rendered {Count} tracks in {Seconds:0.0} s", todo.Count, clock.Elapsed.TotalSeconds);
        return (todo.Count, clock.Elapsed, first);
    }

    private async Task<(int Listeners, int Plays, TimeSpan Elapsed)> SimulateListenersAsync(
        CatalogPlan plan, SeedJobParameters parameters, IProgress<JobProgress> progress, CancellationToken ct)
    {
        var o = seedOptions.Value;
        int count = parameters.Listeners ?? o.DefaultListeners;
        string prefix = $"seed:{plan.Spec.Seed}:persona:";
        var clock = Stopwatch.StartNew();
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Personas are committed in batches; a re-run simulates only the ones not stored yet (each persona depends
        // on the seed and its index alone, so the result is the same as an uninterrupted run).
        var simulated = (await db.Listeners.Where(l => l.ExternalId != null && l.ExternalId.StartsWith(prefix))
            .Select(l => l.ExternalId!).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        if (count == 0 || simulated.Count >= count)
        {
            progress.Report(new JobProgress(1, "personas already simulated"));
            return (0, 0, clock.Elapsed);
        }

        // The simulation sees the tracks, artists and albums under their indices in the plan, not their database
        // ids: ids follow the order in which albums finished rendering (in parallel) and whatever the database held
        // before, and the simulation draws from them (a track's latent popularity is hashed from its id, ties are
        // broken by it). With plan indices the same seed gives the same plays on every run; the plays are stored
        // under the database ids.
        string trackPrefix = ExternalIdPrefix(plan.Spec.Seed);
        var stored = await db.Tracks.AsNoTracking().Where(t => t.ExternalId != null && t.ExternalId.StartsWith(trackPrefix))
            .Select(t => new { t.Id, t.ExternalId, t.DurationMs, t.ReleasedAt, t.TempoBpm, t.Energy, t.Brightness, t.Acousticness })
            .ToListAsync(ct);
        var plannedTracks = plan.Tracks.ToDictionary(t => t.Index);
        var databaseId = new Dictionary<int, int>();
        var tracks = new List<SimTrack>(stored.Count);
        // (A track of this seed outside this plan, left by an earlier seed with more tracks, takes no part.)
        var inPlan = stored.Select(t => (Track: t, Planned: plannedTracks.GetValueOrDefault(PlanIndex(t.ExternalId!, trackPrefix))))
            .Where(x => x.Planned is not null).Select(x => (x.Track, Planned: x.Planned!)).OrderBy(x => x.Planned.Index);
        foreach (var (t, planned) in inPlan)
        {
            databaseId[planned.Index] = t.Id;
            tracks.Add(new SimTrack(planned.Index, planned.ArtistIndex, planned.AlbumIndex, planned.TrackNumber, planned.Genre, t.ReleasedAt,
                t.DurationMs, t.TempoBpm ?? 120, t.Energy ?? 0.5, t.Brightness ?? 0.5, t.Acousticness ?? 0.5));
        }

        var spec = new SimulationSpec(plan.Spec.Seed, count, plan.Spec.HistoryStart, plan.Spec.HistoryEnd, parameters.Plays ?? o.DefaultPlays);
        progress.Report(new JobProgress(0, $"simulating {count} listeners over {tracks.Count} tracks"));

        // Plays go in through prepared statements, a transaction per batch of listeners: EF change tracking would
        // take minutes for 150k rows, and one transaction for all of them would lock out every other writer (play
        // reports, job progress) for the whole simulation.
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        int listeners = 0, plays = 0;
        var batch = new List<SimulatedListener>(ListenersPerTransaction);
        foreach (var listener in new ListenerSimulator().Simulate(spec, tracks, ct))
        {
            if (simulated.Contains(prefix + listener.Index.ToString(CultureInfo.InvariantCulture)))
            {
                continue;
            }

            batch.Add(listener);
            if (batch.Count == ListenersPerTransaction)
            {
                plays += await InsertPersonasAsync(connection, batch, prefix, plan.Spec.HistoryStart, databaseId, ct);
                listeners += batch.Count;
                batch.Clear();
                progress.Report(new JobProgress((double)listeners / count, $"simulated {listeners}/{count} listeners, {plays:N0} plays"));
            }
        }

        plays += await InsertPersonasAsync(connection, batch, prefix, plan.Spec.HistoryStart, databaseId, ct);
        listeners += batch.Count;
        logger.LogInformation("Simulated {Listeners} listeners with {Plays} plays in {Seconds:0.0} s", listeners, plays, clock.Elapsed.TotalSeconds);
        return (listeners, plays, clock.Elapsed);
    }

    private const int ListenersPerTransaction = 50;

    private static async Task<int> InsertPersonasAsync(SqliteConnection connection, IReadOnlyList<SimulatedListener> listeners, string prefix,
        DateTimeOffset createdAt, IReadOnlyDictionary<int, int> databaseId, CancellationToken ct)
    {
        if (listeners.Count == 0)
        {
            return 0;
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        using var insertListener = BulkInserts.Listeners(connection, transaction, ListenerKind.Persona);
        using var insertPlay = BulkInserts.Plays(connection, transaction, PlaySource.Simulated);
        int plays = 0;
        foreach (var listener in listeners)
        {
            long listenerId = await BulkInserts.AddListenerAsync(insertListener, listener.Name,
                prefix + listener.Index.ToString(CultureInfo.InvariantCulture), createdAt, ListenerSimulator.TasteToJson(listener.Taste), ct);
            foreach (var play in listener.Plays)
            {
                await BulkInserts.AddPlayAsync(insertPlay, listenerId, databaseId[play.TrackId], play.StartedAt, play.MsPlayed, play.IsSkip, ct);
            }

            plays += listener.Plays.Count;
        }

        await transaction.CommitAsync(ct);
        return plays;
    }

    private static string RelativeAudioPath(string audioDir, TrackPlan track) => Path.Combine(audioDir, $"{track.Index:D5}.mp3");

    private static string ExternalIdPrefix(int seed) => $"seed:{seed}:track:";

    private static string ExternalId(int seed, int index) => ExternalIdPrefix(seed) + index.ToString(CultureInfo.InvariantCulture);

    private static int PlanIndex(string externalId, string prefix) => int.Parse(externalId.AsSpan(prefix.Length), CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
