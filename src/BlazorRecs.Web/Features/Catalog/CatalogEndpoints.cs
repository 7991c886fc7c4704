using BlazorRecs.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;

namespace BlazorRecs.Web.Features.Catalog;

/// <summary>The catalog's HTTP API: search, track details, audio with HTTP ranges, album covers.</summary>
public static class CatalogEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Maps /api/tracks, /api/genres and /api/albums.</summary>
    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Catalog");
        api.MapGet("/tracks", SearchAsync);
        api.MapGet("/tracks/{id:int}", GetTrackAsync);
        api.MapGet("/tracks/{id:int}/audio", GetAudioAsync);
        api.MapGet("/genres", async (CatalogQueries catalog, CancellationToken ct) => TypedResults.Ok(await catalog.GenresAsync(ct)));
        api.MapGet("/albums/{id:int}", GetAlbumAsync);
        api.MapGet("/albums/{id:int}/cover", GetCoverAsync);
        api.MapGet("/artists/{id:int}", GetArtistAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<Page<TrackSummary>>, ProblemHttpResult>> SearchAsync(
        CatalogQueries catalog, string? query, string? genre, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        if (!TryParseSort(sort, out var order))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown sort",
                detail: $"sort must be one of popularity, newest, title; got '{sort}'.");
        }

        if (page is < 1 || pageSize is < 1 or > TrackQuery.MaxPageSize)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad paging",
                detail: $"page must be at least 1 and pageSize between 1 and {TrackQuery.MaxPageSize}.");
        }

        return TypedResults.Ok(await catalog.SearchAsync(new TrackQuery(query, genre, order, page ?? 1, pageSize ?? 50), ct));
    }

    private static async Task<Results<Ok<TrackDetail>, ProblemHttpResult>> GetTrackAsync(int id, CatalogQueries catalog, CancellationToken ct) =>
        await catalog.GetTrackAsync(id, ct) is { } track ? TypedResults.Ok(track) : NotFound("track", id);

    private static async Task<Results<Ok<AlbumDetail>, ProblemHttpResult>> GetAlbumAsync(int id, CatalogQueries catalog, CancellationToken ct) =>
        await catalog.GetAlbumAsync(id, ct) is { } album ? TypedResults.Ok(album) : NotFound("album", id);

    private static async Task<Results<Ok<ArtistDetail>, ProblemHttpResult>> GetArtistAsync(int id, CatalogQueries catalog, CancellationToken ct) =>
        await catalog.GetArtistAsync(id, ct) is { } artist ? TypedResults.Ok(artist) : NotFound("artist", id);

    // Range requests (206, 416, Accept-Ranges) come from PhysicalFile's range processing.
    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetAudioAsync(int id, CatalogQueries catalog, CancellationToken ct)
    {
        string? path = await catalog.AudioFileAsync(id, ct);
        if (path is null)
        {
            return NotFound("track", id);
        }

        if (!File.Exists(path))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Audio file missing",
                detail: $"Track {id} is in the catalog but its audio file is not on disk.");
        }

        string contentType = ContentTypes.TryGetContentType(path, out string? type) ? type : "application/octet-stream";
        return TypedResults.PhysicalFile(path, contentType, enableRangeProcessing: true);
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetCoverAsync(int id, CatalogQueries catalog, CancellationToken ct)
    {
        string? path = await catalog.CoverFileAsync(id, ct);
        if (path is null || !File.Exists(path))
        {
            return NotFound("album cover", id);
        }

        string contentType = ContentTypes.TryGetContentType(path, out string? type) ? type : "application/octet-stream";
        return TypedResults.PhysicalFile(path, contentType);
    }

    internal static ProblemHttpResult NotFound(string what, long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Unknown {what}", detail: $"There is no {what} {id}.");

    private static bool TryParseSort(string? text, out TrackSort sort)
    {
        sort = TrackSort.Popularity;
        return string.IsNullOrWhiteSpace(text) || Enum.TryParse(text, ignoreCase: true, out sort) && Enum.IsDefined(sort);
    }
}
