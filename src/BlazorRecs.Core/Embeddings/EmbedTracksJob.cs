using System.Globalization;
using System.Text.Json;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Media;
using Microsoft.Extensions.Logging;

namespace BlazorRecs.Core.Embeddings;

/// <summary>The parameters of the embed job: one backend, or every available one when null.</summary>
public sealed record EmbedJobParameters(string? Backend = null);

/// <summary>
/// The "embed" job: for each backend (or one), decodes every track whose vector is missing or of another version at
/// the backend's sample rate (ffmpeg, mono), embeds it and stores the vector. Incremental: a re-run computes only
/// what changed. A track that cannot be decoded is skipped and counted; it does not stop the job.
/// </summary>
public sealed class EmbedTracksJob(
    EmbeddingRegistry registry,
    EmbeddingStore store,
    CatalogQueries catalog,
    Ffmpeg ffmpeg,
    Similarity.SimilarityIndexes indexes,
    ILogger<EmbedTracksJob> logger) : IJobHandler
{
    /// <summary>The job kind.</summary>
    public const string JobKind = "embed";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public string Kind => JobKind;

    /// <inheritdoc />
    public Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var parameters = string.IsNullOrWhiteSpace(parametersJson)
            ? new EmbedJobParameters()
            : JsonSerializer.Deserialize<EmbedJobParameters>(parametersJson, JsonOptions) ?? new EmbedJobParameters();
        return RunAsync(parameters, progress, cancellationToken);
    }

    /// <summary>Embeds with explicit parameters; returns vectors computed per backend.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RunAsync(EmbedJobParameters parameters, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        IReadOnlyList<IEmbeddingBackend> backends;
        if (parameters.Backend is { } id)
        {
            var backend = registry.Find(id) ?? throw new ArgumentException($"Unknown embedding backend '{id}'. Known: {string.Join(", ", registry.All.Select(b => b.Id))}.");
            var info = backend.Describe();
            if (info.Status != BackendStatus.Available)
            {
                throw new InvalidOperationException($"Backend '{id}' is not available: {info.Detail}");
            }

            backends = [backend];
        }
        else
        {
            backends = registry.All.Where(b => b.Describe().Status == BackendStatus.Available).ToList();
        }

        var computed = new Dictionary<string, int>();
        for (int b = 0; b < backends.Count; b++)
        {
            var part = new SubProgress(progress, (double)b / backends.Count, (double)(b + 1) / backends.Count);
            computed[backends[b].Id] = await EmbedBackendAsync(backends[b], part, cancellationToken);
        }

        progress.Report(new JobProgress(1, string.Join(", ", computed.Select(c => $"{c.Key}: {c.Value} vectors computed"))));
        return computed;
    }

    private async Task<int> EmbedBackendAsync(IEmbeddingBackend backend, IProgress<JobProgress> progress, CancellationToken ct)
    {
        var info = backend.Describe();
        await store.UpsertBackendAsync(info, ct);
        var stale = await store.StaleTracksAsync(info.Id, info.Version, ct);
        int done = 0, failed = 0;
        progress.Report(new JobProgress(0, $"{info.Id}: {stale.Count} tracks to embed"));
        await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, async (track, token) =>
        {
            try
            {
                float[] audio = await ffmpeg.DecodeMonoAsync(catalog.ResolveDataPath(track.AudioPath), info.SampleRate, token);
                var embedding = await backend.EmbedAsync(audio, token);
                await store.SaveAsync(track.Id, info.Id, info.Version, embedding, token);
            }
            catch (Exception ex) when (ex is ExternalProcessException or ArgumentException or FileNotFoundException)
            {
                Interlocked.Increment(ref failed);
                logger.LogWarning("{Backend}: track {Track} skipped: {Reason}", info.Id, track.Id, ex.Message);
            }

            int n = Interlocked.Increment(ref done);
            progress.Report(new JobProgress((double)n / stale.Count, string.Create(CultureInfo.InvariantCulture,
                $"{info.Id}: {n}/{stale.Count} tracks{(failed > 0 ? $", {failed} skipped" : "")}")));
        });
        // Build the backend's similarity index now, not on the first listener's query.
        await indexes.RefreshAsync(info.Id, ct);
        return done - failed;
    }
}
