using System.Globalization;
using System.Runtime.InteropServices;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Embeddings.Audio;
using BlazorRecs.Core.Embeddings.Musicnn;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Onnx;
using BlazorRecs.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Tests.Embeddings;

/// <summary>Reproduces ../shared/reference/musicnn within its README's tolerances: log-mel to about 1e-4 absolute,
/// embeddings to cosine > 0.9999.</summary>
public sealed class MusicnnReferenceTests
{
    private const string Reference = "reference/musicnn/vibe-ace-5s-17s";

    [Fact]
    public void Log_mel_of_the_reference_pcm_matches_the_reference_log_mel()
    {
        float[] pcm = ReadFloats(SharedFolder.Require($"{Reference}.16k.f32"));
        float[] expected = ReadFloats(SharedFolder.Require($"{Reference}.logmel96.f32"));

        float[] actual = MusicnnModel.FrontEnd.Compute(pcm);

        Assert.Equal(751 * 96, expected.Length);
        Assert.Equal(expected.Length, actual.Length);
        double maxError = expected.Zip(actual, (e, a) => Math.Abs(e - (double)a)).Max();
        TestContext.Current.SendDiagnosticMessage($"log-mel max abs error {maxError:E2}");
        Assert.True(maxError < 1e-4, $"max abs error {maxError:E3}");
    }

    [Fact]
    public void Patch_embeddings_of_the_reference_log_mel_match_the_reference_embeddings()
    {
        using var model = Load();
        float[] logMel = ReadFloats(SharedFolder.Require($"{Reference}.logmel96.f32"));
        float[] expected = ReadFloats(SharedFolder.Require($"{Reference}.patch-embeddings.f32"));

        float[] actual = model.EmbedPatches(logMel[..(4 * MusicnnModel.PatchFrames * 96)]);

        for (int p = 0; p < 4; p++)
        {
            double cos = Cosine(expected.AsSpan(p * 200, 200), actual.AsSpan(p * 200, 200));
            Assert.True(cos > 0.9999, $"patch {p}: cosine {cos:F6}");
        }
    }

    [Fact]
    public void End_to_end_from_pcm_the_mean_embedding_and_tags_match_and_jazz_comes_first()
    {
        using var model = Load();
        float[] pcm = ReadFloats(SharedFolder.Require($"{Reference}.16k.f32"));
        float[] expectedMean = ReadFloats(SharedFolder.Require($"{Reference}.mean-embedding.f32"));
        var expectedTags = File.ReadAllLines(SharedFolder.Require($"{Reference}.tags.tsv"))
            .Select(l => l.Split('\t')).ToDictionary(c => c[0], c => float.Parse(c[1], CultureInfo.InvariantCulture));

        var analysis = model.Analyze(MusicnnModel.FrontEnd.Compute(pcm));

        Assert.Equal(4, analysis.Patches);
        Assert.False(analysis.Padded);
        Assert.True(Cosine(expectedMean, analysis.Embedding) > 0.9999);
        for (int t = 0; t < MusicnnModel.TagNames.Count; t++)
        {
            Assert.Equal(expectedTags[MusicnnModel.TagNames[t]], analysis.Tags[t], 0.002f);
        }

        int top = Array.IndexOf(analysis.Tags, analysis.Tags.Max());
        Assert.Equal("jazz", MusicnnModel.TagNames[top]);
    }

    [Fact]
    public async Task Decoding_the_mp3_with_ffmpeg_gives_the_same_embedding()
    {
        using var model = Load();
        string mp3 = SharedFolder.Require("audio/vibe-ace-jazz.mp3");
        float[] expectedMean = ReadFloats(SharedFolder.Require($"{Reference}.mean-embedding.f32"));
        using var runner = new ExternalProcessRunner(1, TimeSpan.FromSeconds(60));
        var ffmpeg = new Ffmpeg(runner, Options.Create(new MediaOptions()));

        float[] pcm = await ffmpeg.DecodeMonoAsync(mp3, 16_000, TestContext.Current.CancellationToken, startSeconds: 5, maxSeconds: 12);
        var analysis = model.Analyze(MusicnnModel.FrontEnd.Compute(pcm));

        Assert.True(Cosine(expectedMean, analysis.Embedding) > 0.999);
    }

    [Fact]
    public void A_clip_shorter_than_one_patch_is_padded_and_says_so()
    {
        using var model = Load();
        float[] pcm = ReadFloats(SharedFolder.Require($"{Reference}.16k.f32"))[..16_000]; // 1 s

        var analysis = model.Analyze(MusicnnModel.FrontEnd.Compute(pcm));

        Assert.True(analysis.Padded);
        Assert.Equal(1, analysis.Patches);
        Assert.Equal(200, analysis.Embedding.Length);
        Assert.All(analysis.Embedding, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void At_most_n_evenly_spaced_patches_are_embedded_for_long_audio()
    {
        using var model = Load();
        float[] pcm = ReadFloats(SharedFolder.Require($"{Reference}.16k.f32"));

        var analysis = model.Analyze(MusicnnModel.FrontEnd.Compute(pcm), maxPatches: 2);

        Assert.Equal(2, analysis.Patches);
    }

    [Fact]
    public void The_slaney_mel_scale_is_linear_below_1_khz_and_logarithmic_above()
    {
        Assert.Equal(15.0, LogMelSpectrogram.HzToMelSlaney(1000), 9);
        Assert.Equal(3.0, LogMelSpectrogram.HzToMelSlaney(200), 9);
        Assert.Equal(15 + 27.0, LogMelSpectrogram.HzToMelSlaney(6400), 9);
        Assert.Equal(4321.0, LogMelSpectrogram.MelToHzSlaney(LogMelSpectrogram.HzToMelSlaney(4321)), 6);
    }

    private static MusicnnModel Load()
    {
        var onnx = new OnnxRuntimeHost(Options.Create(new BlazorRecsOptions { Device = ComputeDevice.Cpu }), NullLogger<OnnxRuntimeHost>.Instance);
        return new MusicnnModel(onnx, SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx"), SharedFolder.Require("models/musicnn/msd-msd-musicnn-1.onnx"));
    }

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
