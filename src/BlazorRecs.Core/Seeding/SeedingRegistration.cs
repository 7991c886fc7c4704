using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Media;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Seeding;

/// <summary>Registers the procedural seed catalog: options, the composer and the renderer.</summary>
public static class SeedingRegistration
{
    /// <summary>Adds <see cref="SeedOptions"/>, <see cref="CatalogComposer"/> (definitions loaded once) and
    /// <see cref="TrackRenderer"/>. Needs <c>AddBlazorRecsMedia</c> for ffmpeg.</summary>
    public static IHostApplicationBuilder AddBlazorRecsSeeding(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<SeedOptions>(SeedOptions.Section);
        builder.Services.AddSingleton(sp => new CatalogComposer(sp.GetRequiredService<IOptions<SeedOptions>>().Value.DefinitionsDirectory));
        builder.Services.AddSingleton(sp => new TrackRenderer(
            sp.GetRequiredService<Ffmpeg>(),
            sp.GetRequiredService<CatalogComposer>(),
            sp.GetRequiredService<IOptions<SeedOptions>>().Value));
        builder.Services.AddJobHandler<SeedCatalogJob>();
        return builder;
    }

    /// <summary>Queues the demo seed when the app starts on an empty catalog (the web app does this; the CLI does not).</summary>
    public static IHostApplicationBuilder AddSeedOnFirstStart(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<SeedOnFirstStart>();
        return builder;
    }
}
