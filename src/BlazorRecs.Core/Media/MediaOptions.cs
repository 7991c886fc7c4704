using System.ComponentModel.DataAnnotations;

namespace BlazorRecs.Core.Media;

/// <summary>The <c>BlazorRecs:Media</c> section: how ffmpeg and ffprobe are run.</summary>
public sealed record MediaOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "BlazorRecs:Media";

    /// <summary>The ffmpeg executable (a name on PATH or a full path).</summary>
    [Required(AllowEmptyStrings = false)]
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>The ffprobe executable.</summary>
    [Required(AllowEmptyStrings = false)]
    public string FfprobePath { get; init; } = "ffprobe";

    /// <summary>How many ffmpeg/ffprobe processes may run at once; 0 means one per core.</summary>
    [Range(0, 256)]
    public int MaxConcurrency { get; init; }

    /// <summary>A process running longer than this is killed with its whole tree.</summary>
    [Range(1, 24 * 3600)]
    public int TimeoutSeconds { get; init; } = 120;

    /// <summary>Where decodes that need files (several rates, excerpts) keep them while ffmpeg writes; each decode
    /// makes its own folder there and removes it. Null: the system's temporary folder.</summary>
    public string? ScratchDirectory { get; init; }
}
