using System.Text.Json.Serialization;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Catalog;

/// <summary>A page of results and the total across all pages.</summary>
public sealed record Page<T>(int Total, IReadOnlyList<T> Items);

/// <summary>How a track list is ordered.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrackSort>))]
public enum TrackSort
{
    /// <summary>Most counted plays first.</summary>
    Popularity,

    /// <summary>Latest release first.</summary>
    Newest,

    /// <summary>Alphabetical by title.</summary>
    Title,
}

/// <summary>A search over the catalog.</summary>
public sealed record TrackQuery(string? Text = null, string? Genre = null, TrackSort Sort = TrackSort.Popularity, int Page = 1, int PageSize = 50)
{
    /// <summary>The largest page the API serves.</summary>
    public const int MaxPageSize = 200;
}

/// <summary>A track as lists show it.</summary>
public sealed record TrackSummary(
    int Id, string Title, int ArtistId, string Artist, int? AlbumId, string? Album, string? Genre,
    int DurationMs, DateTimeOffset ReleasedAt, int Plays);

/// <summary>A track with everything its page shows.</summary>
public sealed record TrackDetail(
    int Id, string Title, int ArtistId, string Artist, int? AlbumId, string? Album, int? TrackNumber, string? Genre,
    int DurationMs, DateTimeOffset ReleasedAt, int Plays, int Listeners, TrackSource Source,
    double? TempoBpm, double? Energy, double? Brightness, double? Acousticness);

/// <summary>An album with its tracks in order.</summary>
public sealed record AlbumDetail(int Id, string Title, int ArtistId, string Artist, string? Genre, DateTimeOffset? ReleasedAt, bool HasCover, IReadOnlyList<TrackSummary> Tracks);

/// <summary>An artist with their albums.</summary>
public sealed record ArtistDetail(int Id, string Name, string? Genre, IReadOnlyList<AlbumSummary> Albums, IReadOnlyList<TrackSummary> TopTracks);

/// <summary>An album as lists show it.</summary>
public sealed record AlbumSummary(int Id, string Title, DateTimeOffset? ReleasedAt, int Tracks);

/// <summary>Read-only catalog queries shared by the API, the pages and the CLI.</summary>
public sealed class CatalogQueries(IDbContextFactory<BlazorRecsDbContext> contexts, IOptions<BlazorRecsOptions> options)
{
    /// <summary>Searches title, artist and album; filters by genre; sorts; pages.</summary>
    public Task<Page<TrackSummary>> SearchAsync(TrackQuery query, CancellationToken cancellationToken = default)
    {
        int size = Math.Clamp(query.PageSize, 1, TrackQuery.MaxPageSize);
        return SliceAsync(query, (Math.Max(1, query.Page) - 1) * size, size, cancellationToken);
    }

    /// <summary>The same results by offset and count, for virtualised lists that ask for arbitrary ranges.</summary>
    public async Task<Page<TrackSummary>> SliceAsync(TrackQuery query, int offset, int count, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        IQueryable<Track> tracks = Filter(db.Tracks.AsNoTracking(), query);
        int total = await tracks.CountAsync(cancellationToken);
        // Ordered on the entity, before the projection: SQLite can sort columns and subqueries, not records.
        tracks = query.Sort switch
        {
            TrackSort.Newest => tracks.OrderByDescending(t => t.ReleasedAt).ThenBy(t => t.Id),
            TrackSort.Title => tracks.OrderBy(t => t.Title).ThenBy(t => t.Id),
            _ => tracks.OrderByDescending(t => t.PlayCount).ThenBy(t => t.Id),
        };
        var items = await Project(db, tracks.Skip(Math.Max(0, offset)).Take(Math.Clamp(count, 1, TrackQuery.MaxPageSize)))
            .ToListAsync(cancellationToken);
        return new Page<TrackSummary>(total, items);
    }

    /// <summary>Summaries of the given tracks, in the given order (unknown ids are left out).</summary>
    public async Task<IReadOnlyList<TrackSummary>> SummariesAsync(IReadOnlyList<int> ids, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await Project(db, db.Tracks.AsNoTracking().Where(t => ids.Contains(t.Id))).ToListAsync(cancellationToken);
        var byId = found.ToDictionary(t => t.Id);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>The genres present in the catalog, alphabetically.</summary>
    public async Task<IReadOnlyList<string>> GenresAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Tracks.AsNoTracking().Where(t => t.Genre != null).Select(t => t.Genre!).Distinct().OrderBy(g => g).ToListAsync(cancellationToken);
    }

