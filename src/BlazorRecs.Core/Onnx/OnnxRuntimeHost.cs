using BlazorRecs.Core.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BlazorRecs.Core.Onnx;

/// <summary>
/// The process's ONNX Runtime: which version and execution providers are present, and sessions created with the
/// provider the configured device asks for. One <see cref="InferenceSession"/> per model for the process (Run is
/// thread-safe); callers own and dispose what they create.
/// </summary>
public sealed class OnnxRuntimeHost(IOptions<BlazorRecsOptions> options, ILogger<OnnxRuntimeHost> logger)
{
    /// <summary>The CUDA execution provider's name.</summary>
    public const string CudaProvider = "CUDAExecutionProvider";

    /// <summary>The CPU execution provider's name.</summary>
    public const string CpuProvider = "CPUExecutionProvider";

    /// <summary>ONNX Runtime's native version.</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>Execution providers compiled into the loaded ONNX Runtime.</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>The provider sessions use under the configured device; throws when CUDA is required but absent.</summary>
    public string SelectedProvider
    {
        get
        {
            bool cuda = AvailableProviders.Contains(CudaProvider);
            return options.Value.Device switch
            {
                ComputeDevice.Cpu => CpuProvider,
                ComputeDevice.Cuda when cuda => CudaProvider,
                ComputeDevice.Cuda => throw new InvalidOperationException(
                    "BlazorRecs:Device is 'cuda' but this ONNX Runtime has no CUDA execution provider. Build with " +
                    "-p:OnnxBackend=cuda on a CUDA host (see README, GPU), or set BlazorRecs:Device to auto or cpu."),
                _ => cuda ? CudaProvider : CpuProvider,
            };
        }
    }

    /// <summary>Creates a session for <paramref name="modelPath"/> on the selected provider.</summary>
    public InferenceSession CreateSession(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model not found: {modelPath}", modelPath);
        }

        string provider = SelectedProvider;
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        // Idle intra-op threads sleep instead of spinning: models run beside ffmpeg, libtorch and each other (the
        // embed job runs one track per core, an upload every backend at once), and spinning threads take the cores
        // those need.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        if (provider == CudaProvider)
        {
            sessionOptions.AppendExecutionProvider_CUDA(0);
        }

        var session = new InferenceSession(modelPath, sessionOptions);
        logger.LogInformation("ONNX model {Model} loaded on {Provider}", Path.GetFileName(modelPath), provider);
        return session;
    }
}
