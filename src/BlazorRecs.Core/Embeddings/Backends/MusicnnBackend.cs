using System.Security.Cryptography;
using BlazorRecs.Core.Embeddings.Musicnn;
using BlazorRecs.Core.Onnx;

namespace BlazorRecs.Core.Embeddings.Backends;

/// <summary>The <c>BlazorRecs:Embeddings</c> section.</summary>
public sealed record EmbeddingOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "BlazorRecs:Embeddings";

    /// <summary>MusiCNN patches per track: at most this many, evenly spaced (0 = all). Bounds the cost of long uploads.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 10_000)]
    public int MusicnnMaxPatches { get; init; } = 16;
}

/// <summary>The pretrained MusiCNN (MSD), 200-d, with the 50 MSD tags; available when its files are in ModelsDirectory.</summary>
public sealed class MusicnnBackend(PretrainedModelFiles files, OnnxRuntimeHost onnx, Microsoft.Extensions.Options.IOptions<EmbeddingOptions> options) : IEmbeddingBackend, IDisposable
{
    /// <summary>The backend id.</summary>
    public const string BackendId = "musicnn-msd";

    private readonly Lock _gate = new();
    private MusicnnModel? _model;
    private string? _version;

    /// <inheritdoc />
    public string Id => BackendId;

    /// <inheritdoc />
    public BackendInfo Describe()
    {
        var missing = files.Missing(PretrainedModelFiles.MusicnnMsd);
        return missing.Count > 0
            ? new BackendInfo(BackendId, "musicnn", MusicnnModel.EmbeddingSize, "unavailable", BackendStatus.Unavailable,
                files.HowToGet(PretrainedModelFiles.MusicnnMsd), 16_000, HasTags: true)
            : new BackendInfo(BackendId, "musicnn", MusicnnModel.EmbeddingSize, Version(), BackendStatus.Available,
                "MusiCNN trained on the Million Song Dataset (Pons and Serra 2019): mean of 187-frame patch embeddings, and the 50 MSD tags",
                16_000, HasTags: true);
    }

    /// <inheritdoc />
    public Task<AudioEmbedding> EmbedAsync(float[] audio, CancellationToken cancellationToken)
    {
        var model = Model();
        int max = options.Value.MusicnnMaxPatches;
        var analysis = model.AnalyzeAudio(audio, max > 0 ? max : null);
        string? note = analysis.Padded ? "shorter than one 3-second MusiCNN patch: padded with silence" : null;
        return Task.FromResult(new AudioEmbedding(analysis.Embedding, analysis.Tags, note));
    }

    /// <inheritdoc />
    public void Dispose() => _model?.Dispose();

    // One model (two ONNX sessions) for the process, loaded on first use.
    private MusicnnModel Model()
    {
        lock (_gate)
        {
            if (_model is null)
            {
                if (files.Missing(PretrainedModelFiles.MusicnnMsd).Count > 0)
                {
                    throw new InvalidOperationException(files.HowToGet(PretrainedModelFiles.MusicnnMsd));
                }

                _model = new MusicnnModel(onnx, files.PathOf(PretrainedModelFiles.MusicnnMsd.RelativeFiles[0]), files.PathOf(PretrainedModelFiles.MusicnnMsd.RelativeFiles[1]));
            }

            return _model;
        }
    }

    // The model file's hash: vectors computed with another file are stale.
    private string Version()
    {
        lock (_gate)
        {
            if (_version is null)
            {
                using var stream = File.OpenRead(files.PathOf(PretrainedModelFiles.MusicnnMsd.RelativeFiles[0]));
                _version = "msd-musicnn-1@" + Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
            }

            return _version;
        }
    }
}
