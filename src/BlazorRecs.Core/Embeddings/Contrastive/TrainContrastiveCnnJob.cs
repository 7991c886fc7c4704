using System.Globalization;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings.Audio;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Torch;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Embeddings.Contrastive;

/// <summary>
/// The "train-contrastive-cnn" job: decodes the catalog's tracks (a random subset of at most MaxTracks, the middle
/// MaxSecondsPerTrack of each), trains the in-house CNN with NT-Xent (loss curve on the Jobs page), measures how
/// often a track's nearest neighbours share its genre, saves the model as a new version and queues the embed job,
/// which gives every track a vector of the new version and rebuilds the index.
/// </summary>
public sealed class TrainContrastiveCnnJob(
    IDbContextFactory<BlazorRecsDbContext> contexts,
    CatalogQueries catalog,
    Ffmpeg ffmpeg,
    ContrastiveCnnModels models,
    TorchRuntime torch,
    TimeProvider time,
    IOptions<ContrastiveCnnOptions> options,
    JobControl control,
    ILogger<TrainContrastiveCnnJob> logger) : IJobHandler
{
    /// <summary>The job kind.</summary>
    public const string JobKind = "train-contrastive-cnn";

    /// <summary>The curve the Jobs page draws.</summary>
    public const string LossCurve = "training loss: NT-Xent";

    /// <inheritdoc />
    public string Kind => JobKind;

    /// <inheritdoc />
    public IReadOnlyList<string> FollowUps => [EmbedTracksJob.JobKind];

    /// <inheritdoc />
    public bool CanFinishEarly(string? parametersJson) => true;

    /// <inheritdoc />
    public async Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken) =>
        await TrainAsync(progress, cancellationToken);

    /// <summary>Trains, saves and returns the new model.</summary>
    public async Task<ContrastiveCnnModel> TrainAsync(IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var (spectrograms, genres) = await LoadAsync(o, new SubProgress(progress, 0, 0.15), cancellationToken);
        var epochs = new EpochsToJobProgress(new SubProgress(progress, 0.15, 0.95), o);
        var trainer = new ContrastiveCnnTrainer(o, torch.Device);
        var (network, history) = await Task.Run(() => trainer.Train(spectrograms, epochs, cancellationToken, control.FinishEarly), cancellationToken);
        using (network)
        {
            progress.Report(new JobProgress(0.95, "measuring genre agreement of the nearest neighbours"));
            var labelled = Enumerable.Range(0, spectrograms.Count).Where(i => genres[i] is not null).ToList();
            (double Share, double Chance)? agreement = null;
            if (labelled.Select(i => genres[i]).Distinct().Count() > 1)
            {
                var vectors = labelled.Select(i => EmbedSpectrogram(network, spectrograms[i], o)).ToList();
                agreement = GenreAgreement.Compute(vectors, labelled.Select(i => genres[i]!).ToList(), GenreAgreement.Neighbours);
            }

            var model = models.Save(network, version => new ContrastiveCnnModel(version, time.GetUtcNow(), o.MelBands, o.ChunkFrames,
                o.BaseChannels, spectrograms.Count, history.Select(h => h.Loss).ToList(), history[^1].Seconds,
                agreement?.Share, agreement?.Chance, GenreAgreement.Neighbours));
            string genre = agreement is { } a
                ? string.Create(CultureInfo.InvariantCulture, $"; {a.Share:P1} of the {GenreAgreement.Neighbours} nearest neighbours share the genre (chance {a.Chance:P1})")
                : "";
            progress.Report(new JobProgress(1, string.Create(CultureInfo.InvariantCulture,
                $"{model.Version}: {history.Count} epochs{(history[^1].FinishedOnRequest ? " (finished early on request)" : "")} on {model.Tracks} tracks in {model.Seconds:0} s, NT-Xent {history[0].Loss:0.000} -> {history[^1].Loss:0.000}{genre}")));
            return model;
        }
    }

    // Each epoch as job progress (by epochs or the time budget, whichever is further) and a point of the loss curve.
    private sealed class EpochsToJobProgress(IProgress<JobProgress> job, ContrastiveCnnOptions o) : IProgress<ContrastiveEpoch>
    {
        public void Report(ContrastiveEpoch e) => job.Report(new JobProgress(
            Math.Max((double)e.Epoch / o.Epochs, o.TimeBudget is { } budget ? e.Seconds / budget.TotalSeconds : 0),
            string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch}: NT-Xent {e.Loss:0.000} ({e.Seconds:0} s)"),
            [new CurvePoint(LossCurve, e.Epoch, e.Loss)]));
    }

    // The vector the backend gives the same audio (evenly spaced chunks, log-compressed, averaged), from the
    // spectrogram already in memory.
    private static float[] EmbedSpectrogram(ContrastiveCnnNetwork network, float[] power, ContrastiveCnnOptions o)
    {
        int bands = o.MelBands, frames = power.Length / bands, chunk = o.ChunkFrames;
        double scale = o.FrontEnd.LogScale; // FrontEnd builds a new settings record on every read
        int[] starts = EvenWindows.Starts(frames, chunk, o.MaxChunks > 0 ? o.MaxChunks : null);
        var logMel = new float[starts.Length * chunk * bands];
        for (int c = 0; c < starts.Length; c++)
        {
            var source = power.AsSpan(starts[c] * bands, Math.Min(chunk, frames - starts[c]) * bands);
            var target = logMel.AsSpan(c * chunk * bands);
            for (int i = 0; i < source.Length; i++)
            {
                target[i] = (float)Math.Log10(1 + scale * source[i]);
            }
        }

        return ContrastiveCnnTrainer.Embed(network, logMel, starts.Length, chunk, bands, network.parameters().First().device);
    }

    private async Task<(List<float[]> Spectrograms, List<string?> Genres)> LoadAsync(ContrastiveCnnOptions o, IProgress<JobProgress> progress, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tracks = await db.Tracks.AsNoTracking().OrderBy(t => t.Id).Select(t => new { t.Id, t.AudioPath, t.Genre, t.DurationMs }).ToListAsync(ct);
        if (tracks.Count > o.MaxTracks)
        {
            var shuffled = tracks.ToArray();
            new Random(o.Seed).Shuffle(shuffled);
            tracks = [.. shuffled.Take(o.MaxTracks).OrderBy(t => t.Id)];
        }

        var frontEnd = new LogMelSpectrogram(o.FrontEnd);
        var loaded = new (float[]? Power, string? Genre)[tracks.Count];
        int done = 0, skipped = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, tracks.Count), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, async (i, token) =>
        {
            var t = tracks[i];
            try
            {
                double start = Math.Max(0, (t.DurationMs / 1000.0 - o.MaxSecondsPerTrack) / 2);
                float[] audio = await ffmpeg.DecodeMonoAsync(catalog.ResolveDataPath(t.AudioPath), 16_000, token, start > 0 ? start : null, o.MaxSecondsPerTrack);
                if (audio.Length >= 16_000)
                {
                    loaded[i] = (Array.ConvertAll(frontEnd.MelPower(audio), v => (float)v), t.Genre);
                }
                else
                {
                    Interlocked.Increment(ref skipped);
                }
            }
            catch (Exception ex) when (ex is ExternalProcessException or FileNotFoundException)
            {
                Interlocked.Increment(ref skipped);
                logger.LogWarning("contrastive-cnn: track {Track} skipped: {Reason}", t.Id, ex.Message);
            }

            int n = Interlocked.Increment(ref done);
            progress.Report(new JobProgress((double)n / tracks.Count, $"decoding {n}/{tracks.Count} tracks{(skipped > 0 ? $", {skipped} skipped" : "")}"));
        });
        var usable = loaded.Where(l => l.Power is not null).ToList();
        if (usable.Count < 2)
        {
            throw new InvalidOperationException($"The catalog has {usable.Count} track(s) with at least 1 s of decodable audio; contrastive training needs two or more. Seed or import a catalog first.");
        }

        return (usable.Select(l => l.Power!).ToList(), usable.Select(l => l.Genre).ToList());
    }
}
