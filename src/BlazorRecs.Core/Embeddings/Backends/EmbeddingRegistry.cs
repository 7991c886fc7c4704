namespace BlazorRecs.Core.Embeddings.Backends;

/// <summary>Every embedding backend the app knows, available or not.</summary>
public sealed class EmbeddingRegistry(IEnumerable<IEmbeddingBackend> backends, PretrainedModelFiles files, Onnx.OnnxRuntimeHost onnx,
    Microsoft.Extensions.Options.IOptions<EmbeddingOptions> options) : IDisposable
{
    // Built-in backends, then one per ONNX manifest found in ModelsDirectory at start.
    private readonly IReadOnlyList<IEmbeddingBackend> _backends = backends.Concat(
        Directory.Exists(files.Directory)
            ? Directory.EnumerateFiles(files.Directory, "*.backend.json").Order(StringComparer.Ordinal)
                .Select(path => (IEmbeddingBackend)new OnnxManifestBackend(path, onnx, options.Value.MusicnnMaxPatches))
            : []).ToList();

    /// <summary>All backends, in registration order.</summary>
    public IReadOnlyList<IEmbeddingBackend> All => _backends;

    /// <summary>Descriptions of all backends, as /api/backends lists them.</summary>
    public IReadOnlyList<BackendInfo> Describe() => _backends.Select(b => b.Describe()).ToList();

    /// <summary>Disposes the manifest backends this registry created (built-in ones belong to the container).</summary>
    public void Dispose()
    {
        foreach (var backend in _backends.OfType<OnnxManifestBackend>())
        {
            backend.Dispose();
        }
    }

    /// <summary>The backend with <paramref name="id"/>, or null.</summary>
    public IEmbeddingBackend? Find(string id) => _backends.FirstOrDefault(b => string.Equals(b.Id, id, StringComparison.Ordinal));
}
