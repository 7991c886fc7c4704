using BlazorRecs.Core.Embeddings.Mfcc;

namespace BlazorRecs.Core.Embeddings.Backends;

/// <summary>The paper's MFCC baseline: 104-d, computed in-house, always available.</summary>
public sealed class MfccBackend : IEmbeddingBackend
{
    /// <summary>The backend id.</summary>
    public const string BackendId = "mfcc";

    /// <inheritdoc />
    public string Id => BackendId;

    /// <inheritdoc />
    public BackendInfo Describe() => new(BackendId, "mfcc", MfccFeatures.Dimension, MfccFeatures.FeatureVersion, BackendStatus.Available,
        "13 MFCCs (librosa defaults at 22.05 kHz): mean and covariance upper triangle", MfccFeatures.Settings.SampleRate, HasTags: false);

    /// <inheritdoc />
    public Task<AudioEmbedding> EmbedAsync(float[] audio, CancellationToken cancellationToken) =>
        // CPU-bound and synchronous; callers parallelise across tracks.
        Task.FromResult(new AudioEmbedding(MfccFeatures.TrackVector(audio), null));
}
