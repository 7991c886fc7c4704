using System.ComponentModel.DataAnnotations;

namespace BlazorRecs.Core.Seeding;

/// <summary>The <c>BlazorRecs:Seed</c> section: how the procedural demo catalog is generated and rendered.</summary>
public sealed record SeedOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "BlazorRecs:Seed";

    /// <summary>The General MIDI SoundFont the tracks are rendered with.</summary>
    [Required(AllowEmptyStrings = false)]
    public string SoundFontPath { get; init; } = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

    /// <summary>Where <c>genres.json</c> and <c>names.json</c> are read from; null means the <c>seed</c> folder next to
    /// the application's assemblies.</summary>
    public string? DefinitionsDirectory { get; init; }

    /// <summary>Length of each rendered track.</summary>
    [Range(2, 600)]
    public int TrackSeconds { get; init; } = 30;

    /// <summary>How many tracks the demo catalog has unless asked otherwise.</summary>
    [Range(1, 100_000)]
    public int DefaultTracks { get; init; } = 500;

    /// <summary>The seed of the demo catalog: the same seed gives the same catalog, audio included.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The end of the simulated 13-month listening history (exclusive). Fixed, not "now", so that a seed
    /// number always gives the same catalog and history.</summary>
    public DateTimeOffset HistoryEnd { get; init; } = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How many listener personas the demo simulates.</summary>
    [Range(0, 1_000_000)]
    public int DefaultListeners { get; init; } = 1000;

    /// <summary>About how many plays the simulated history has in total.</summary>
    [Range(0, 100_000_000)]
    public int DefaultPlays { get; init; } = 150_000;

    /// <summary>Queue the seed job when the app starts with an empty catalog.</summary>
    public bool OnFirstStart { get; init; } = true;

    /// <summary>fluidsynth's master gain; FluidR3 at 0.6 keeps dense arrangements below clipping.</summary>
    [Range(0.01, 5.0)]
    public double Gain { get; init; } = 0.6;

    /// <summary>Sample rate of the synthesis and of the MP3.</summary>
    [Range(8000, 48000)]
    public int SampleRate { get; init; } = 22050;

    /// <summary>MP3 bit rate in kbit/s.</summary>
    [Range(32, 320)]
    public int Mp3BitrateKbps { get; init; } = 64;

    /// <summary>MP3 channels: 1 (mono, the fast default) or 2.</summary>
    [Range(1, 2)]
    public int Mp3Channels { get; init; } = 1;
}
