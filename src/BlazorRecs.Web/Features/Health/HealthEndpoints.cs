using BlazorRecs.Core.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BlazorRecs.Web.Features.Health;

/// <summary>/healthz: every native component's status, version and detail.</summary>
public static class HealthEndpoints
{
    /// <summary>Maps /healthz. It answers 200 whenever the app serves, with the overall status in the body, so a
    /// degraded component (a missing model, say) is read from the JSON rather than mistaken for an outage.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status200OK,
            },
            ResponseWriter = (context, report) =>
            {
                context.Response.ContentType = "application/json; charset=utf-8";
                context.Response.Headers.CacheControl = "no-store";
                return context.Response.WriteAsync(HealthReportJson.ToJsonString(report));
            },
        });
        return endpoints;
    }
}