    /// <summary>One track, or null.</summary>
    public async Task<TrackDetail?> GetTrackAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Tracks.AsNoTracking().Where(t => t.Id == id).Select(t => new TrackDetail(
                t.Id, t.Title, t.ArtistId, t.Artist!.Name, t.AlbumId, t.Album != null ? t.Album.Title : null, t.TrackNumber, t.Genre,
                t.DurationMs, t.ReleasedAt,
                t.PlayCount,
                // Listeners of counted plays, as PlayCount counts plays: "75 plays by 60 listeners" is of the same plays.
                db.Plays.Where(p => p.TrackId == t.Id && !p.IsSkip).Select(p => p.ListenerId).Distinct().Count(),
                t.Source, t.TempoBpm, t.Energy, t.Brightness, t.Acousticness))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>One album with its tracks, or null.</summary>
    public async Task<AlbumDetail?> GetAlbumAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var album = await db.Albums.AsNoTracking().Where(a => a.Id == id)
            .Select(a => new { a.Id, a.Title, a.ArtistId, Artist = a.Artist!.Name, a.Artist.Genre, a.ReleasedAt, a.CoverPath })
            .FirstOrDefaultAsync(cancellationToken);
        if (album is null)
        {
            return null;
        }

        var tracks = await Project(db, db.Tracks.AsNoTracking().Where(t => t.AlbumId == id).OrderBy(t => t.TrackNumber).ThenBy(t => t.Id))
            .ToListAsync(cancellationToken);
        return new AlbumDetail(album.Id, album.Title, album.ArtistId, album.Artist, album.Genre, album.ReleasedAt, album.CoverPath is not null, tracks);
    }

    /// <summary>One artist with albums and most played tracks, or null.</summary>
    public async Task<ArtistDetail?> GetArtistAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var artist = await db.Artists.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (artist is null)
        {
            return null;
        }

        var albums = await db.Albums.AsNoTracking().Where(a => a.ArtistId == id).OrderBy(a => a.ReleasedAt)
            .Select(a => new AlbumSummary(a.Id, a.Title, a.ReleasedAt, a.Tracks.Count)).ToListAsync(cancellationToken);
        var top = await Project(db, db.Tracks.AsNoTracking().Where(t => t.ArtistId == id)
                .OrderByDescending(t => t.PlayCount).ThenBy(t => t.Id).Take(10))
            .ToListAsync(cancellationToken);
        return new ArtistDetail(artist.Id, artist.Name, artist.Genre, albums, top);
    }

    /// <summary>The audio file of a track on disk, or null when the track is unknown.</summary>
    public async Task<string?> AudioFileAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        string? path = await db.Tracks.AsNoTracking().Where(t => t.Id == id).Select(t => t.AudioPath).FirstOrDefaultAsync(cancellationToken);
        return path is null ? null : ResolveDataPath(path);
    }

    /// <summary>The cover image of an album on disk, or null.</summary>
    public async Task<string?> CoverFileAsync(int albumId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        string? path = await db.Albums.AsNoTracking().Where(a => a.Id == albumId).Select(a => a.CoverPath).FirstOrDefaultAsync(cancellationToken);
        return path is null ? null : ResolveDataPath(path);
    }

    /// <summary>Paths stored relative to the data directory become absolute; imported absolute paths stay.</summary>
    public string ResolveDataPath(string stored) =>
        Path.IsPathRooted(stored) ? stored : Path.Combine(options.Value.DataPath, stored);

    private static IQueryable<TrackSummary> Project(BlazorRecsDbContext db, IQueryable<Track> tracks) =>
        tracks.Select(t => new TrackSummary(
            t.Id, t.Title, t.ArtistId, t.Artist!.Name, t.AlbumId, t.Album != null ? t.Album.Title : null, t.Genre,
            t.DurationMs, t.ReleasedAt, t.PlayCount));

    private static IQueryable<Track> Filter(IQueryable<Track> tracks, TrackQuery query)
    {
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            string pattern = $"%{EscapeLike(query.Text.Trim())}%";
            tracks = tracks.Where(t => EF.Functions.Like(t.Title, pattern, "\\")
                                       || EF.Functions.Like(t.Artist!.Name, pattern, "\\")
                                       || (t.Album != null && EF.Functions.Like(t.Album.Title, pattern, "\\")));
        }

        if (!string.IsNullOrWhiteSpace(query.Genre))
        {
            tracks = tracks.Where(t => t.Genre == query.Genre);
        }

        return tracks;
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
