using System.Collections.Concurrent;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Core.Similarity;

/// <summary>A listener and how well a query matches their profile (cosine).</summary>
public sealed record ListenerMatch(int ListenerId, string Name, float Score);

/// <summary>
/// Listener profiles as in the paper's KNN: the mean of the (standardised, normalised) vectors of the tracks a
/// listener played, normalised again. Profiles are rebuilt when plays or vectors change.
/// </summary>
public sealed class ListenerProfiles(IDbContextFactory<BlazorRecsDbContext> contexts, SimilarityIndexes indexes)
{
    private readonly ConcurrentDictionary<string, (string Stamp, int[] Ids, string[] Names, float[] Profiles, int Dim)> _cache = new(StringComparer.Ordinal);

    /// <summary>The listeners whose profile is nearest to <paramref name="vector"/> under <paramref name="backend"/>.</summary>
    public async Task<IReadOnlyList<ListenerMatch>> NearestAsync(string backend, float[] vector, int k, CancellationToken cancellationToken)
    {
        var (_, ids, names, profiles, dim) = await ProfilesAsync(backend, cancellationToken);
        float[] query = (await indexes.PreparerAsync(backend, cancellationToken))(vector);
        var scores = new (float Score, int Index)[ids.Length];
        for (int l = 0; l < ids.Length; l++)
        {
            float dot = 0;
            for (int d = 0; d < dim; d++)
            {
                dot += profiles[l * dim + d] * query[d];
            }

            scores[l] = (dot, l);
        }

        return scores.OrderByDescending(s => s.Score).Take(k).Select(s => new ListenerMatch(ids[s.Index], names[s.Index], s.Score)).ToList();
    }

    private async Task<(string Stamp, int[] Ids, string[] Names, float[] Profiles, int Dim)> ProfilesAsync(string backend, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        string version = await db.EmbeddingBackends.Where(b => b.Id == backend).Select(b => b.Version).FirstOrDefaultAsync(ct)
                         ?? throw new KeyNotFoundException($"No vectors for backend '{backend}' yet: run the embed job.");
        long plays = await db.Plays.LongCountAsync(ct);
        int vectors = await db.TrackEmbeddings.CountAsync(e => e.BackendId == backend && e.Version == version, ct);
        string stamp = $"{version}:{plays}:{vectors}";
        if (_cache.TryGetValue(backend, out var cached) && cached.Stamp == stamp)
        {
            return cached;
        }

        // One preparation step for all vectors: asking the index per vector re-checked the database each time.
        var prepare = await indexes.PreparerAsync(backend, ct);
        var trackVectors = new Dictionary<int, float[]>();
        foreach (var row in await db.TrackEmbeddings.AsNoTracking().Where(e => e.BackendId == backend && e.Version == version)
                     .Select(e => new { e.TrackId, e.Vector }).ToListAsync(ct))
        {
            trackVectors[row.TrackId] = prepare(EmbeddingStore.ToFloats(row.Vector));
        }

        int dim = trackVectors.Values.FirstOrDefault()?.Length ?? 0;
        var pairs = await db.Plays.AsNoTracking().Where(p => !p.IsSkip).Select(p => new { p.ListenerId, p.TrackId }).Distinct().ToListAsync(ct);
        var listeners = await db.Listeners.AsNoTracking().Select(l => new { l.Id, l.Name }).ToDictionaryAsync(l => l.Id, l => l.Name, ct);
        var sums = new Dictionary<int, float[]>();
        foreach (var pair in pairs)
        {
            if (!trackVectors.TryGetValue(pair.TrackId, out var v))
            {
                continue;
            }

            if (!sums.TryGetValue(pair.ListenerId, out var sum))
            {
                sums[pair.ListenerId] = sum = new float[dim];
            }

            for (int d = 0; d < dim; d++)
            {
                sum[d] += v[d];
            }
        }

        var ids = sums.Keys.Order().ToArray();
        var profiles = new float[ids.Length * dim];
        for (int l = 0; l < ids.Length; l++)
        {
            var sum = sums[ids[l]];
            double norm = Math.Sqrt(sum.Sum(x => (double)x * x));
            for (int d = 0; d < dim; d++)
            {
                profiles[l * dim + d] = norm > 0 ? (float)(sum[d] / norm) : 0;
            }
        }

        var built = (stamp, ids, ids.Select(id => listeners.GetValueOrDefault(id, $"Listener {id}")).ToArray(), profiles, dim);
        _cache[backend] = built;
        return built;
    }
}
