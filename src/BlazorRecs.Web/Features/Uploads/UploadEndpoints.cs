using BlazorRecs.Core.Similarity;
using BlazorRecs.Core.Uploads;
using BlazorRecs.Web.Features.Similarity;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BlazorRecs.Web.Features.Uploads;

/// <summary>One backend's answer for an upload, with the neighbours as playable catalog tracks.</summary>
public sealed record UploadResult(string Backend, IReadOnlyList<TagProbability> Tags, IReadOnlyList<SimilarTrack> Neighbours,
    IReadOnlyList<ListenerMatch> Listeners, float[] Embedding, string? Note);

/// <summary>The answer of POST /api/uploads.</summary>
public sealed record UploadResponse(string FileName, double DurationSeconds, IReadOnlyList<UploadResult> Results, int? TrackId = null);

/// <summary>The cold-start query over HTTP, and the same analysis for the Upload page.</summary>
public sealed class UploadQueries(UploadAnalyzer analyzer, SimilarityQueries similar)
{
    /// <summary>Analyses a saved upload and resolves its neighbours to catalog tracks. With
    /// <paramref name="addToCatalog"/> the file becomes a catalog track (its id is in the answer); otherwise it is deleted.</summary>
    public async Task<UploadResponse> AnalyzeAndDeleteAsync(string path, string displayName, int k, CancellationToken ct, bool addToCatalog = false)
    {
        try
        {
            var analysis = await analyzer.AnalyzeAsync(path, k, ct);
            int? trackId = addToCatalog
                ? await analyzer.AddToCatalogAsync(path, analysis, Path.GetFileNameWithoutExtension(displayName), "Uploads", ct)
                : null;
            var results = new List<UploadResult>();
            foreach (var r in analysis.Results)
            {
                results.Add(new UploadResult(r.Backend, r.Tags, await similar.ResolveAsync(r.Neighbours, ct), r.Listeners, r.Embedding, r.Note));
            }

            return new UploadResponse(displayName, analysis.DurationSeconds, results, trackId);
        }
        finally
        {
            File.Delete(path); // already moved when added to the catalog
        }
    }
}

/// <summary>POST /api/uploads.</summary>
public static class UploadEndpoints
{
    /// <summary>Maps POST /api/uploads (multipart form, field <c>file</c>).</summary>
    public static IEndpointRouteBuilder MapUploadEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/uploads", UploadAsync).WithTags("Uploads").DisableAntiforgery();
        return endpoints;
    }

    // The body is read section by section and streamed to disk, so a 2 GB upload is refused at the limit instead of
    // being buffered first.
    private static async Task<Results<Ok<UploadResponse>, ProblemHttpResult>> UploadAsync(
        HttpContext context, int? k, bool? addToCatalog, UploadAnalyzer analyzer, UploadQueries queries, CancellationToken ct)
    {
        if (addToCatalog == true && !context.User.IsInRole(Admin.AdminEndpoints.AdminRole))
        {
            return Problem(StatusCodes.Status403Forbidden, "Only admins can add uploads to the catalog.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null; // the analyser enforces its own limit while streaming
        }

        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Problem(StatusCodes.Status400BadRequest, "Expected multipart/form-data with a field named 'file'.");
        }

        var reader = new MultipartReader(boundary, context.Request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.IsFileDisposition() || disposition.Name.Value?.Trim('"') != "file")
                {
                    continue;
                }

                string name = UploadAnalyzer.DisplayName(disposition.FileName.Value?.Trim('"') ?? disposition.FileNameStar.Value);
                string path = await analyzer.SaveAsync(section.Body, ct);
                return TypedResults.Ok(await queries.AnalyzeAndDeleteAsync(path, name, Math.Clamp(k ?? 10, 1, 50), ct, addToCatalog == true));
            }
        }
        catch (UploadRejectedException ex)
        {
            return Problem(ex.StatusCode, ex.Message);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            return Problem(StatusCodes.Status400BadRequest, $"The upload was cut off: {ex.Message}");
        }

        return Problem(StatusCodes.Status400BadRequest, "No file field named 'file' in the form.");
    }

    private static ProblemHttpResult Problem(int status, string detail) =>
        TypedResults.Problem(statusCode: status, title: "Upload refused", detail: detail);
}
