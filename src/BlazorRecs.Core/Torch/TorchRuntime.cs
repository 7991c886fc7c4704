using System.Reflection;
using BlazorRecs.Core.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Torch;

/// <summary>
/// The process's TorchSharp: loads libtorch once, resolves the configured device (auto, cpu, cuda), and applies the
/// thread setting and the native heap policy (<see cref="NativeHeap"/>). Models and batches move to
/// <see cref="Device"/>; no code names a device itself.
/// </summary>
public sealed class TorchRuntime
{
    private readonly Lazy<(Device Device, string Detail, string Heap)> _device;

    /// <summary>Creates the runtime for the configured device.</summary>
    public TorchRuntime(IOptions<BlazorRecsOptions> options, ILogger<TorchRuntime> logger)
    {
        Requested = options.Value.Device;
        int threads = options.Value.TorchThreads;
        _device = new(() =>
        {
            var resolved = Resolve(Requested);
            if (threads > 0)
            {
                torch.set_num_threads(threads);
            }

            string heap = NativeHeap.Tune();
            logger.LogInformation("TorchSharp {TorchSharp} (libtorch {LibTorch}) computing on {Device}: {Detail}; {Heap}",
                TorchSharpVersion, LibTorchVersion, resolved.Device, resolved.Detail, heap);
            return (resolved.Device, resolved.Detail, heap);
        });
    }

    /// <summary>The device the configuration asked for.</summary>
    public ComputeDevice Requested { get; }

    /// <summary>The device models and batches go to. Throws if CUDA was required but is not available.</summary>
    public Device Device => _device.Value.Device;

    /// <summary>Why this device was chosen.</summary>
    public string DeviceDetail => _device.Value.Detail;

    /// <summary>What the native heap policy (<see cref="NativeHeap"/>) did at start.</summary>
    public string NativeHeapDetail => _device.Value.Heap;

    /// <summary>The TorchSharp package version.</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The native libtorch version (loads the native library).</summary>
    public static string LibTorchVersion => torch.__version__;

    /// <summary>Intra-op threads libtorch uses.</summary>
    public static int Threads => torch.get_num_threads();

    private static (Device Device, string Detail) Resolve(ComputeDevice requested)
    {
        bool cuda = torch.cuda.is_available();
        return requested switch
        {
            ComputeDevice.Cpu => (CPU, "configured cpu"),
            ComputeDevice.Cuda when cuda => (CUDA, $"configured cuda, {torch.cuda.device_count()} device(s)"),
            ComputeDevice.Cuda => throw new InvalidOperationException(
                "BlazorRecs:Device is 'cuda' but TorchSharp sees no CUDA device. Build with -p:TorchBackend=cuda on a " +
                "CUDA host (see README, GPU), or set BlazorRecs:Device to auto or cpu."),
            _ when cuda => (CUDA, $"auto: {torch.cuda.device_count()} CUDA device(s) found"),
            _ => (CPU, "auto: no CUDA device, using the CPU"),
        };
    }
}
