using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Seeding.Synthesis;

namespace BlazorRecs.Core.Seeding;

/// <summary>A track to render and where its MP3 goes.</summary>
public sealed record RenderRequest(TrackPlan Track, string OutputPath);

/// <summary>
/// Renders planned tracks to MP3: the composer's MIDI is synthesised in process by libfluidsynth (FluidR3 GM) to
/// exactly the planned length, measured for energy and brightness, and a batch of tracks (an album) is encoded by one
/// ffmpeg run with an input and an output per track, bit-exactly, so the same plan gives byte-identical MP3s
/// whatever the batching. ffmpeg runs through <see cref="ExternalProcessRunner"/> (no shell, capped, timed out).
/// </summary>
public sealed class TrackRenderer
{
    private readonly Ffmpeg _ffmpeg;
    private readonly CatalogComposer _composer;
    private readonly SeedOptions _options;
    private readonly MidiSynthesizer _synthesizer;

    /// <summary>Creates a renderer.</summary>
    public TrackRenderer(Ffmpeg ffmpeg, CatalogComposer composer, SeedOptions options)
    {
        _ffmpeg = ffmpeg;
        _composer = composer;
        _options = options;
        _synthesizer = new MidiSynthesizer(new SynthesisSettings(options.SoundFontPath, options.SampleRate, options.Gain));
    }

    /// <summary>
    /// Keeps the SoundFont loaded across many renders until disposed (see <see cref="MidiSynthesizer.KeepSoundFontLoaded"/>):
    /// hold it around a seeding run, or every batch pays about half a second to load FluidR3 again.
    /// </summary>
    /// <exception cref="SynthesisException">libfluidsynth or the SoundFont is missing.</exception>
    public IDisposable KeepSoundFontLoaded() => _synthesizer.KeepSoundFontLoaded();

    /// <summary>Renders one track; see <see cref="RenderAsync(CatalogPlan, IReadOnlyList{RenderRequest}, CancellationToken)"/>.</summary>
    public async Task<RenderedTrack> RenderAsync(CatalogPlan plan, TrackPlan track, string outputPath, CancellationToken ct)
        => (await RenderAsync(plan, [new RenderRequest(track, outputPath)], ct))[0];

    /// <summary>
    /// Composes, synthesises, measures and encodes every track of <paramref name="batch"/> (each MP3 written under a
    /// temporary name and moved into place, so a cancelled render leaves no partial MP3). A track's bytes depend only
    /// on the plan and the track, never on the rest of the batch. Results are in the batch's order.
    /// </summary>
    /// <exception cref="SynthesisException">libfluidsynth or the SoundFont is missing.</exception>
    /// <exception cref="ExternalProcessException">ffmpeg failed; the message carries its stderr.</exception>
    public async Task<IReadOnlyList<RenderedTrack>> RenderAsync(CatalogPlan plan, IReadOnlyList<RenderRequest> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return [];
        }

        int seconds = plan.Spec.TrackSeconds;
        int rate = _options.SampleRate;
        string rateText = rate.ToString(CultureInfo.InvariantCulture);
        using IDisposable soundFont = _synthesizer.KeepSoundFontLoaded();
        DirectoryInfo work = Directory.CreateTempSubdirectory("blazorrecs-render-");
        try
        {
            var inputs = new List<string>();
            var outputs = new List<string>();
            var descriptors = new TrackDescriptors[batch.Count];
            for (int i = 0; i < batch.Count; i++)
            {
                TrackPlan track = batch[i].Track;
                float[] stereo = _synthesizer.Render(_composer.ComposeMidi(plan, track), rate * seconds, ct);
                (short[] pcm, float[] mono) = Quantise(stereo);
                (double energy, double brightness) = AudioFeatures.Measure(mono, rate);
                descriptors[i] = new TrackDescriptors(track.TempoBpm, energy, brightness, track.Style.Acousticness);

                string raw = Path.Combine(work.FullName, $"{i}.raw");
                File.WriteAllBytes(raw, MemoryMarshal.AsBytes(pcm.AsSpan()));
                inputs.AddRange(["-f", "s16le", "-ar", rateText, "-ac", "2", "-i", raw]);
                outputs.AddRange(
                [
                    "-map", $"{i}:a", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
                    // Mono at the synthesis rate and LAME's fastest psychoacoustics (-compression_level 9) encode in
                    // a third of the time of stereo at its default; the embedding models listen in mono anyway.
                    "-ac", _options.Mp3Channels.ToString(CultureInfo.InvariantCulture),
                    "-codec:a", "libmp3lame", "-b:a", $"{_options.Mp3BitrateKbps}k", "-compression_level", "9",
                    "-y", Path.Combine(work.FullName, $"{i}.mp3"),
                ]);
            }

            // One ffmpeg for the whole batch: its start costs about as much CPU as encoding a 30 s track.
            await _ffmpeg.RunAsync([.. inputs, .. outputs], ct);

            var rendered = new RenderedTrack[batch.Count];
            for (int i = 0; i < batch.Count; i++)
            {
                string outputPath = batch[i].OutputPath;
                string? directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
                if (directory is not null)
                {
                    Directory.CreateDirectory(directory);
                }

                File.Move(Path.Combine(work.FullName, $"{i}.mp3"), outputPath, overwrite: true);
                rendered[i] = new RenderedTrack(batch[i].Track.Index, outputPath, seconds * 1000, await Sha256Async(outputPath, ct), descriptors[i]);
            }

            return rendered;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    // Interleaved float stereo to 16-bit PCM (what ffmpeg encodes) and to the mono mix the descriptors are measured on,
    // the latter from the quantised samples so that it is exactly the audio in the file.
    private static (short[] Pcm, float[] Mono) Quantise(float[] stereo)
    {
        var pcm = new short[stereo.Length];
        var mono = new float[stereo.Length / 2];
        for (int i = 0; i < stereo.Length; i++)
        {
            pcm[i] = (short)Math.Clamp(MathF.Round(stereo[i] * 32767f), short.MinValue, short.MaxValue);
        }

        for (int i = 0; i < mono.Length; i++)
        {
            mono[i] = (pcm[2 * i] + pcm[2 * i + 1]) / 65536f;
        }

        return (pcm, mono);
    }
}
