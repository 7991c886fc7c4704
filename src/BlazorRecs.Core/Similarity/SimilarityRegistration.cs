using BlazorRecs.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core.Similarity;

/// <summary>Registers the per-backend similarity indexes, listener profiles and the upload analyser built on them.</summary>
public static class SimilarityRegistration
{
    /// <summary>Adds <see cref="SimilarityIndexes"/> (one process-wide set of FAISS indexes).</summary>
    public static IHostApplicationBuilder AddBlazorRecsSimilarity(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<SimilarityOptions>(SimilarityOptions.Section);
        builder.Services.AddSingleton<SimilarityIndexes>();
        builder.Services.AddSingleton<ListenerProfiles>();
        builder.AddValidatedOptions<Uploads.UploadOptions>(Uploads.UploadOptions.Section);
        builder.Services.AddSingleton<Uploads.UploadAnalyzer>();
        return builder;
    }
}
