using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Embeddings.Musicnn;
using BlazorRecs.Core.Similarity;

namespace BlazorRecs.Web.Features.Similarity;

/// <summary>Neighbour lists and tags as the API and the pages show them.</summary>
public sealed class SimilarityQueries(CatalogQueries catalog, SimilarityIndexes indexes, EmbeddingStore store)
{
    /// <summary>The <paramref name="k"/> nearest tracks to track <paramref name="id"/> under <paramref name="backend"/>;
    /// null when the track has no vector for it yet.</summary>
    /// <exception cref="KeyNotFoundException">The backend has no vectors at all yet.</exception>
    public async Task<SimilarTracks?> ForTrackAsync(int id, string backend, int k, CancellationToken ct)
    {
        var neighbours = await indexes.SimilarToTrackAsync(backend, id, k, ct);
        if (neighbours is null)
        {
            return null;
        }

        var items = await ResolveAsync(neighbours, ct);
        return new SimilarTracks(backend, items.Count, items);
    }

    /// <summary>Neighbours as catalog tracks, in their order (tracks deleted since indexing are left out).</summary>
    public async Task<IReadOnlyList<SimilarTrack>> ResolveAsync(IReadOnlyList<Neighbour> neighbours, CancellationToken ct)
    {
        var summaries = (await catalog.SummariesAsync(neighbours.Select(n => n.TrackId).ToList(), ct)).ToDictionary(t => t.Id);
        return neighbours.Where(n => summaries.ContainsKey(n.TrackId)).Select(n =>
        {
            var t = summaries[n.TrackId];
            return new SimilarTrack(t.Id, t.Title, t.ArtistId, t.Artist, t.AlbumId, t.Album, t.Genre, t.DurationMs, t.ReleasedAt, t.Plays, n.Score);
        }).ToList();
    }

    /// <summary>The track's most probable MusiCNN tags; empty when it has not been embedded by MusiCNN.</summary>
    public async Task<IReadOnlyList<TagScore>> TopTagsAsync(int id, int top, CancellationToken ct)
    {
        float[]? tags = await store.TagsAsync(id, MusicnnBackend.BackendId, ct);
        return tags is null
            ? []
            : tags.Select((p, i) => new TagScore(MusicnnModel.TagNames[i], p)).OrderByDescending(t => t.Probability).Take(top).ToList();
    }
}
