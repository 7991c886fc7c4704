using System.Collections.Concurrent;
using System.Text.Json;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Faiss;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Similarity;

/// <summary>A neighbour: a track and its cosine similarity to the query.</summary>
public sealed record Neighbour(int TrackId, float Score);

/// <summary>
/// One FAISS index per embedding backend, over the stored track vectors: standardised per dimension over the
/// catalog (so no dimension dominates by its scale alone; MFCC covariances dwarf the means), L2-normalised, and
/// searched by inner product, which is then the cosine. Each index is kept on disk (written to a temporary file and
/// renamed) and rebuilt from the database whenever its vectors changed (version, count or newest vector); building
/// a flat index over the whole catalog takes milliseconds to a second, and the standardisation must follow the data.
/// </summary>
public sealed class SimilarityIndexes(
    IDbContextFactory<BlazorRecsDbContext> contexts,
    IOptions<BlazorRecsOptions> options,
    IOptions<SimilarityOptions> indexOptions,
    ILogger<SimilarityIndexes> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Loaded> _indexes = new(StringComparer.Ordinal);

    /// <summary>The nearest tracks to a stored track (itself excluded); null when it has no vector for the backend.</summary>
    public async Task<IReadOnlyList<Neighbour>?> SimilarToTrackAsync(string backend, int trackId, int k, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var loaded = await CurrentAsync(backend, cancellationToken); // a backend without any vectors is an error, not an empty answer
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        byte[]? bytes = await db.TrackEmbeddings.Where(e => e.TrackId == trackId && e.BackendId == backend)
            .Select(e => e.Vector).FirstOrDefaultAsync(cancellationToken);
        return bytes is null ? null : Search(loaded, EmbeddingStore.ToFloats(bytes), k, trackId);
    }

    /// <summary>The nearest tracks to a raw backend vector (an upload's, a listener profile's).</summary>
    public async Task<IReadOnlyList<Neighbour>> SimilarToVectorAsync(string backend, float[] vector, int k, int? exclude, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return Search(await CurrentAsync(backend, cancellationToken), vector, k, exclude);
    }

    /// <summary>The backend's current standardise-and-normalise step, to prepare many raw vectors against one state
    /// of the index (listener profiles) without re-checking the database for each.</summary>
    public async Task<Func<float[], float[]>> PreparerAsync(string backend, CancellationToken cancellationToken)
    {
        var loaded = await CurrentAsync(backend, cancellationToken);
        return vector => loaded.Prepare(vector);
    }

    /// <summary>Brings the backend's index up to date with the stored vectors (the embed job calls this).</summary>
    public Task RefreshAsync(string backend, CancellationToken cancellationToken) => CurrentAsync(backend, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var loaded in _indexes.Values)
        {
            loaded.Index.Dispose();
        }

        foreach (var gate in _locks.Values)
        {
            gate.Dispose();
        }
    }

    private static List<Neighbour> Search(Loaded loaded, float[] vector, int k, int? exclude)
    {
        if (loaded.Index.Count == 0)
        {
            return [];
        }

        float[] query = loaded.Prepare(vector); // throws FaissDimensionException for a vector of another size
        int ask = (int)Math.Min(loaded.Index.Count, k + (exclude is null ? 0 : 1));
        var found = loaded.Index.Search(query, ask);
        var neighbours = new List<Neighbour>(k);
        for (int i = 0; i < ask && neighbours.Count < k; i++)
        {
            long id = found.Ids[i];
            if (id >= 0 && id != exclude)
            {
                neighbours.Add(new Neighbour((int)id, found.Distances[i]));
            }
        }

        return neighbours;
    }

    private async Task<Loaded> CurrentAsync(string backend, CancellationToken ct)
    {
        var state = await StateAsync(backend, ct);
        if (_indexes.TryGetValue(backend, out var current) && current.Stamp == state)
        {
            return current;
        }

        var gate = _locks.GetOrAdd(backend, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (_indexes.TryGetValue(backend, out current) && current.Stamp == state)
            {
                return current;
            }

            var loaded = TryLoadFromDisk(backend, state) ?? await BuildAsync(backend, state, ct);
            // The replaced index is not disposed here: a query may still be searching it. Its native memory is
            // released by its SafeHandle once nothing refers to it.
            _indexes[backend] = loaded;
            return loaded;
        }
        finally
        {
            gate.Release();
        }
    }

    // What the index must reflect: the backend's current version, how many vectors, and the newest one.
    private async Task<Stamp> StateAsync(string backend, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        string? version = await db.EmbeddingBackends.Where(b => b.Id == backend).Select(b => b.Version).FirstOrDefaultAsync(ct)
                          ?? throw new KeyNotFoundException($"No vectors for backend '{backend}' yet: run the embed job.");
        var rows = db.TrackEmbeddings.Where(e => e.BackendId == backend && e.Version == version);
        int count = await rows.CountAsync(ct);
        long newest = count == 0 ? 0 : (await rows.MaxAsync(e => e.ComputedAt, ct)).UtcTicks;
        return new Stamp(version, count, newest, indexOptions.Value.Factory);
    }

    private async Task<Loaded> BuildAsync(string backend, Stamp stamp, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.TrackEmbeddings.AsNoTracking().Where(e => e.BackendId == backend && e.Version == stamp.Version)
            .OrderBy(e => e.TrackId).Select(e => new { e.TrackId, e.Vector }).ToListAsync(ct);
        int dim = rows.Count == 0 ? 1 : rows[0].Vector.Length / sizeof(float);
        var vectors = new float[rows.Count * dim];
        var ids = new long[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            EmbeddingStore.ToFloats(rows[i].Vector).CopyTo(vectors.AsSpan(i * dim, dim));
            ids[i] = rows[i].TrackId;
        }

        var (mean, scale) = Standardisation(vectors, dim, rows.Count);
        var loaded = new Loaded(stamp, CreateIndex(dim), mean, scale);
        if (rows.Count > 0)
        {
            float[] prepared = new float[vectors.Length];
            for (int i = 0; i < rows.Count; i++)
            {
                loaded.Prepare(vectors.AsSpan(i * dim, dim)).CopyTo(prepared.AsSpan(i * dim, dim));
            }

            if (!loaded.Index.IsTrained)
            {
                loaded.Index.Train(prepared);
            }

            loaded.Index.Add(prepared, ids);
        }

        Save(backend, loaded);
        logger.LogInformation("Built the {Backend} index: {Count} vectors of {Dim} dimensions ({Factory})", backend, rows.Count, dim, stamp.Factory);
        return loaded;
    }

    private FaissIndex CreateIndex(int dim)
    {
        var o = indexOptions.Value;
        var index = FaissIndex.Create(dim, o.Factory, FaissMetric.InnerProduct);
        if (o.Factory.Contains("IVF", StringComparison.OrdinalIgnoreCase))
        {
            index.SetNProbe(o.NProbe);
        }
        else if (o.Factory.Contains("HNSW", StringComparison.OrdinalIgnoreCase))
        {
            index.SetEfSearch(o.EfSearch);
        }

        return index;
    }

    private string IndexPath(string backend) =>
        Path.Combine(options.Value.DataPath, "indexes", string.Concat(backend.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_')));

    // Written to temporary names and renamed, so a crash mid-write never leaves a half index behind.
    private void Save(string backend, Loaded loaded)
    {
        string path = IndexPath(backend);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string tempIndex = path + ".faiss.tmp", tempMeta = path + ".json.tmp";
        loaded.Index.Write(tempIndex);
        File.WriteAllText(tempMeta, JsonSerializer.Serialize(new Sidecar(loaded.Stamp, loaded.Mean, loaded.Scale)));
        File.Move(tempIndex, path + ".faiss", overwrite: true);
        File.Move(tempMeta, path + ".json", overwrite: true);
    }

    private Loaded? TryLoadFromDisk(string backend, Stamp state)
    {
        string path = IndexPath(backend);
        if (!File.Exists(path + ".faiss") || !File.Exists(path + ".json"))
        {
            return null;
        }

        try
        {
            var sidecar = JsonSerializer.Deserialize<Sidecar>(File.ReadAllText(path + ".json"));
            if (sidecar is null || sidecar.Stamp != state)
            {
                return null; // out of date: rebuilt from the database
            }

            return new Loaded(state, FaissIndex.Read(path + ".faiss"), sidecar.Mean, sidecar.Scale);
        }
        catch (Exception ex) when (ex is JsonException or FaissException or IOException)
        {
            logger.LogWarning(ex, "Index file for {Backend} is unreadable; rebuilding it", backend);
            return null;
        }
    }

    private static (float[] Mean, float[] Scale) Standardisation(float[] vectors, int dim, int n)
    {
        var mean = new float[dim];
        var scale = new float[dim];
        if (n == 0)
        {
            Array.Fill(scale, 1f);
            return (mean, scale);
        }

        for (int d = 0; d < dim; d++)
        {
            double sum = 0, sq = 0;
            for (int i = 0; i < n; i++)
            {
                double v = vectors[i * dim + d];
                sum += v;
                sq += v * v;
            }

            double m = sum / n, variance = Math.Max(0, sq / n - m * m);
            mean[d] = (float)m;
            // A constant dimension carries no information; dividing by 1 keeps it at zero after centring.
            scale[d] = variance > 1e-12 ? (float)(1 / Math.Sqrt(variance)) : 1f;
        }

        return (mean, scale);
    }

    private sealed record Stamp(string Version, int Count, long NewestTicks, string Factory);

    private sealed record Sidecar(Stamp Stamp, float[] Mean, float[] Scale);

    private sealed record Loaded(Stamp Stamp, FaissIndex Index, float[] Mean, float[] Scale)
    {
        public float[] Prepare(ReadOnlySpan<float> vector)
        {
            if (vector.Length != Mean.Length)
            {
                throw new FaissDimensionException($"The index holds {Mean.Length}-d vectors; got {vector.Length}.");
            }

            var x = new float[vector.Length];
            double norm = 0;
            for (int d = 0; d < x.Length; d++)
            {
                x[d] = (vector[d] - Mean[d]) * Scale[d];
                norm += x[d] * (double)x[d];
            }

            float inv = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
            for (int d = 0; d < x.Length; d++)
            {
                x[d] *= inv;
            }

            return x;
        }
    }
}
