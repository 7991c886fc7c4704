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

    /// <summary>Runs ffmpeg with <paramref name="arguments"/> (no shell), for encoding and test-signal generation.</summary>
    public Task RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
        => runner.RunForTextAsync(_options.FfmpegPath, ["-nostdin", "-hide_banner", "-loglevel", "error", .. arguments], cancellationToken);

    /// <summary>Reads duration and tags with ffprobe.</summary>
    /// <exception cref="ExternalProcessException">ffprobe could not read the file (not audio, truncated, missing).</exception>
    public async Task<MediaInfo> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        string json = await runner.RunForTextAsync(_options.FfprobePath,
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-select_streams", "a", path], cancellationToken);
        return MediaInfo.Parse(json, path);
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
