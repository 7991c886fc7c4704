using BlazorRecs.Web.Components;
using BlazorRecs.Web.Features.Health;
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
        builder.Services.AddProblemDetails();
        builder.Services.AddHostedService<RuntimeStartupReport>();
        return builder;
    }

    /// <summary>Middleware: errors as problem details, static assets, antiforgery.</summary>
    public static WebApplication UseBlazorRecsWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
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
