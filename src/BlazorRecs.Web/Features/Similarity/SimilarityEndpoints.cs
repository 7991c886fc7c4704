using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Embeddings.Musicnn;
using BlazorRecs.Core.Similarity;
using BlazorRecs.Web.Features.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlazorRecs.Web.Features.Similarity;

/// <summary>A neighbour in a similar-tracks list.</summary>
public sealed record SimilarTrack(int Id, string Title, int ArtistId, string Artist, int? AlbumId, string? Album, string? Genre, int DurationMs, DateTimeOffset ReleasedAt, int Plays, float Score);

/// <summary>The answer of /api/tracks/{id}/similar.</summary>
public sealed record SimilarTracks(string Backend, int Total, IReadOnlyList<SimilarTrack> Items);

/// <summary>A tag and its probability.</summary>
public sealed record TagScore(string Tag, float Probability);

/// <summary>"Similar tracks" and tags over the embedding backends' FAISS indexes.</summary>
public static class SimilarityEndpoints
{
    /// <summary>The most neighbours one request may ask for.</summary>
    public const int MaxK = 200;

    /// <summary>Maps /api/tracks/{id}/similar and /api/tracks/{id}/tags.</summary>
    public static IEndpointRouteBuilder MapSimilarityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tracks/{id:int}/similar", SimilarAsync).WithTags("Similarity");
        endpoints.MapGet("/api/tracks/{id:int}/tags", TagsAsync).WithTags("Similarity");
        return endpoints;
    }

    /// <summary>The neighbours of a track under one backend, best first, the track itself excluded.</summary>
    public static async Task<Results<Ok<SimilarTracks>, ProblemHttpResult>> SimilarAsync(
        int id, string? backend, int? k, CatalogQueries catalog, EmbeddingRegistry registry, SimilarityQueries similar, CancellationToken ct)
    {
        string backendId = backend ?? MusicnnBackend.BackendId;
        if (registry.Find(backendId) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown backend",
                detail: $"backend must be one of {string.Join(", ", registry.All.Select(b => b.Id))}; got '{backendId}'.");
        }

        if (k is < 1 or > MaxK)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad k", detail: $"k must be between 1 and {MaxK}.");
        }

        if (await catalog.GetTrackAsync(id, ct) is null)
        {
            return CatalogEndpoints.NotFound("track", id);
        }

        try
        {
            return await similar.ForTrackAsync(id, backendId, k ?? 10, ct) is { } result
                ? TypedResults.Ok(result)
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not embedded yet",
                    detail: $"Track {id} has no {backendId} vector yet; the embed job computes it.");
        }
        catch (KeyNotFoundException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not embedded yet", detail: ex.Message);
        }
    }

    /// <summary>A track's MusiCNN tags, most probable first.</summary>
    public static async Task<Results<Ok<IReadOnlyList<TagScore>>, ProblemHttpResult>> TagsAsync(
        int id, int? top, CatalogQueries catalog, SimilarityQueries similar, CancellationToken ct)
    {
        // MusiCNN's head has 50 tags; a top outside 1-50 is a mistake to name, not one to round away quietly.
        if (top is < 1 or > 50)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad top", detail: $"top must be between 1 and 50; got {top}.");
        }

        return await catalog.GetTrackAsync(id, ct) is null
            ? CatalogEndpoints.NotFound("track", id)
            : TypedResults.Ok(await similar.TopTagsAsync(id, top ?? 5, ct));
    }
}
