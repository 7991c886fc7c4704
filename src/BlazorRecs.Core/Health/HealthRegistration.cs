using BlazorRecs.Core.Embeddings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core.Health;

/// <summary>Registers one health check per native component, named as /healthz reports them.</summary>
public static class HealthRegistration
{
    /// <summary>The component names, in report order.</summary>
    public static readonly IReadOnlyList<string> Components = ["sqlite", "ffmpeg", "faiss", "torch", "onnxruntime", "models"];

    /// <summary>Adds the component checks.</summary>
    public static IHostApplicationBuilder AddBlazorRecsHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PretrainedModelFiles>();
        builder.Services.AddHealthChecks()
            .AddCheck<SqliteHealthCheck>("sqlite")
            .AddCheck<FfmpegHealthCheck>("ffmpeg")
            .AddCheck<FaissHealthCheck>("faiss")
            .AddCheck<TorchHealthCheck>("torch")
            .AddCheck<OnnxRuntimeHealthCheck>("onnxruntime")
            .AddCheck<ModelsHealthCheck>("models");
        return builder;
    }
}
