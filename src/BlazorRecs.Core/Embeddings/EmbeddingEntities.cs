using System.Text.Json.Serialization;
using BlazorRecs.Core.Catalog;

namespace BlazorRecs.Core.Embeddings;

/// <summary>Whether a backend can compute embeddings now.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BackendStatus>))]
public enum BackendStatus
{
    /// <summary>Model files found and loadable.</summary>
    Available,

    /// <summary>Known but not usable here (for example, its model file is missing); see the detail.</summary>
    Unavailable,

    /// <summary>Needs training before it can embed (the in-house CNN).</summary>
    Untrained,
}

/// <summary>An audio embedding backend (MFCC, MusiCNN, the in-house CNN, an ONNX export).</summary>
public sealed class EmbeddingBackend
{
    /// <summary>Stable id, for example <c>mfcc</c>, <c>musicnn-msd</c>, <c>onnx:mert</c>.</summary>
    public required string Id { get; set; }
    public required string Kind { get; set; }
    public int Dimension { get; set; }
    /// <summary>The model file's hash or the code's feature version; embeddings of another version are stale.</summary>
    public required string Version { get; set; }
    public BackendStatus Status { get; set; }
    /// <summary>Why a backend is unavailable, or what it is.</summary>
    public string? Detail { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A track's pooled vector from one backend.</summary>
public sealed class TrackEmbedding
{
    public int TrackId { get; set; }
    public Track? Track { get; set; }
    public required string BackendId { get; set; }
    public EmbeddingBackend? Backend { get; set; }
    public required string Version { get; set; }
    /// <summary>Little-endian float32 vector of the backend's dimension.</summary>
    public required byte[] Vector { get; set; }
    /// <summary>Tag probabilities from the backend's tag head, where it has one (little-endian float32).</summary>
    public byte[]? Tags { get; set; }
    public DateTimeOffset ComputedAt { get; set; }
}
