using BlazorRecs.Core.Onnx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core.Torch;

/// <summary>Registers the ML runtimes.</summary>
public static class MlRuntimeRegistration
{
    /// <summary>Adds <see cref="TorchRuntime"/> and <see cref="OnnxRuntimeHost"/> as process-wide singletons.</summary>
    public static IHostApplicationBuilder AddBlazorRecsMlRuntimes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TorchRuntime>();
        builder.Services.AddSingleton<OnnxRuntimeHost>();
        return builder;
    }
}
