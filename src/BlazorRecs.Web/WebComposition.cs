using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Seeding;
using BlazorRecs.Web.Components;
using BlazorRecs.Web.Features.Admin;
using BlazorRecs.Web.Features.Catalog;
using BlazorRecs.Web.Features.Embeddings;
using BlazorRecs.Web.Features.Similarity;
using BlazorRecs.Web.Features.Uploads;
using BlazorRecs.Web.Features.Health;
using BlazorRecs.Web.Features.Listening;
using BlazorRecs.Web.Features.Playback;
using BlazorRecs.Web.Features.Recommendations;
using MudBlazor.Services;

namespace BlazorRecs.Web;

/// <summary>The web app's part of the composition root (house style 1).</summary>
public static class WebComposition
{
    /// <summary>Adds Blazor Server with MudBlazor and the web features' services.</summary>
    public static IHostApplicationBuilder AddBlazorRecsWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        // A request the API cannot bind (k=abc, a body that is not the JSON asked for) is the client's error: throwing
        // lets the /api error handler answer 400 with the binder's own words, which name the parameter and the value,
        // where by default (outside Development) the client got a bare "Bad Request".
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.Exception is BadHttpRequestException bad)
            {
                context.ProblemDetails.Detail = bad.Message;
            }
        });
        builder.Services.AddHostedService<RuntimeStartupReport>();
        builder.AddListenerSessions();
        builder.Services.AddScoped<PlayerState>();
        builder.Services.AddSingleton<SimilarityQueries>();
        builder.Services.AddSingleton<UploadQueries>();
        builder.Services.AddSingleton<RecommendationQueries>();
        builder.Services.AddSingleton<EvaluationRuns>();
        builder.AddAdmin();
        // The web app executes jobs in the background and seeds an empty catalog; the CLI runs work in-process.
        builder.AddBlazorRecsJobRunner();
        builder.AddSeedOnFirstStart();
        return builder;
    }

    /// <summary>Middleware: errors as problem details, static assets, antiforgery.</summary>
    public static WebApplication UseBlazorRecsWeb(this WebApplication app)
    {
        // API errors are RFC 7807 problem details; pages get the not-found and error pages.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api =>
        {
            // A malformed request body is the client's error (400), not the server's.
            api.UseExceptionHandler(new ExceptionHandlerOptions
            {
                StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
                // The client's mistake, answered: not an error of the server's to log.
                SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
            });
            api.UseStatusCodePages();
        });
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), ui =>
        {
            if (!app.Environment.IsDevelopment())
            {
                ui.UseExceptionHandler("/error", createScopeForErrors: true);
            }

            ui.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        });
        // Routing after the status code pages: a re-executed request (an unknown address, shown the not-found page)
        // must be routed again under its new path. Left implicit, WebApplication routes first, and the re-execution
        // found no endpoint: the browser got an empty 404 of its own.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>Maps the HTTP API of every feature.</summary>
    public static WebApplication MapBlazorRecsApi(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapCatalogEndpoints();
        app.MapListeningEndpoints();
        app.MapAdminEndpoints();
        app.MapEmbeddingEndpoints();
        app.MapSimilarityEndpoints();
        app.MapUploadEndpoints();
        app.MapRecommendationEndpoints();
        return app;
    }

    /// <summary>Maps static assets and the interactive server components.</summary>
    public static WebApplication MapBlazorRecsUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
