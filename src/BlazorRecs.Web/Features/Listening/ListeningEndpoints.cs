using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Listening;
using BlazorRecs.Web.Features.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlazorRecs.Web.Features.Listening;

/// <summary>The request body of POST /api/plays.</summary>
public sealed record PlayRequest(int ListenerId, int TrackId, int MsPlayed, DateTimeOffset? StartedAt = null, PlaySource? Source = null);

/// <summary>The request body of PUT /api/session/listener; no id means "start as a new listener".</summary>
public sealed record SessionListenerRequest(int? ListenerId, string? Name = null);

/// <summary>Listeners, their histories, the session's listener, and play reports.</summary>
public static class ListeningEndpoints
{
    /// <summary>Maps /api/listeners, /api/plays and /api/session.</summary>
    public static IEndpointRouteBuilder MapListeningEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Listening");
        api.MapGet("/listeners", async (ListeningService listening, string? query, int? page, int? pageSize, CancellationToken ct) =>
            TypedResults.Ok(await listening.ListAsync(query, page ?? 1, pageSize ?? 50, ct)));
        api.MapGet("/listeners/{id:int}", GetListenerAsync);
        api.MapGet("/listeners/{id:int}/plays", GetPlaysAsync);
        api.MapPost("/plays", PostPlayAsync);
        api.MapGet("/session/listener", GetSessionListenerAsync);
        api.MapPut("/session/listener", PutSessionListenerAsync).DisableAntiforgery();
        return endpoints;
    }

    private static async Task<Results<Ok<ListenerSummary>, ProblemHttpResult>> GetListenerAsync(int id, ListeningService listening, CancellationToken ct) =>
        await listening.GetAsync(id, ct) is { } listener ? TypedResults.Ok(listener) : CatalogEndpoints.NotFound("listener", id);

    private static async Task<Results<Ok<Page<PlayItem>>, ProblemHttpResult>> GetPlaysAsync(
        int id, int? page, int? pageSize, ListeningService listening, CancellationToken ct) =>
        await listening.PlaysAsync(id, page ?? 1, pageSize ?? 50, ct) is { } plays ? TypedResults.Ok(plays) : CatalogEndpoints.NotFound("listener", id);

    private static async Task<Results<Created<PlayItem>, ProblemHttpResult>> PostPlayAsync(
        PlayRequest request, HttpContext context, ListenerSession session, ListeningService listening, CancellationToken ct)
    {
        // Missing ids bind as 0: say which, rather than that the listener does not match the session.
        if (request.ListenerId <= 0 || request.TrackId <= 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid play",
                detail: $"listenerId and trackId are required positive ids; got listenerId {request.ListenerId}, trackId {request.TrackId}.");
        }

        // A browser may only report plays for the listener its session chose.
        if (session.Read(context) != request.ListenerId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Listener does not match the session",
                detail: "Choose this listener first (PUT /api/session/listener); plays are recorded only for the session's listener.");
        }

        var source = request.Source ?? PlaySource.Player;
        if (source is not (PlaySource.Player or PlaySource.Radio))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid play",
                detail: "source must be Player or Radio; simulated and imported plays come from jobs.");
        }

        var result = await listening.RecordAsync(new PlayReport(request.ListenerId, request.TrackId, request.MsPlayed, request.StartedAt, source), ct);
        return result switch
        {
            { Play: { } play } => TypedResults.Created($"/api/listeners/{play.ListenerId}/plays", play),
            { Rejection: PlayRejection.UnknownTrack } => CatalogEndpoints.NotFound("track", request.TrackId),
            { Rejection: PlayRejection.UnknownListener } => CatalogEndpoints.NotFound("listener", request.ListenerId),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid play", detail: result.Reason),
        };
    }

    private static async Task<Results<Ok<ListenerSummary>, NoContent>> GetSessionListenerAsync(
        HttpContext context, ListenerSession session, ListeningService listening, CancellationToken ct) =>
        session.Read(context) is { } id && await listening.GetAsync(id, ct) is { } listener ? TypedResults.Ok(listener) : TypedResults.NoContent();

    private static async Task<Results<Ok<ListenerSummary>, ProblemHttpResult>> PutSessionListenerAsync(
        SessionListenerRequest request, HttpContext context, ListenerSession session, ListeningService listening, CancellationToken ct)
    {
        ListenerSummary? listener = request.ListenerId is { } id
            ? await listening.GetAsync(id, ct)
            : await listening.CreateVisitorAsync(request.Name, ct);
        if (listener is null)
        {
            return CatalogEndpoints.NotFound("listener", request.ListenerId ?? 0);
        }

        session.Write(context, listener.Id);
        return TypedResults.Ok(listener);
    }
}
