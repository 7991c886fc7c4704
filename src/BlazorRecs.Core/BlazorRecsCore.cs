using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Health;
using BlazorRecs.Core.Importing;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Seeding;
using BlazorRecs.Core.Similarity;
using BlazorRecs.Core.Torch;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core;

/// <summary>Composition of the shared services, used by both the web app and the CLI.</summary>
public static class BlazorRecsCore
{
    /// <summary>Adds options, data, media, the ML runtimes, health checks, jobs, the catalog and listening.</summary>
    public static IHostApplicationBuilder AddBlazorRecsCore(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<BlazorRecsOptions>(BlazorRecsOptions.Section);
        builder.AddBlazorRecsData();
        builder.AddBlazorRecsMedia();
        builder.AddBlazorRecsMlRuntimes();
        builder.AddBlazorRecsHealth();
        builder.AddBlazorRecsJobs();
        builder.AddBlazorRecsListening();
        builder.AddBlazorRecsSeeding();
        builder.AddBlazorRecsImporting();
        builder.AddBlazorRecsEmbeddings();
        builder.AddBlazorRecsSimilarity();
        builder.AddBlazorRecsRecommenders();
        return builder;
    }
}
