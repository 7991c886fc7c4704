using System.Globalization;
using System.Text.Json;

namespace BlazorRecs.Core.Media;

/// <summary>What ffprobe says about an audio file: its length, whether it has audio, its tags, and the demuxer that
/// reads it (<see cref="Format"/>, for example <c>mp3</c> or <c>mov</c>: naming it spares ffmpeg probing the file
/// again, which for an MP3 with a large cover picture means running every demuxer's probe over the first megabyte).</summary>
/// <param name="Duration">The length.</param>
/// <param name="HasAudio">Whether there is an audio stream (always true once parsed: no audio is an error).</param>
/// <param name="Codec">The first audio stream's codec.</param>
/// <param name="Tags">Format and stream tags, case-insensitive.</param>
/// <param name="Format">The demuxer, the first of ffprobe's format names.</param>
/// <param name="StartSeconds">The container's start time (an MP3's encoder delay shows here): where ffmpeg, reading the
/// file without probing its streams, puts time zero relative to a probed read.</param>
public sealed record MediaInfo(TimeSpan Duration, bool HasAudio, string? Codec, IReadOnlyDictionary<string, string> Tags, string? Format = null, double StartSeconds = 0)
{
    /// <summary>A tag by any of its usual spellings (ID3, Vorbis, MP4 differ in case).</summary>
    public string? Tag(string name) => Tags.TryGetValue(name, out string? v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    /// <summary>Parses <c>ffprobe -print_format json -show_format -show_streams</c> output.</summary>
    public static MediaInfo Parse(string ffprobeJson, string path)
    {
        using var doc = JsonDocument.Parse(ffprobeJson);
        var root = doc.RootElement;
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        double seconds = 0;
        string? demuxer = null;
        double start = 0;
        if (root.TryGetProperty("format", out var format))
        {
            seconds = ParseSeconds(format);
            start = format.TryGetProperty("start_time", out var st) && double.TryParse(st.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double t) ? t : 0;
            demuxer = format.TryGetProperty("format_name", out var name) && name.GetString()?.Split(',')[0].Trim() is { Length: > 0 } first ? first : null;
            Collect(format, tags);
        }

        bool hasAudio = false;
        string? codec = null;
        if (root.TryGetProperty("streams", out var streams))
        {
            foreach (var stream in streams.EnumerateArray())
            {
                if (stream.TryGetProperty("codec_type", out var type) && type.GetString() == "audio")
                {
                    hasAudio = true;
                    codec ??= stream.TryGetProperty("codec_name", out var c) ? c.GetString() : null;
                    seconds = seconds > 0 ? seconds : ParseSeconds(stream);
                    Collect(stream, tags);
                }
            }
        }

        if (!hasAudio)
        {
            throw new ExternalProcessException($"{Path.GetFileName(path)} has no audio stream.");
        }

        return new MediaInfo(TimeSpan.FromSeconds(seconds), hasAudio, codec, tags, demuxer, start);
    }

    private static double ParseSeconds(JsonElement element) =>
        element.TryGetProperty("duration", out var d) && double.TryParse(d.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 0;

    private static void Collect(JsonElement element, Dictionary<string, string> tags)
    {
        if (!element.TryGetProperty("tags", out var t))
        {
            return;
        }

        foreach (var tag in t.EnumerateObject())
        {
            tags.TryAdd(tag.Name, tag.Value.ToString());
        }
    }
}
