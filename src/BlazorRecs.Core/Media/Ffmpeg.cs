using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Media;

/// <summary>ffmpeg and ffprobe as child processes: decoding any format to mono PCM at a chosen rate, and versions.
/// A malformed file can crash only the child, never the server.</summary>
public sealed class Ffmpeg(ExternalProcessRunner runner, IOptions<MediaOptions> options)
{
    private readonly MediaOptions _options = options.Value;

    /// <summary>
    /// Decodes <paramref name="path"/>, mixes it down to mono and resamples it to <paramref name="sampleRate"/> Hz,
    /// returning float samples in [-1, 1]. <paramref name="maxSeconds"/> bounds how much is decoded.
    /// </summary>
    /// <exception cref="ExternalProcessException">ffmpeg could not read the file; its message says why.</exception>
    public Task<float[]> DecodeMonoAsync(string path, int sampleRate, CancellationToken cancellationToken, double? startSeconds = null, double? maxSeconds = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1000);
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        if (startSeconds is { } start)
        {
            args.AddRange(["-ss", start.ToString("0.###", CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["-i", path, "-vn", "-sn", "-dn"]);
        if (maxSeconds is { } max)
        {
            args.AddRange(["-t", max.ToString("0.###", CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["-ac", "1", "-ar", sampleRate.ToString(CultureInfo.InvariantCulture), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]);
        return runner.RunAsync(_options.FfmpegPath, args, ReadFloatsAsync, cancellationToken);
    }

    /// <summary>
    /// Decodes <paramref name="path"/> once for several listeners: one ffmpeg run parses and decodes the file a single
    /// time and resamples it to each of <paramref name="sampleRates"/>, giving every rate exactly the samples
    /// <see cref="DecodeMonoAsync(string, int, CancellationToken, double?, double?)"/> would give it (each output has
    /// its own resampler). The first rate streams through stdout, the others through temporary files.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="sampleRates">The rates wanted.</param>
    /// <param name="cancellationToken">Cancels the decode (the child is killed).</param>
    /// <param name="maxSeconds">Decode at most this much.</param>
    /// <param name="parts">
    /// Decode in this many consecutive time ranges side by side, one ffmpeg each, and join them: MP3 decoding is
    /// single-threaded, so on two cores two halves take little more than half the time. Needs
    /// <paramref name="durationSeconds"/>. Parts are cut at whole seconds and decoded with a second of pre-roll, so the
    /// joined samples are the whole decode's, sample count included.
    /// </param>
    /// <param name="durationSeconds">The file's duration (ffprobe's), to cut it into parts.</param>
    /// <exception cref="ExternalProcessException">ffmpeg could not read the file; its message says why.</exception>
    public async Task<IReadOnlyDictionary<int, float[]>> DecodeMonoAsync(
        string path, IEnumerable<int> sampleRates, CancellationToken cancellationToken, double? maxSeconds = null,
        int parts = 1, double? durationSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(sampleRates);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        int[] rates = DistinctRates(sampleRates);
        if (rates.Length == 0)
        {
            return new Dictionary<int, float[]>();
        }

        double total = Math.Min(durationSeconds ?? 0, maxSeconds ?? double.MaxValue);
        // Parts shorter than ten seconds save less than a process start costs.
        parts = Math.Min(parts, (int)(total / 10));
        if (parts <= 1)
        {
            return await DecodeRangeAsync(path, rates, null, maxSeconds, cancellationToken);
        }

        // Cut at whole seconds, so every rate's sample grid meets the cut exactly; the last part runs to the end of
        // the file (or of maxSeconds). A part after the first starts one second early and drops that second: an MP3
        // decoder that starts mid-stream lacks its bit reservoir and gives a few frames of near-silence, and the
        // resampler needs a few milliseconds to settle.
        const int preRoll = 1;
        var cuts = Enumerable.Range(0, parts + 1).Select(i => Math.Round(total * i / parts)).ToArray();
        var pieces = await Task.WhenAll(Enumerable.Range(0, parts).Select(async i =>
        {
            double? start = i == 0 ? null : cuts[i] - preRoll;
            double? end = i < parts - 1 ? cuts[i + 1] : maxSeconds;
            double? length = end - (start ?? 0);
            var decoded = await DecodeRangeAsync(path, rates, start, length, cancellationToken);
            return i == 0 ? decoded : decoded.ToDictionary(d => d.Key, d => d.Value.AsSpan(Math.Min(d.Value.Length, preRoll * d.Key)).ToArray());
        }));
        return rates.ToDictionary(r => r, r =>
        {
            var joined = new float[pieces.Sum(p => p[r].Length)];
            int at = 0;
            foreach (var piece in pieces)
            {
                piece[r].CopyTo(joined, at);
                at += piece[r].Length;
            }

            return joined;
        });
    }

    /// <summary>
    /// Decodes only <paramref name="excerpts"/> of <paramref name="path"/>, in one ffmpeg run with one input per
    /// excerpt (each seeks on its own, so the file is never read end to end), and returns for every rate the
    /// excerpts' mono samples end to end. Each excerpt gets exactly round(length x rate) samples, fewer only where the
    /// file ends, and they are the samples a whole decode has there (to float rounding): every excerpt is decoded with
    /// a second of pre-roll and a little post-roll that are dropped (see
    /// <see cref="DecodeMonoAsync(string, IEnumerable{int}, CancellationToken, double?, int, double?)"/>).
    /// Starts on the 20 ms grid keep every common rate's samples on the whole decode's grid.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="sampleRates">The rates wanted.</param>
    /// <param name="excerpts">What to decode, in the order to join it.</param>
    /// <param name="cancellationToken">Cancels the decode (the child is killed).</param>
    /// <param name="probed">What ffprobe said of the file: its demuxer is named so that no input probes the file again
    /// (null: each does), and an MP3's inputs also skip reading their streams (see the group's comment).</param>
    /// <param name="parts">Decode the excerpts in this many ffmpeg runs side by side (consecutive groups).</param>
    /// <exception cref="ExternalProcessException">ffmpeg could not read the file; its message says why.</exception>
    public async Task<IReadOnlyDictionary<int, float[]>> DecodeExcerptsAsync(
        string path, IEnumerable<int> sampleRates, IReadOnlyList<AudioExcerpt> excerpts, CancellationToken cancellationToken,
        MediaInfo? probed = null, int parts = 1)
    {
        ArgumentNullException.ThrowIfNull(sampleRates);
        ArgumentNullException.ThrowIfNull(excerpts);
        ArgumentOutOfRangeException.ThrowIfZero(excerpts.Count, nameof(excerpts));
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        int[] rates = DistinctRates(sampleRates);
        if (rates.Length == 0)
        {
            return new Dictionary<int, float[]>();
        }

        foreach (var (start, length) in excerpts)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(start, nameof(excerpts));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length, nameof(excerpts));
        }

        // Each input costs ffmpeg a seek and a stream set-up, and one run is single-threaded: consecutive groups of
        // excerpts go to one run per part, side by side.
        parts = Math.Min(parts, excerpts.Count);
        var groups = await Task.WhenAll(Enumerable.Range(0, parts).Select(p =>
            DecodeExcerptGroupAsync(path, rates, excerpts.Take((p + 1) * excerpts.Count / parts).Skip(p * excerpts.Count / parts).ToList(),
                probed, cancellationToken)));
        return rates.ToDictionary(r => r, r => groups.SelectMany(g => g[r]).SelectMany(excerpt => excerpt).ToArray());
    }

    // One ffmpeg run with an input per excerpt: for every rate, each excerpt's samples.
    private async Task<Dictionary<int, float[][]>> DecodeExcerptGroupAsync(
        string path, int[] rates, List<AudioExcerpt> excerpts, MediaInfo? probed, CancellationToken cancellationToken)
    {
        // A second of pre-roll before each excerpt (dropped) settles the MP3 decoder; a tenth after it (dropped too)
        // keeps the resampler's flush at the cut out of the samples kept. Inputs seek exactly: a bitrate-guessed seek
        // (fastseek) lands tens of milliseconds off in an MP3 with a seek table and saves little. An MP3's inputs skip
        // find_stream_info, which would decode the cover picture once per input (about 12 ms each for a 700 KB PNG);
        // without it ffmpeg counts time from the first frame rather than after the encoder delay, so the seek is moved
        // by the start time ffprobe reported (the exactness test holds the samples to the whole decode's).
        const double preRoll = 1, postRoll = 0.1;
        static string Seconds(double s) => s.ToString("0.######", CultureInfo.InvariantCulture);
        DirectoryInfo work = NewScratch();
        try
        {
            var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
            var lead = excerpts.Select(e => Math.Min(preRoll, e.StartSeconds)).ToArray();
            bool mp3 = probed?.Format == "mp3";
            string[] demuxer = probed?.Format is { } format ? mp3 ? ["-f", format, "-nofind_stream_info"] : ["-f", format] : [];
            double origin = mp3 ? probed!.StartSeconds : 0;
            for (int e = 0; e < excerpts.Count; e++)
            {
                args.AddRange([.. demuxer, "-ss", Seconds(origin + excerpts[e].StartSeconds - lead[e]),
                    "-t", Seconds(excerpts[e].LengthSeconds + lead[e] + postRoll), "-i", path]);
            }

            for (int e = 0; e < excerpts.Count; e++)
            {
                foreach (int rate in rates)
                {
                    args.AddRange(["-map", $"{e}:a:0", "-ac", "1", "-ar", rate.ToString(CultureInfo.InvariantCulture),
                        "-f", "f32le", "-acodec", "pcm_f32le", Path.Combine(work.FullName, $"{e}-{rate}.f32")]);
                }
            }

            await runner.RunForTextAsync(_options.FfmpegPath, args, cancellationToken);
            var decoded = new Dictionary<int, float[][]>();
            foreach (int rate in rates)
            {
                decoded[rate] = new float[excerpts.Count][];
                for (int e = 0; e < excerpts.Count; e++)
                {
                    await using FileStream file = File.OpenRead(Path.Combine(work.FullName, $"{e}-{rate}.f32"));
                    float[] samples = await ReadFloatsAsync(file, cancellationToken);
                    int skip = Math.Min(samples.Length, (int)Math.Round(lead[e] * rate));
                    int take = Math.Min(samples.Length - skip, (int)Math.Round(excerpts[e].LengthSeconds * rate));
                    decoded[rate][e] = samples[skip..(skip + take)];
                }
            }

            return decoded;
        }
        finally
        {
            DeleteScratch(work);
        }
    }

    private static int[] DistinctRates(IEnumerable<int> sampleRates)
    {
        int[] rates = sampleRates.Distinct().ToArray();
        foreach (int rate in rates)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rate, 1000, nameof(sampleRates));
        }

        return rates;
    }

    // One ffmpeg run: [start, start + length) of the file (null: from the start, to the end) at every rate.
    private async Task<Dictionary<int, float[]>> DecodeRangeAsync(string path, int[] rates, double? start, double? length, CancellationToken cancellationToken)
    {
        if (rates.Length == 1)
        {
            return new Dictionary<int, float[]> { [rates[0]] = await DecodeMonoAsync(path, rates[0], cancellationToken, start, length) };
        }

        DirectoryInfo work = NewScratch();
        try
        {
            var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
            if (start is { } from)
            {
                args.AddRange(["-ss", from.ToString("0.###", CultureInfo.InvariantCulture)]);
            }

            args.AddRange(["-i", path]);
            for (int i = 0; i < rates.Length; i++)
            {
                args.AddRange(["-vn", "-sn", "-dn"]);
                if (length is { } max)
                {
                    args.AddRange(["-t", max.ToString("0.###", CultureInfo.InvariantCulture)]);
                }

                args.AddRange(["-ac", "1", "-ar", rates[i].ToString(CultureInfo.InvariantCulture), "-f", "f32le", "-acodec", "pcm_f32le",
                    i == 0 ? "pipe:1" : Path.Combine(work.FullName, $"{i}.f32")]);
            }

            var decoded = new Dictionary<int, float[]> { [rates[0]] = await runner.RunAsync(_options.FfmpegPath, args, ReadFloatsAsync, cancellationToken) };
            for (int i = 1; i < rates.Length; i++)
            {
                await using FileStream file = File.OpenRead(Path.Combine(work.FullName, $"{i}.f32"));
                decoded[rates[i]] = await ReadFloatsAsync(file, cancellationToken);
            }

            return decoded;
        }
        finally
        {
            DeleteScratch(work);
        }
    }

    /// <summary>Runs ffmpeg with <paramref name="arguments"/> (no shell), for encoding and test-signal generation.</summary>
    public Task RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
        => runner.RunForTextAsync(_options.FfmpegPath, ["-nostdin", "-hide_banner", "-loglevel", "error", .. arguments], cancellationToken);

    /// <summary>Reads duration and tags with ffprobe.</summary>
    /// <exception cref="ExternalProcessException">ffprobe could not read the file (not audio, truncated, missing).</exception>
    public async Task<MediaInfo> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        // A file that opens with an ID3v2 tag is almost always an MP3. Saying so spares ffprobe its generic probe, which
        // cannot see past a large tag (cover art) and runs every demuxer's probe over growing buffers up to a megabyte
        // (156 -> 117 ms for the benchmark's MP3). Anything else behind an ID3 tag (FLAC, WAV, AAC) reads as MP3 with no
        // duration or fails, and is probed as usual.
        if (StartsWithId3Tag(path))
        {
            try
            {
                var info = MediaInfo.Parse(await ProbeAsAsync(path, "mp3", cancellationToken), path);
                if (info.Duration > TimeSpan.Zero && info.Codec == "mp3")
                {
                    return info;
                }
            }
            catch (ExternalProcessException)
            {
            }
        }

        return MediaInfo.Parse(await ProbeAsAsync(path, null, cancellationToken), path);
    }

