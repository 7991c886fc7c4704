using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Health;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Torch;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core;

/// <summary>Composition of the shared services, used by both the web app and the CLI.</summary>
public static class BlazorRecsCore
{
    /// <summary>Adds options, data, media, the ML runtimes and health checks.</summary>
    public static IHostApplicationBuilder AddBlazorRecsCore(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<BlazorRecsOptions>(BlazorRecsOptions.Section);
        builder.AddBlazorRecsData();
        builder.AddBlazorRecsMedia();
        builder.AddBlazorRecsMlRuntimes();
        builder.AddBlazorRecsHealth();
        return builder;
    }
}
