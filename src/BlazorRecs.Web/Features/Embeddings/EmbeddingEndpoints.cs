using BlazorRecs.Core.Embeddings.Backends;

namespace BlazorRecs.Web.Features.Embeddings;

/// <summary>The embedding backends' HTTP API.</summary>
public static class EmbeddingEndpoints
{
    /// <summary>Maps GET /api/backends: every backend with id, dimension, version, status and, when unavailable, why.</summary>
    public static IEndpointRouteBuilder MapEmbeddingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/backends", (EmbeddingRegistry registry) => TypedResults.Ok(registry.Describe())).WithTags("Embeddings");
        return endpoints;
    }
}