    private Task<string> ProbeAsAsync(string path, string? format, CancellationToken cancellationToken) =>
        runner.RunForTextAsync(_options.FfprobePath,
            ["-v", "error", .. format is null ? Array.Empty<string>() : ["-f", format], "-print_format", "json", "-show_format", "-show_streams", "-select_streams", "a", path],
            cancellationToken);

    private static bool StartsWithId3Tag(string path)
    {
        Span<byte> head = stackalloc byte[3];
        try
        {
            using var file = File.OpenRead(path);
            return file.ReadAtLeast(head, 3, throwOnEndOfStream: false) == 3 && head.SequenceEqual("ID3"u8);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The first line of <c>ffmpeg -version</c>'s version, for example <c>5.1.6-0+deb12u1</c>.</summary>
    public async Task<string> GetFfmpegVersionAsync(CancellationToken cancellationToken)
        => ParseVersion(await runner.RunForTextAsync(_options.FfmpegPath, ["-version"], cancellationToken));

    /// <summary>ffprobe's version.</summary>
    public async Task<string> GetFfprobeVersionAsync(CancellationToken cancellationToken)
        => ParseVersion(await runner.RunForTextAsync(_options.FfprobePath, ["-version"], cancellationToken));

    internal static string ParseVersion(string versionOutput)
    {
        // "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) ..." -> "5.1.6-0+deb12u1"
        string first = versionOutput.Split('\n', 2)[0];
        string[] words = first.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int at = Array.IndexOf(words, "version");
        return at >= 0 && at + 1 < words.Length ? words[at + 1] : first.Trim();
    }

    // A folder of the decode's own for ffmpeg's output files.
    private DirectoryInfo NewScratch()
    {
        if (_options.ScratchDirectory is not { } root)
        {
            return Directory.CreateTempSubdirectory("blazorrecs-decode-");
        }

        var work = new DirectoryInfo(Path.Combine(root, $"blazorrecs-decode-{Guid.NewGuid():N}"));
        work.Create();
        return work;
    }

    // A killed child (timeout, cancellation) may still hold its output files for a moment: what it left is cleaned up
    // on the best effort, and never replaces the error that ended the decode.
    private static void DeleteScratch(DirectoryInfo work)
    {
        try
        {
            work.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<float[]> ReadFloatsAsync(Stream stdout, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stdout.CopyToAsync(buffer, cancellationToken);
        int count = (int)(buffer.Length / sizeof(float));
        var samples = new float[count];
        ReadOnlySpan<byte> bytes = buffer.GetBuffer().AsSpan(0, count * sizeof(float));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(samples);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                samples[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
            }
        }

        return samples;
    }
}
