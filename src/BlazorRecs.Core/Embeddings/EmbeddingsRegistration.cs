using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Embeddings.Contrastive;
using BlazorRecs.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core.Embeddings;

/// <summary>Registers the embedding backends, their registry, the vector store and the embed job.</summary>
public static class EmbeddingsRegistration
{
    /// <summary>Adds MFCC, MusiCNN (available when its model files are in ModelsDirectory) and the in-house
    /// contrastive CNN (available once trained).</summary>
    public static IHostApplicationBuilder AddBlazorRecsEmbeddings(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<EmbeddingOptions>(EmbeddingOptions.Section);
        builder.Services.AddSingleton<IEmbeddingBackend, MfccBackend>();
        builder.Services.AddSingleton<IEmbeddingBackend, MusicnnBackend>();
        builder.AddValidatedOptions<ContrastiveCnnOptions>(ContrastiveCnnOptions.Section);
        builder.Services.AddSingleton<ContrastiveCnnModels>();
        builder.Services.AddSingleton<IEmbeddingBackend, ContrastiveCnnBackend>();
        builder.Services.AddSingleton<EmbeddingRegistry>();
        builder.Services.AddSingleton<EmbeddingStore>();
        builder.Services.AddJobHandler<EmbedTracksJob>();
        builder.Services.AddJobHandler<TrainContrastiveCnnJob>();
        return builder;
    }
}
