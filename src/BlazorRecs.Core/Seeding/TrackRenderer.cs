using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using BlazorRecs.Core.Media;

namespace BlazorRecs.Core.Seeding;

/// <summary>
/// Renders a planned track to MP3: the composer's MIDI goes through fluidsynth (FluidR3 GM) to raw PCM in a temporary
/// folder, the PCM is measured for energy and brightness, and ffmpeg encodes it bit-exactly, so the same plan gives
/// byte-identical MP3s. Both tools run through <see cref="ExternalProcessRunner"/> (no shell, capped, timed out).
/// </summary>
public sealed class TrackRenderer
{
    private readonly ExternalProcessRunner _runner;
    private readonly Ffmpeg _ffmpeg;
    private readonly CatalogComposer _composer;
    private readonly SeedOptions _options;

    /// <summary>Creates a renderer.</summary>
    public TrackRenderer(ExternalProcessRunner runner, Ffmpeg ffmpeg, CatalogComposer composer, SeedOptions options)
    {
        _runner = runner;
        _ffmpeg = ffmpeg;
        _composer = composer;
        _options = options;
    }

    /// <summary>Composes, synthesises, measures and encodes <paramref name="track"/> to <paramref name="outputPath"/>
    /// (written under a temporary name and moved into place, so a cancelled render leaves no partial MP3).</summary>
    /// <exception cref="ExternalProcessException">fluidsynth or ffmpeg failed; the message carries their stderr.</exception>
    public async Task<RenderedTrack> RenderAsync(CatalogPlan plan, TrackPlan track, string outputPath, CancellationToken ct)
    {
        int seconds = plan.Spec.TrackSeconds;
        int rate = _options.SampleRate;
        DirectoryInfo work = Directory.CreateTempSubdirectory("blazorrecs-render-");
        try
        {
            string midi = Path.Combine(work.FullName, "track.mid");
            string raw = Path.Combine(work.FullName, "track.raw");
            await File.WriteAllBytesAsync(midi, _composer.ComposeMidi(plan, track), ct);

            // -R 0 -C 0: reverb and chorus cost about a third of the synthesis time and blur the genre contrast.
            // Dynamic sample loading reads only the samples the song uses instead of all 140 MB of FluidR3, which
            // halves the time per track; the output is byte-identical either way.
            await _runner.RunForTextAsync(_options.FluidSynthPath,
            [
                "-n", "-i", "-q", "-R", "0", "-C", "0",
                "-o", "synth.dynamic-sample-loading=1", "-o", "synth.polyphony=96",
                "-g", _options.Gain.ToString("0.###", CultureInfo.InvariantCulture),
                "-r", rate.ToString(CultureInfo.InvariantCulture),
                "-T", "raw", "-O", "s16", "-E", "little",
                "-F", raw, _options.SoundFontPath, midi,
            ], ct);

            (double energy, double brightness) = AudioFeatures.Measure(await ReadMonoAsync(raw, rate * seconds, ct), rate);

            string temp = Path.Combine(work.FullName, "track.mp3");
            await _ffmpeg.RunAsync(
            [
                "-f", "s16le", "-ar", rate.ToString(CultureInfo.InvariantCulture), "-ac", "2", "-i", raw,
                // Pad then cut, so every track is exactly the planned length whatever the synth's release tail.
                "-af", "apad", "-t", seconds.ToString(CultureInfo.InvariantCulture),
                "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
                // Mono at the synthesis rate and LAME's fastest psychoacoustics (-compression_level 9) encode in a
                // third of the time of stereo at its default; the embedding models listen in mono at 16 kHz anyway.
                "-ac", _options.Mp3Channels.ToString(CultureInfo.InvariantCulture),
                "-codec:a", "libmp3lame", "-b:a", $"{_options.Mp3BitrateKbps}k", "-compression_level", "9", "-y", temp,
            ], ct);

            string? directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            File.Move(temp, outputPath, overwrite: true);
            string sha = await Sha256Async(outputPath, ct);
            var descriptors = new TrackDescriptors(track.TempoBpm, energy, brightness, track.Style.Acousticness);
            return new RenderedTrack(track.Index, outputPath, seconds * 1000, sha, descriptors);
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

    // Stereo s16le to mono floats, at most maxFrames frames.
    private static async Task<float[]> ReadMonoAsync(string rawPath, int maxFrames, CancellationToken ct)
    {
        byte[] bytes = await File.ReadAllBytesAsync(rawPath, ct);
        int frames = Math.Min(bytes.Length / 4, maxFrames);
        var mono = new float[frames];
        for (int i = 0; i < frames; i++)
        {
            int left = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(i * 4, 2));
            int right = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(i * 4 + 2, 2));
            mono[i] = (left + right) / 65536f;
        }

        return mono;
    }
}
