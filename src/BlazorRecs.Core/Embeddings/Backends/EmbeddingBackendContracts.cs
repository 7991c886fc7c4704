namespace BlazorRecs.Core.Embeddings.Backends;

/// <summary>What a backend is and whether it can embed now.</summary>
/// <param name="Id">Stable id, for example <c>mfcc</c> or <c>musicnn-msd</c>.</param>
/// <param name="Kind">The family (mfcc, musicnn, contrastive-cnn, onnx).</param>
/// <param name="Dimension">Length of its track vectors.</param>
/// <param name="Version">The model file's hash or the code's feature version; vectors of another version are stale.</param>
/// <param name="Status">Available, or why not.</param>
/// <param name="Detail">What it is, or what to do to make it available.</param>
/// <param name="SampleRate">The mono sample rate it listens at.</param>
/// <param name="HasTags">Whether it predicts tags.</param>
public sealed record BackendInfo(string Id, string Kind, int Dimension, string Version, BackendStatus Status, string Detail, int SampleRate, bool HasTags);

/// <summary>A track-level embedding, with tag probabilities where the backend has a tag head.</summary>
/// <param name="Vector">The pooled vector.</param>
/// <param name="Tags">Tag probabilities, or null.</param>
/// <param name="Note">Anything the listener should know (for example that a short clip was padded).</param>
public sealed record AudioEmbedding(float[] Vector, float[]? Tags, string? Note = null);

/// <summary>An audio embedding backend: mono PCM at <see cref="BackendInfo.SampleRate"/> in, a track vector out.</summary>
public interface IEmbeddingBackend
{
    /// <summary>The backend's stable id.</summary>
    string Id { get; }

    /// <summary>Describes the backend now (model files may appear or disappear while the app runs).</summary>
    BackendInfo Describe();

    /// <summary>Embeds mono audio at the backend's sample rate.</summary>
    /// <exception cref="InvalidOperationException">The backend is not available; the message says why.</exception>
    Task<AudioEmbedding> EmbedAsync(float[] audio, CancellationToken cancellationToken);
}
