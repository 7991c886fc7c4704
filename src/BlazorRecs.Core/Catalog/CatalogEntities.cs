using System.Text.Json.Serialization;
namespace BlazorRecs.Core.Catalog;

/// <summary>How a track entered the catalog.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrackSource>))]
public enum TrackSource
{
    /// <summary>Rendered by the procedural seed generator.</summary>
    Seed,

    /// <summary>Scanned from an operator's music folder.</summary>
    Import,

    /// <summary>Uploaded in the app and added to the catalog.</summary>
    Upload,
}

/// <summary>A performer.</summary>
public sealed class Artist
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The artist's main genre, where known.</summary>
    public string? Genre { get; set; }
    public List<Album> Albums { get; } = [];
    public List<Track> Tracks { get; } = [];
}

/// <summary>A release grouping tracks.</summary>
public sealed class Album
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public int ArtistId { get; set; }
    public Artist? Artist { get; set; }
    public DateTimeOffset? ReleasedAt { get; set; }
    /// <summary>Cover image, relative to the data directory.</summary>
    public string? CoverPath { get; set; }
    public List<Track> Tracks { get; } = [];
}

/// <summary>A playable recording.</summary>
public sealed class Track
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public int ArtistId { get; set; }
    public Artist? Artist { get; set; }
    public int? AlbumId { get; set; }
    public Album? Album { get; set; }
    public int? TrackNumber { get; set; }
    public string? Genre { get; set; }
    public int DurationMs { get; set; }
    /// <summary>Audio file, relative to the data directory (or absolute for imported folders). Never a client's name.</summary>
    public required string AudioPath { get; set; }
    public TrackSource Source { get; set; }
    /// <summary>The id the track has in an imported listening log or folder, for mapping plays.</summary>
    public string? ExternalId { get; set; }
    /// <summary>SHA-256 of the audio file, to find duplicates and detect changed files.</summary>
    public string? ContentHash { get; set; }
    /// <summary>When the track became available to listeners (drives cold-start splits).</summary>
    public DateTimeOffset ReleasedAt { get; set; }
    public DateTimeOffset AddedAt { get; set; }
    /// <summary>Tempo in beats per minute, where known (the seed composer knows it; imports may not).</summary>
    public double? TempoBpm { get; set; }
    /// <summary>Loudness-based energy in [0, 1], measured from the audio.</summary>
    public double? Energy { get; set; }
    /// <summary>Spectral brightness in [0, 1], measured from the audio.</summary>
    public double? Brightness { get; set; }
    /// <summary>Share of acoustic (non-electronic) instrumentation in [0, 1].</summary>
    public double? Acousticness { get; set; }
    /// <summary>
    /// How many counted (non-skip) plays the track has. The database keeps it: triggers on Plays update it on every
    /// insert, delete and change, whoever writes the play; the app never writes it. It is what "sort by popularity"
    /// reads through an index, instead of counting 150k plays per page.
    /// </summary>
    public int PlayCount { get; set; }
}
