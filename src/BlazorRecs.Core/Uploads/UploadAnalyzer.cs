using System.ComponentModel.DataAnnotations;
using System.Globalization;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Embeddings.Musicnn;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Similarity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Uploads;

/// <summary>The <c>BlazorRecs:Uploads</c> section.</summary>
public sealed record UploadOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "BlazorRecs:Uploads";

    /// <summary>Largest accepted upload; larger ones are refused while they stream in.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>Longest accepted audio.</summary>
    [Range(1, 24 * 3600)]
    public int MaxSeconds { get; init; } = 20 * 60;

    /// <summary>
    /// A long upload is heard as this many evenly spaced excerpts instead of whole (0: always decode the whole file).
    /// Excerpts apply only to files longer than twice what they cover (about 96 s by default), where skipping the
    /// rest saves more than the extra seeks cost.
    /// </summary>
    [Range(0, 1000)]
    public int Excerpts { get; init; } = 16;

    /// <summary>Each excerpt's length. The default is one MusiCNN patch (187 frames, hop 256, 16 kHz), so with
    /// <see cref="Excerpts"/> equal to <c>Embeddings:MusicnnMaxPatches</c> MusiCNN hears exactly the patches it would
    /// sample from the whole file.</summary>
    [Range(0.5, 600)]
    public double ExcerptSeconds { get; init; } = 2.992;

    /// <summary>The excerpts a file of <paramref name="durationSeconds"/> is heard as, or null to hear it whole.</summary>
    public IReadOnlyList<AudioExcerpt>? ExcerptsFor(double durationSeconds)
        => Excerpts > 0 && durationSeconds > 2 * Excerpts * ExcerptSeconds ? AudioExcerpt.Spread(durationSeconds, Excerpts, ExcerptSeconds) : null;
}

/// <summary>An upload that cannot be analysed, with the HTTP status that says why (413 too big, 422 not usable audio).</summary>
public sealed class UploadRejectedException : Exception
{
    /// <inheritdoc />
    public UploadRejectedException() { }

    /// <inheritdoc />
    public UploadRejectedException(string message) : base(message) { }

    /// <inheritdoc />
    public UploadRejectedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with its HTTP status.</summary>
    public UploadRejectedException(string message, int statusCode) : base(message) => StatusCode = statusCode;

    /// <summary>The HTTP status for the client.</summary>
    public int StatusCode { get; } = 422;
}

/// <summary>A tag and its probability.</summary>
public sealed record TagProbability(string Tag, float Probability);

/// <summary>One backend's answer for an uploaded file.</summary>
public sealed record UploadBackendResult(
    string Backend, IReadOnlyList<TagProbability> Tags, IReadOnlyList<Neighbour> Neighbours, IReadOnlyList<ListenerMatch> Listeners,
    float[] Embedding, string? Note, float[]? AllTags = null);

/// <summary>The whole answer for an uploaded file.</summary>
public sealed record UploadAnalysis(double DurationSeconds, IReadOnlyList<UploadBackendResult> Results, string? Codec = null);

