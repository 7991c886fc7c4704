namespace BlazorRecs.Core.Seeding;

/// <summary>What to generate: the seed, the size, the track length and the listener-history window the release
/// dates are placed around (<see cref="HistoryStart"/> inclusive, <see cref="HistoryEnd"/> exclusive).</summary>
/// <param name="Seed">Every random choice derives from this number: the same spec always gives the same catalog.</param>
/// <param name="TrackCount">How many tracks to plan.</param>
/// <param name="HistoryStart">First instant of the simulated listening history.</param>
/// <param name="HistoryEnd">End (exclusive) of the simulated listening history.</param>
/// <param name="TrackSeconds">Length of every rendered track.</param>
public sealed record CatalogSpec(int Seed, int TrackCount, DateTimeOffset HistoryStart, DateTimeOffset HistoryEnd, int TrackSeconds = 30);

/// <summary>A planned artist; one genre for life.</summary>
/// <param name="Index">0-based position in <see cref="CatalogPlan.Artists"/>.</param>
/// <param name="Name">Generated display name, unique in the catalog.</param>
/// <param name="Genre">The genre name from <c>seed/genres.json</c>.</param>
public sealed record ArtistPlan(int Index, string Name, string Genre);

/// <summary>A planned album of one artist.</summary>
/// <param name="Index">0-based position in <see cref="CatalogPlan.Albums"/>.</param>
/// <param name="ArtistIndex">The album's artist.</param>
/// <param name="Title">Generated title, unique within the artist.</param>
/// <param name="ReleasedAt">Release date (midnight of a day), the same for all its tracks.</param>
public sealed record AlbumPlan(int Index, int ArtistIndex, string Title, DateTimeOffset ReleasedAt);

/// <summary>The composition parameters of one track, drawn from its genre within its artist's signature.</summary>
/// <param name="Key">Tonic pitch class, 0 = C.</param>
/// <param name="Mode">Scale name of the harmony (for example <c>dorian</c>).</param>
/// <param name="BeatsPerBar">Quarter-note beats per bar (4 or 3).</param>
/// <param name="Swing">Delay of off-beat notes as a fraction of <see cref="SwingUnit"/>'s step.</param>
/// <param name="SwingUnit">8 to swing eighths, 16 to swing sixteenths.</param>
/// <param name="Lead">Lead instrument name.</param>
/// <param name="Chords">Chord instrument name.</param>
/// <param name="Bass">Bass instrument name.</param>
/// <param name="Pad">Pad instrument name, or null for none.</param>
/// <param name="DrumKit">Drum kit name, or null for no drums.</param>
/// <param name="DrumPattern">Index into the genre's drum patterns.</param>
/// <param name="Harmony">Index into the genre's harmony (mode) list.</param>
/// <param name="Progression">Index into that harmony's progressions.</param>
/// <param name="Form">Index into the genre's song forms.</param>
/// <param name="ChordStyle">How chords are played (strum, comp, skank...).</param>
/// <param name="BassStyle">How the bass moves (walking, root8, tumbao...).</param>
/// <param name="Dynamics">Overall loudness scale of the performance, 0..1.</param>
/// <param name="Acousticness">Share of acoustic instrumentation in the arrangement, 0..1, weighted by role.</param>
public sealed record TrackStyle(
    int Key,
    string Mode,
    int BeatsPerBar,
    double Swing,
    int SwingUnit,
    string Lead,
    string Chords,
    string Bass,
    string? Pad,
    string? DrumKit,
    int DrumPattern,
    int Harmony,
    int Progression,
    int Form,
    string ChordStyle,
    string BassStyle,
    double Dynamics,
    double Acousticness);

/// <summary>A planned track.</summary>
/// <param name="Index">0-based position in <see cref="CatalogPlan.Tracks"/>; also what its random stream derives from.</param>
/// <param name="AlbumIndex">The track's album.</param>
/// <param name="ArtistIndex">The album's artist.</param>
/// <param name="TrackNumber">1-based position on the album.</param>
/// <param name="Title">Generated title, unique within the album.</param>
/// <param name="Genre">The artist's genre.</param>
/// <param name="ReleasedAt">The album's release date.</param>
/// <param name="TempoBpm">Tempo in quarter-note beats per minute (a whole number, so the MIDI tempo is exact).</param>
/// <param name="Style">Everything else the composer needs.</param>
public sealed record TrackPlan(int Index, int AlbumIndex, int ArtistIndex, int TrackNumber, string Title, string Genre, DateTimeOffset ReleasedAt, double TempoBpm, TrackStyle Style);

/// <summary>A whole planned catalog: metadata only, before any audio exists.</summary>
public sealed record CatalogPlan(CatalogSpec Spec, IReadOnlyList<ArtistPlan> Artists, IReadOnlyList<AlbumPlan> Albums, IReadOnlyList<TrackPlan> Tracks);

/// <summary>Descriptors of a rendered track, all in [0, 1] except the tempo.</summary>
/// <param name="TempoBpm">From the composition.</param>
/// <param name="Energy">From the RMS loudness of the rendered audio.</param>
/// <param name="Brightness">From the spectral centroid of the rendered audio.</param>
/// <param name="Acousticness">From the arrangement's instrumentation.</param>
public sealed record TrackDescriptors(double TempoBpm, double Energy, double Brightness, double Acousticness);

/// <summary>A track rendered to MP3.</summary>
/// <param name="TrackIndex">The plan's track index.</param>
/// <param name="Mp3Path">Where the MP3 was written.</param>
/// <param name="DurationMs">Length of the audio.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the MP3 file.</param>
/// <param name="Descriptors">Measured descriptors.</param>
public sealed record RenderedTrack(int TrackIndex, string Mp3Path, int DurationMs, string Sha256, TrackDescriptors Descriptors);

/// <summary>Derives independent, reproducible random streams from a seed, so that each track's choices depend only on
/// (seed, what, index) and not on the order or parallelism in which tracks are planned or rendered.</summary>
internal static class SeedRandom
{
    public const int CatalogStream = 1;
    public const int ArtistStream = 2;
    public const int AlbumStream = 3;
    public const int TrackStream = 4;
    public const int ComposeStream = 5;
    public const int CoverStream = 6;
    public const int DateStream = 7;

    /// <summary>A <see cref="Random"/> seeded from a SplitMix64 hash of the three numbers. System.Random with a seed
    /// uses the same legacy algorithm on every .NET version, so the streams are stable.</summary>
    public static Random For(int seed, int stream, int index)
    {
        ulong x = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)stream << 32) ^ (uint)index);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return new Random((int)(x & 0x7FFFFFFF));
    }

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];
}
