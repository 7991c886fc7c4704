using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Evaluation.Splits;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Core.Recommenders;

/// <summary>
/// What recommenders may read from the database: the catalog's track ids, the listening log (plays that count; skips
/// are not listens) and the backends' track vectors. Never the simulated listeners' hidden taste.
/// </summary>
public sealed class CatalogData(IDbContextFactory<BlazorRecsDbContext> contexts)
{
    /// <summary>Every track id, ascending, and every counted play.</summary>
    public async Task<(IReadOnlyList<int> TrackIds, IReadOnlyList<Listen> Listens)> LogAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tracks = await db.Tracks.AsNoTracking().OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(cancellationToken);
        var listens = await db.Plays.AsNoTracking().Where(p => !p.IsSkip)
            .Select(p => new Listen(p.ListenerId, p.TrackId, p.StartedAt)).ToListAsync(cancellationToken);
        return (tracks, listens);
    }

    /// <summary>The comment on <see cref="HistoryAsync"/>'s SQL, which names it in logs and to interceptors.</summary>
    public const string HistoryQueryTag = "listener history";

    /// <summary>A listener's distinct tracks in order of first listen, including plays made a moment ago.</summary>
    public async Task<int[]> HistoryAsync(int listenerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var plays = await db.Plays.AsNoTracking().TagWith(HistoryQueryTag).Where(p => p.ListenerId == listenerId && !p.IsSkip)
            .OrderBy(p => p.StartedAt).ThenBy(p => p.Id).Select(p => p.TrackId).ToListAsync(cancellationToken);
        return plays.Distinct().ToArray();
    }

    /// <summary>The current vectors of <paramref name="backend"/> for <paramref name="trackIds"/>, in that order.</summary>
    /// <exception cref="InvalidOperationException">Some tracks have no current vector (the embed job has not run).</exception>
    public async Task<ItemFeatures> FeaturesAsync(string backend, IReadOnlyList<int> trackIds, CancellationToken cancellationToken)
    {
        var (vectors, dimension) = await VectorsAsync(backend, cancellationToken);
        var missing = trackIds.Where(id => !vectors.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{missing.Count} of {trackIds.Count} tracks have no current '{backend}' vector (for example track {missing[0]}): run the embed job first.");
        }

        var values = new float[trackIds.Count * dimension];
        for (int i = 0; i < trackIds.Count; i++)
        {
            vectors[trackIds[i]].CopyTo(values, i * dimension);
        }

        return new ItemFeatures(values, dimension);
    }

    /// <summary>The backends that have current vectors for at least one track, by id.</summary>
    public async Task<IReadOnlyList<string>> BackendsWithVectorsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.EmbeddingBackends.AsNoTracking()
            .Where(b => db.TrackEmbeddings.Any(e => e.BackendId == b.Id && e.Version == b.Version))
            .OrderBy(b => b.Id).Select(b => b.Id).ToListAsync(cancellationToken);
    }

    /// <summary>The current version of <paramref name="backend"/>'s vectors (a model hash or feature version), or null
    /// when it has none yet.</summary>
    public async Task<string?> VersionAsync(string backend, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.EmbeddingBackends.AsNoTracking().Where(b => b.Id == backend).Select(b => b.Version).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Every current vector of <paramref name="backend"/>, by track id. Cached until the backend's version,
    /// vector count or newest vector changes, so a live request costs two small queries, not a full read.</summary>
    /// <exception cref="KeyNotFoundException">The backend has no vectors yet.</exception>
    public async Task<(IReadOnlyDictionary<int, float[]> Vectors, int Dimension)> VectorsAsync(string backend, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var info = await db.EmbeddingBackends.AsNoTracking().Where(b => b.Id == backend)
                       .Select(b => new { b.Version, b.Dimension }).FirstOrDefaultAsync(cancellationToken)
                   ?? throw new KeyNotFoundException($"No vectors for backend '{backend}' yet: run the embed job.");
        var current = db.TrackEmbeddings.Where(e => e.BackendId == backend && e.Version == info.Version);
        int count = await current.CountAsync(cancellationToken);
        long newest = count == 0 ? 0 : (await current.MaxAsync(e => e.ComputedAt, cancellationToken)).UtcTicks;
        string stamp = $"{info.Version}:{count}:{newest}";
        if (_vectors.TryGetValue(backend, out var cached) && cached.Stamp == stamp)
        {
            return (cached.Vectors, info.Dimension);
        }

        var rows = await current.AsNoTracking().Select(e => new { e.TrackId, e.Vector }).ToListAsync(cancellationToken);
        var vectors = rows.ToDictionary(r => r.TrackId, r => EmbeddingStore.ToFloats(r.Vector));
        _vectors[backend] = (stamp, vectors);
        return (vectors, info.Dimension);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Stamp, IReadOnlyDictionary<int, float[]> Vectors)> _vectors =
        new(StringComparer.Ordinal);
}
