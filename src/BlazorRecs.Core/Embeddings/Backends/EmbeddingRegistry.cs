namespace BlazorRecs.Core.Embeddings.Backends;

/// <summary>Every embedding backend the app knows, available or not.</summary>
public sealed class EmbeddingRegistry(IEnumerable<IEmbeddingBackend> backends)
{
    private readonly IReadOnlyList<IEmbeddingBackend> _backends = backends.ToList();

    /// <summary>All backends, in registration order.</summary>
    public IReadOnlyList<IEmbeddingBackend> All => _backends;

    /// <summary>Descriptions of all backends, as /api/backends lists them.</summary>
    public IReadOnlyList<BackendInfo> Describe() => _backends.Select(b => b.Describe()).ToList();

    /// <summary>The backend with <paramref name="id"/>, or null.</summary>
    public IEmbeddingBackend? Find(string id) => _backends.FirstOrDefault(b => string.Equals(b.Id, id, StringComparison.Ordinal));
}
