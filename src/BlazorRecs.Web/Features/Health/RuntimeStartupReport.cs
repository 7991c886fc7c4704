using BlazorRecs.Core.Onnx;
using BlazorRecs.Core.Torch;

namespace BlazorRecs.Web.Features.Health;

/// <summary>Says in the log, at start, where Torch and ONNX Runtime will compute. A device that cannot be had (cuda
/// configured without CUDA) is logged as an error and reported failed by /healthz; the app keeps serving.</summary>
internal sealed class RuntimeStartupReport(TorchRuntime torch, OnnxRuntimeHost onnx, ILogger<RuntimeStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _ = torch.Device; // resolving logs TorchSharp's versions and device
            logger.LogInformation("ONNX Runtime {Version}: providers {Providers}; sessions use {Provider}",
                OnnxRuntimeHost.Version, string.Join(", ", OnnxRuntimeHost.AvailableProviders), onnx.SelectedProvider);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "ML runtime not usable as configured");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
