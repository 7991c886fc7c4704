using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Tests.Support;
using BlazorRecs.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Embeddings;

public sealed class OnnxManifestBackendTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MusiCNN_described_by_a_manifest_gives_the_built_in_backends_vectors_and_a_bad_manifest_is_unavailable()
    {
        string shared = SharedFolder.Require("models/musicnn");
        string models = Directory.CreateTempSubdirectory("blazorrecs-manifests-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(models, "musicnn"));
            foreach (string file in Directory.GetFiles(shared, "msd-*.onnx"))
            {
                File.Copy(file, Path.Combine(models, "musicnn", Path.GetFileName(file)));
            }

            await File.WriteAllTextAsync(Path.Combine(models, "musicnn-copy.backend.json"), """
                {
                  "name": "musicnn-copy",
                  "model": "musicnn/msd-musicnn-1.onnx",
                  "input": "model/Placeholder:0",
                  "output": "model/dense/BiasAdd:0",
                  "dimension": 200,
                  "inputKind": "logmel",
                  "sampleRate": 16000,
                  "windowFrames": 187,
                  "logMel": { "fftSize": 512, "hopLength": 256, "melBands": 96, "minHz": 0, "maxHz": 8000, "logScale": 10000 },
                  "pooling": "mean"
                }
                """, Ct);
            await File.WriteAllTextAsync(Path.Combine(models, "broken.backend.json"), """{ "name": "broken", "inputKind": "spectrogram" }""", Ct);

            await using var host = await TestHost.StartAsync(null, $"--BlazorRecs:ModelsDirectory={models}");
            var registry = host.Services.GetRequiredService<EmbeddingRegistry>();
            var copy = registry.Find("onnx:musicnn-copy");
            Assert.NotNull(copy);
            var info = copy.Describe();
            Assert.Equal(BackendStatus.Available, info.Status);
            Assert.Equal(200, info.Dimension);
            Assert.StartsWith("msd-musicnn-1.onnx@", info.Version, StringComparison.Ordinal);
            var broken = registry.Find("onnx:broken")!.Describe();
            Assert.Equal(BackendStatus.Unavailable, broken.Status);
            Assert.Contains("required", broken.Detail, StringComparison.Ordinal);

            var rng = new Random(4);
            float[] audio = Enumerable.Range(0, 16_000 * 8).Select(i => 0.3f * MathF.Sin(2 * MathF.PI * 220 * i / 16_000) + 0.05f * (float)(rng.NextDouble() - 0.5)).ToArray();
            float[] fromManifest = (await copy.EmbedAsync(audio, Ct)).Vector;
            float[] builtIn = (await registry.Find(MusicnnBackend.BackendId)!.EmbedAsync(audio, Ct)).Vector;

            Assert.Equal(builtIn.Length, fromManifest.Length);
            for (int i = 0; i < builtIn.Length; i++)
            {
                Assert.Equal(builtIn[i], fromManifest[i], 1e-4f);
            }
        }
        finally
        {
            await TempDirectory.DeleteAsync(models);
        }
    }
}
