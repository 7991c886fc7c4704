using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Web.Features.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlazorRecs.Web.Features.Recommendations;

/// <summary>GET /api/listeners/{id}/recommendations and the list of trained models.</summary>
public static class RecommendationEndpoints
{
    /// <summary>The most recommendations one request may ask for.</summary>
    public const int MaxK = 200;

    /// <summary>Maps the recommendation endpoints.</summary>
    public static IEndpointRouteBuilder MapRecommendationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Recommendations");
        api.MapGet("/listeners/{id:int}/recommendations", RecommendAsync);
        api.MapGet("/recommenders", async (RecommendationQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.AvailableAsync(ct)));
        return endpoints;
    }

    /// <summary>A listener's recommendations: model (pop, knn, shallow-net, bert4rec; default bert4rec), backend
    /// (default musicnn-msd; <c>random</c> for the random-init variant; popularity ignores it), k (default 20). An unknown
    /// model or backend, or a variant that does not exist (KNN has no random init), is a 400; a pair not trained yet a 404.</summary>
    public static async Task<Results<Ok<RecommendationsResponse>, ProblemHttpResult>> RecommendAsync(
        int id, string? model, string? backend, int? k, ListeningService listening, RecommendationQueries queries, EmbeddingRegistry registry,
        CancellationToken ct)
    {
        if (k is < 1 or > MaxK)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad k", detail: $"k must be between 1 and {MaxK}.");
        }

        if (await listening.GetAsync(id, ct) is null)
        {
            return CatalogEndpoints.NotFound("listener", id);
        }

        var pair = RecommendationQueries.Pair(model, backend);
        if (RecommenderTraining.UnknownModel(pair.Model) is { } unknown)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown model", detail: unknown);
        }

        if (pair.Backend is { } backendId && registry.Find(backendId) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown backend",
                detail: $"backend must be one of {string.Join(", ", registry.All.Select(b => b.Id))} or '{RecommendationQueries.RandomBackend}' " +
                        $"(the random-init variant); got '{backendId}'.");
        }

        try
        {
            RecommenderTraining.CheckPair(pair);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No such model variant", detail: ex.Message);
        }

        try
        {
            return TypedResults.Ok(await queries.ForListenerAsync(id, pair, k ?? 20, ct));
        }
        catch (KeyNotFoundException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Model not trained", detail: ex.Message);
        }
    }
}
