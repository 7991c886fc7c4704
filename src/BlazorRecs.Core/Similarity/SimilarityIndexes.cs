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

/// <summary>How one backend's index stands: its vectors, its factory, and how it was kept up to date.</summary>
/// <param name="Backend">The backend id.</param>
/// <param name="Vectors">Vectors in the index.</param>
/// <param name="Factory">The FAISS factory string it was built with.</param>
/// <param name="FullBuilds">Times this process built it from every stored vector.</param>
/// <param name="IncrementalUpdates">Times it was brought up to date by adding and removing only what changed.</param>
public sealed record IndexState(string Backend, long Vectors, string Factory, int FullBuilds, int IncrementalUpdates);

/// <summary>
/// One FAISS index per embedding backend, over the stored track vectors: standardised per dimension over the
/// catalog (so no dimension dominates by its scale alone; MFCC covariances dwarf the means), L2-normalised, and
/// searched by inner product, which is then the cosine. Each index is kept on disk (written to a temporary file and
/// renamed, with a sidecar of the ids and vector times it holds).
/// </summary>
/// <remarks>
/// Every query checks the stored vectors' state (version, count, id sum, newest vector). When it moved, the index
/// is updated incrementally: vectors of new or recomputed tracks are added, those of removed or recomputed tracks are
/// removed (<c>remove_ids</c>), all standardised with the statistics of the last full build. A full rebuild happens
/// when there is no usable index, the version or factory changed, the index type cannot remove (HNSW), or the
/// changes since the last full build pass a tenth of the vectors it was standardised over, so the standardisation
/// keeps following the data.
/// </remarks>
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

    /// <summary>The backend's index as this process last brought it up to date; null before its first use.</summary>
    public IndexState? Describe(string backend) =>
        _indexes.TryGetValue(backend, out var loaded)
            ? new IndexState(backend, loaded.Index.Count, loaded.Stamp.Factory, loaded.FullBuilds, loaded.IncrementalUpdates)
            : null;

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
            if (!_indexes.TryGetValue(backend, out current))
            {
                current = TryLoadFromDisk(backend, state);
            }

            if (current is not null && current.Stamp == state)
            {
                _indexes[backend] = current;
                return current;
            }

            // The replaced index is not disposed here: a query may still be searching it. Its native memory is
            // released by its SafeHandle once nothing refers to it.
            var loaded = (current is null ? null : await TryUpdateAsync(backend, current, state, ct))
                         ?? await BuildAsync(backend, state, current?.FullBuilds ?? 0, ct);
            _indexes[backend] = loaded;
            return loaded;
        }
        finally
        {
            gate.Release();
        }
    }

    // What the index must reflect: the backend's current version, how many vectors, which tracks (their id sum, so a
    // removal and an addition together still move it) and the newest vector.
    private async Task<Stamp> StateAsync(string backend, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        string? version = await db.EmbeddingBackends.Where(b => b.Id == backend).Select(b => b.Version).FirstOrDefaultAsync(ct)
                          ?? throw new KeyNotFoundException($"No vectors for backend '{backend}' yet: run the embed job.");
        var summary = (await Rows(db, backend, version).GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), IdSum = g.Sum(e => (long)e.TrackId), Newest = g.Max(e => e.ComputedAt) })
            .ToListAsync(ct)).SingleOrDefault();
        return summary is null
            ? new Stamp(version, 0, 0, 0, indexOptions.Value.Factory)
            : new Stamp(version, summary.Count, summary.IdSum, summary.Newest.UtcTicks, indexOptions.Value.Factory);
    }

    private static IQueryable<TrackEmbedding> Rows(BlazorRecsDbContext db, string backend, string version) =>
        db.TrackEmbeddings.AsNoTracking().Where(e => e.BackendId == backend && e.Version == version);

    // Adds and removes only what changed since the index last matched the database; null when a full build is due.
    private async Task<Loaded?> TryUpdateAsync(string backend, Loaded current, Stamp state, CancellationToken ct)
    {
        if (current.Stamp.Version != state.Version || current.Stamp.Factory != state.Factory)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var stored = await Rows(db, backend, state.Version).Select(e => new { e.TrackId, e.ComputedAt }).ToListAsync(ct);
        var ticks = stored.ToDictionary(r => (long)r.TrackId, r => r.ComputedAt.UtcTicks);
        var added = ticks.Where(t => !current.Ticks.TryGetValue(t.Key, out long had) || had != t.Value).Select(t => t.Key).ToList();
        // Removed tracks, and recomputed ones (their old vector goes before the new one is added).
        var removed = current.Ticks.Keys.Where(id => !ticks.TryGetValue(id, out long now) || now != current.Ticks[id]).ToArray();
        int changes = current.ChangesSinceBuild + added.Count + removed.Count(id => !ticks.ContainsKey(id));
        if (changes > Math.Max(16, current.StandardisedOver / 10))
        {
            return null;
        }

        var wanted = added.Select(id => (int)id).ToList();
        var fresh = await Rows(db, backend, state.Version).Where(e => wanted.Contains(e.TrackId))
            .Select(e => new { e.TrackId, e.Vector }).ToListAsync(ct);
        int dim = current.Mean.Length;
        var prepared = new float[fresh.Count * dim];
        var ids = new long[fresh.Count];
        for (int i = 0; i < fresh.Count; i++)
        {
            current.Prepare(EmbeddingStore.ToFloats(fresh[i].Vector)).CopyTo(prepared.AsSpan(i * dim, dim));
            ids[i] = fresh[i].TrackId;
        }

        try
        {
            current.Index.Remove(removed);
            if (ids.Length > 0)
            {
                current.Index.Add(prepared, ids);
            }
        }
        catch (FaissException ex)
        {
            logger.LogInformation("The {Backend} index ({Factory}) cannot be updated in place ({Reason}); rebuilding it", backend, state.Factory, ex.Message);
            return null;
        }

        var updated = current with { Stamp = state, Ticks = ticks, ChangesSinceBuild = changes, IncrementalUpdates = current.IncrementalUpdates + 1 };
        Save(backend, updated);
        logger.LogInformation("Updated the {Backend} index in place: {Added} vectors added or replaced, {Removed} removed, {Count} in all",
            backend, fresh.Count, removed.Length, updated.Index.Count);
        return updated;
    }

    private async Task<Loaded> BuildAsync(string backend, Stamp stamp, int builds, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await Rows(db, backend, stamp.Version).OrderBy(e => e.TrackId)
            .Select(e => new { e.TrackId, e.Vector, e.ComputedAt }).ToListAsync(ct);
        int dim = rows.Count == 0 ? 1 : rows[0].Vector.Length / sizeof(float);
        var vectors = new float[rows.Count * dim];
        var ids = new long[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            EmbeddingStore.ToFloats(rows[i].Vector).CopyTo(vectors.AsSpan(i * dim, dim));
            ids[i] = rows[i].TrackId;
        }

        var (mean, scale) = Standardisation(vectors, dim, rows.Count);
        var ticks = rows.ToDictionary(r => (long)r.TrackId, r => r.ComputedAt.UtcTicks);
        var loaded = new Loaded(stamp, CreateIndex(dim), mean, scale, ticks, rows.Count, ChangesSinceBuild: 0, FullBuilds: builds + 1, IncrementalUpdates: 0);
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
        var sidecar = new Sidecar(loaded.Stamp, loaded.Mean, loaded.Scale, [.. loaded.Ticks.Keys], [.. loaded.Ticks.Values],
            loaded.StandardisedOver, loaded.ChangesSinceBuild);
        File.WriteAllText(tempMeta, JsonSerializer.Serialize(sidecar));
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
            // Another version or factory, or a sidecar without the ids it holds: rebuilt from the database. An index
            // that is merely behind is loaded and then updated in place.
            if (sidecar?.Ids is null || sidecar.Ticks is null || sidecar.Ids.Length != sidecar.Ticks.Length
                || sidecar.Stamp.Version != state.Version || sidecar.Stamp.Factory != state.Factory)
            {
                return null;
            }

            var index = FaissIndex.Read(path + ".faiss");
            if (index.Count != sidecar.Ids.Length)
            {
                index.Dispose();
                return null;
            }

            var ticks = new Dictionary<long, long>(sidecar.Ids.Length);
            for (int i = 0; i < sidecar.Ids.Length; i++)
            {
                ticks[sidecar.Ids[i]] = sidecar.Ticks[i];
            }

            return new Loaded(sidecar.Stamp, index, sidecar.Mean, sidecar.Scale, ticks, sidecar.StandardisedOver, sidecar.ChangesSinceBuild, 0, 0);
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

    private sealed record Stamp(string Version, int Count, long IdSum, long NewestTicks, string Factory);

    private sealed record Sidecar(Stamp Stamp, float[] Mean, float[] Scale, long[]? Ids, long[]? Ticks, int StandardisedOver, int ChangesSinceBuild);

    // Ticks: each indexed track's vector time. StandardisedOver: vectors the mean and scale were computed over.
    // ChangesSinceBuild: vectors added or removed in place since then.
    private sealed record Loaded(
        Stamp Stamp, FaissIndex Index, float[] Mean, float[] Scale, IReadOnlyDictionary<long, long> Ticks,
        int StandardisedOver, int ChangesSinceBuild, int FullBuilds, int IncrementalUpdates)
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
