using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Onnx;
using BlazorRecs.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BlazorRecs.Core.Tests.Onnx;

public sealed class MusicnnOnnxTests
{
    [Fact]
    public void Runtime_reports_version_and_the_cpu_provider()
    {
        Assert.Matches(@"^1\.\d+\.\d+", OnnxRuntimeHost.Version);
        Assert.Contains(OnnxRuntimeHost.CpuProvider, OnnxRuntimeHost.AvailableProviders);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Musicnn_returns_200_d_embeddings_for_log_mel_patches(int patches)
    {
        string model = SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx");
        var host = new OnnxRuntimeHost(Options.Create(new BlazorRecsOptions { Device = ComputeDevice.Cpu }), NullLogger<OnnxRuntimeHost>.Instance);
        using InferenceSession session = host.CreateSession(model);

        var rng = new Random(patches);
        var input = new DenseTensor<float>([patches, 187, 96]);
        for (int i = 0; i < input.Length; i++)
        {
            input.SetValue(i, (float)(rng.NextDouble() * 3)); // log10(1 + 10000 mel) lies in about [0, 4]
        }

        using var results = session.Run([NamedOnnxValue.CreateFromTensor("model/Placeholder:0", input)], ["model/dense/BiasAdd:0"]);
        var output = results[0].AsTensor<float>();

        Assert.Equal([patches, 200], output.Dimensions.ToArray());
        Assert.All(output.ToArray(), v => Assert.True(float.IsFinite(v)));
        // Different patches give different embeddings: the network really ran.
        Assert.NotEqual(0f, output.ToArray().Select(Math.Abs).Max());
    }

    [Fact]
    public void Cuda_without_a_cuda_provider_is_a_clear_error()
    {
        var host = new OnnxRuntimeHost(Options.Create(new BlazorRecsOptions { Device = ComputeDevice.Cuda }), NullLogger<OnnxRuntimeHost>.Instance);
        Assert.SkipWhen(OnnxRuntimeHost.AvailableProviders.Contains(OnnxRuntimeHost.CudaProvider), "this ONNX Runtime has CUDA");

        var ex = Assert.Throws<InvalidOperationException>(() => host.SelectedProvider);
        Assert.Contains("BlazorRecs:Device", ex.Message, StringComparison.Ordinal);
    }
}