/// <summary>
/// The cold-start query: an uploaded file is stored under a generated name (never the client's), checked by
/// ffprobe, decoded by ffmpeg (a timeout and a concurrency cap apply) and embedded by every available backend; each
/// backend answers with its nearest catalog tracks, predicted tags and the listeners whose profiles match.
/// </summary>
public sealed class UploadAnalyzer(
    Ffmpeg ffmpeg,
    EmbeddingRegistry registry,
    SimilarityIndexes indexes,
    ListenerProfiles profiles,
    EmbeddingStore store,
    IDbContextFactory<BlazorRecsDbContext> contexts,
    TimeProvider time,
    IOptions<UploadOptions> uploadOptions,
    IOptions<BlazorRecsOptions> options)
{
    /// <summary>The upload limits in force.</summary>
    public UploadOptions Limits => uploadOptions.Value;

    /// <summary>Streams <paramref name="content"/> to a new file with a generated name, refusing it as soon as it
    /// passes the size limit (the partial file is deleted). Returns the file's path.</summary>
    public async Task<string> SaveAsync(Stream content, CancellationToken cancellationToken)
    {
        string dir = Path.Combine(options.Value.DataPath, "uploads", "incoming");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"{Guid.NewGuid():N}.upload");
        long limit = uploadOptions.Value.MaxBytes, total = 0;
        var buffer = new byte[81_920];
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, buffer.Length, useAsync: true);
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    throw new UploadRejectedException($"The file is larger than the {limit / (1024 * 1024)} MB limit.", 413);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        if (total == 0)
        {
            File.Delete(path);
            throw new UploadRejectedException("The file is empty.");
        }

        return path;
    }

    /// <summary>Analyses a saved upload with every available backend.</summary>
    public async Task<UploadAnalysis> AnalyzeAsync(string path, int neighbours, CancellationToken cancellationToken)
    {
        MediaInfo info;
        try
        {
            info = await ffmpeg.ProbeAsync(path, cancellationToken);
        }
        catch (ExternalProcessException ex)
        {
            throw new UploadRejectedException($"This is not a readable audio file ({Reason(ex, path)}).");
        }

        if (info.Duration <= TimeSpan.Zero)
        {
            throw new UploadRejectedException("The file has no audio duration; it may be truncated.");
        }

        if (info.Duration.TotalSeconds > uploadOptions.Value.MaxSeconds)
        {
            throw new UploadRejectedException($"The audio is {info.Duration.TotalMinutes:0.#} minutes long; the limit is {uploadOptions.Value.MaxSeconds / 60.0:0.#} minutes.", 413);
        }

        // One decode for all backends (a mono stream per sample rate they listen at). A long file is heard as evenly
        // spaced excerpts, decoded without reading the rest (one ffmpeg per core); a shorter one whole, cut into one time range
        // per core decoded side by side (MP3 decoding is single-threaded). Then the backends listen side by side: on
        // two cores the MFCCs are computed while MusiCNN runs.
        var available = registry.All.Select(b => (Backend: b, Info: b.Describe())).Where(b => b.Info.Status == BackendStatus.Available).ToList();
        int[] rates = available.Select(b => b.Info.SampleRate).Distinct().ToArray();
        IReadOnlyDictionary<int, float[]> audio;
        string? heard;
        try
        {
            (audio, heard) = await HearAsync(path, info, rates, cancellationToken);
        }
        catch (ExternalProcessException ex)
        {
            throw new UploadRejectedException($"The audio could not be decoded ({Reason(ex, path)}).");
        }

        foreach (var (rate, samples) in audio)
        {
            CheckAudible(samples, rate);
        }

        double seconds = WholeDuration(info, audio, heard, DurationFromHeader(path, info));
        var results = await Task.WhenAll(available.Select(b =>
            Task.Run(() => AnalyzeWithAsync(b.Backend, b.Info, audio[b.Info.SampleRate], neighbours, heard, cancellationToken), cancellationToken)));
        return new UploadAnalysis(seconds, results, info.Codec);
    }

    // Whether the announced duration is the file's own statement rather than ffmpeg's estimate: MP3 (and ADTS AAC)
    // durations are estimated from the bitrate unless a header gives the frame count (Mp3Header); the containers
    // uploads come in otherwise (FLAC, WAV, Ogg, MP4) state theirs.
    private static bool DurationFromHeader(string path, MediaInfo info) => info.Codec switch
    {
        "mp3" => Mp3Header.GivesFrameCount(path),
        "aac" => info.Format is not null && !info.Format.Contains("aac", StringComparison.Ordinal),
        _ => true,
    };

    /// <summary>
    /// How long the upload really is. A file cut off part-way still announces its whole length where the length is
    /// stated in a header (an MP3's Xing header, a WAV's data size, FLAC's sample count). Decoded whole, the samples say
    /// how long it is: a file that ends before half of what its header states is refused as truncated (its analysis
    /// would be of a fragment, and as a track it would claim a length it cannot play). Any other gap takes the decoded
    /// length: ffmpeg's estimate for an MP3 without such a header can be off by half or more for variable bitrates.
    /// Heard as excerpts, the probed length stands: the excerpts' own length check has passed.
    /// </summary>
    private static double WholeDuration(MediaInfo info, IReadOnlyDictionary<int, float[]> audio, string? heardAsExcerpts, bool fromHeader)
    {
        double announced = info.Duration.TotalSeconds;
        if (heardAsExcerpts is not null || audio.Count == 0)
        {
            return announced;
        }

        double decoded = audio.Min(a => a.Value.Length / (double)a.Key);
        if (fromHeader && decoded < 0.5 * announced && announced - decoded > 2)
        {
            throw new UploadRejectedException(string.Create(CultureInfo.InvariantCulture,
                $"The audio ends after {decoded:0.0} s, though the file announces {announced:0.0} s: it looks truncated. Upload the complete file."));
        }

        return Math.Min(announced, decoded);
    }

    // The audio every backend hears, one array per rate, and the note that says how it was heard when not whole.
    private async Task<(IReadOnlyDictionary<int, float[]> Audio, string? Note)> HearAsync(string path, MediaInfo info, int[] rates, CancellationToken cancellationToken)
    {
        if (rates.Length > 0 && uploadOptions.Value.ExcerptsFor(info.Duration.TotalSeconds) is { } excerpts)
        {
            var audio = await ffmpeg.DecodeExcerptsAsync(path, rates, excerpts, cancellationToken, info, parts: Environment.ProcessorCount);
            double decoded = audio.Min(a => a.Value.Length / (double)a.Key);
            if (decoded >= 0.9 * excerpts.Sum(e => e.LengthSeconds) && !audio.Values.Any(IsSilent))
            {
                return (audio, string.Create(CultureInfo.InvariantCulture,
                    $"Heard as {excerpts.Count} evenly spaced excerpts of {excerpts[0].LengthSeconds:0.0} s ({decoded:0} s of the {info.Duration.TotalMinutes:0.0}-minute file), not whole."));
            }

            // Excerpts that came back short (a duration ffprobe guessed from the bitrate of a truncated or header-less
            // VBR file) or silent (silence just where they fell): the whole file, as for a short one.
        }

        return (await ffmpeg.DecodeMonoAsync(path, rates, cancellationToken, maxSeconds: uploadOptions.Value.MaxSeconds,
            parts: Environment.ProcessorCount, durationSeconds: info.Duration.TotalSeconds), null);
    }

    /// <summary>
    /// Makes an analysed upload a catalog track at once: the file moves into the data directory under a generated
    /// name, the track is released now (a cold item nobody has heard), its vectors from the analysis are stored and
    /// every index is refreshed, so it is playable, searchable, similar-searchable and recommendable without a job.
    /// </summary>
    public async Task<int> AddToCatalogAsync(string path, UploadAnalysis analysis, string title, string artistName, CancellationToken cancellationToken)
    {
        // A generated name with the extension of what ffprobe found inside, never of what the client called it.
        string extension = analysis.Codec switch
        {
            "mp3" => ".mp3",
            "flac" => ".flac",
            "vorbis" or "opus" => ".ogg",
            "aac" or "alac" => ".m4a",
            { } c when c.StartsWith("pcm_", StringComparison.Ordinal) => ".wav",
            _ => ".audio",
        };
        string relative = Path.Combine("audio", "uploads", $"{Guid.NewGuid():N}{extension}");
        string destination = Path.Combine(options.Value.DataPath, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Move(path, destination);
        var now = time.GetUtcNow();
        int? trackId = null, newArtistId = null;
        try
        {
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                string name = string.IsNullOrWhiteSpace(artistName) ? "Uploads" : artistName.Trim()[..Math.Min(artistName.Trim().Length, 300)];
                var artist = await db.Artists.FirstOrDefaultAsync(a => a.Name == name, cancellationToken) ?? new Catalog.Artist { Name = name };
                bool artistIsNew = artist.Id == 0;
                var track = new Catalog.Track
                {
                    Title = string.IsNullOrWhiteSpace(title) ? "Untitled upload" : title.Trim()[..Math.Min(title.Trim().Length, 300)],
                    Artist = artist,
                    DurationMs = (int)Math.Min(int.MaxValue, analysis.DurationSeconds * 1000),
                    AudioPath = relative,
                    Source = Catalog.TrackSource.Upload,
                    ReleasedAt = now,
                    AddedAt = now,
                };
                db.Tracks.Add(track);
                await db.SaveChangesAsync(cancellationToken);
                trackId = track.Id;
                newArtistId = artistIsNew ? artist.Id : null;
            }

            foreach (var result in analysis.Results)
            {
                if (registry.Find(result.Backend)?.Describe() is { Status: BackendStatus.Available } info)
                {
                    await store.UpsertBackendAsync(info, cancellationToken);
                    await store.SaveAsync(trackId.Value, info.Id, info.Version, new AudioEmbedding(result.Embedding, result.AllTags), cancellationToken);
                    await indexes.RefreshAsync(info.Id, cancellationToken);
                }
            }
        }
        catch (Exception ex)
        {
            // All or nothing: a failure part way (the database, a full disk) leaves no track without its vectors, and
            // the file goes back where the caller deletes every upload it does not keep. An index that already took
            // the track drops it on its next query, when it sees the stored vectors changed.
            try
            {
                await RemoveAsync(trackId, newArtistId);
            }
            catch (Exception undo)
            {
                throw new InvalidOperationException($"Track {trackId} was added to the catalog, but adding it failed part way ({ex.Message}) "
                    + $"and undoing it failed too ({undo.Message}); the embed job computes any vectors it lacks.", ex);
            }

            File.Move(destination, path);
            throw;
        }

        return trackId.Value;
    }

    // Undoes a partly added upload's rows (its vectors go with the track); not cancellable, as it restores consistency.
    private async Task RemoveAsync(int? trackId, int? newArtistId)
    {
        if (trackId is null)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db.Tracks.Where(t => t.Id == trackId).ExecuteDeleteAsync(CancellationToken.None);
        if (newArtistId is not null)
        {
            await db.Artists.Where(a => a.Id == newArtistId && !a.Tracks.Any()).ExecuteDeleteAsync(CancellationToken.None);
        }
    }

    private static void CheckAudible(float[] audio, int sampleRate)
    {
        if (audio.Length < sampleRate / 10)
        {
            throw new UploadRejectedException("Less than 0.1 s of audio could be decoded; the file may be truncated or damaged.");
        }

        if (IsSilent(audio))
        {
            throw new UploadRejectedException("The file is digital silence: there is nothing to listen to.");
        }
    }

    private static bool IsSilent(float[] audio) => audio.All(x => Math.Abs(x) < 1e-6f);

    private async Task<UploadBackendResult> AnalyzeWithAsync(
        IEmbeddingBackend backend, BackendInfo described, float[] audio, int neighbours, string? heard, CancellationToken cancellationToken)
    {
        var embedding = await backend.EmbedAsync(audio, cancellationToken);
        IReadOnlyList<Neighbour> near = [];
        IReadOnlyList<ListenerMatch> listeners = [];
        string? note = JoinNotes(embedding.Note, heard);
        try
        {
            near = await indexes.SimilarToVectorAsync(described.Id, embedding.Vector, neighbours, exclude: null, cancellationToken);
            listeners = await profiles.NearestAsync(described.Id, embedding.Vector, 5, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            note = JoinNotes(note, "The catalog has no vectors for this backend yet (the embed job computes them).");
        }

        var tags = embedding.Tags is null
            ? (IReadOnlyList<TagProbability>)[]
            : embedding.Tags.Select((p, i) => new TagProbability(MusicnnModel.TagNames[i], p)).OrderByDescending(t => t.Probability).Take(10).ToList();
        return new UploadBackendResult(described.Id, tags, near, listeners, embedding.Vector, note, embedding.Tags);
    }

    /// <summary>A client's file name made safe to show: no directories, no control characters, at most 120 characters.
    /// It is never used to name anything on disk.</summary>
    public static string DisplayName(string? clientFileName)
    {
        string name = Path.GetFileName((clientFileName ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "");
        name = new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return name.Length == 0 ? "upload" : name[..Math.Min(name.Length, 120)];
    }

    private static string? JoinNotes(params string?[] notes) => notes.Any(n => n is not null) ? string.Join(" ", notes.OfType<string>()) : null;

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    // What ffmpeg or ffprobe said, for the client: its first line, with the stored upload's path or generated name (and
    // the data directory, in case a tool names another file there) replaced by neutral words.
    private string Reason(ExternalProcessException ex, string path) =>
        FirstLine(ex.Message)
            .Replace(path, "the upload", StringComparison.Ordinal)
            .Replace(Path.GetFileName(path), "the upload", StringComparison.Ordinal)
            .Replace(options.Value.DataPath, "(data)", StringComparison.Ordinal);
}
