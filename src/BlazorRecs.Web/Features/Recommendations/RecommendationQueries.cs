using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Popularity;
using BlazorRecs.Web.Features.Similarity;

namespace BlazorRecs.Web.Features.Recommendations;

/// <summary>A history track named as a reason for a recommendation.</summary>
public sealed record BecauseYouPlayed(int Id, string Title, string Artist);

/// <summary>One recommended track with its explanation, as the API and the For you page show it.</summary>
public sealed record RecommendationItem(int Id, string Title, int ArtistId, string Artist, int? AlbumId, string? Album, string? Genre,
    int DurationMs, DateTimeOffset ReleasedAt, int Plays, float Score, IReadOnlyList<TagScore> Tags, IReadOnlyList<BecauseYouPlayed> Because);

/// <summary>The answer of /api/listeners/{id}/recommendations.</summary>
public sealed record RecommendationsResponse(string Model, string Backend, DateTimeOffset TrainedAt, int HistoryLength, int Total,
    IReadOnlyList<RecommendationItem> Items);

/// <summary>Recommendations resolved to catalog tracks with tags and "because you played" reasons.</summary>
public sealed class RecommendationQueries(LiveRecommendations live, CatalogQueries catalog, SimilarityQueries similar)
{
    /// <summary>The backend query value that selects a random-init variant.</summary>
    public const string RandomBackend = "random";

    /// <summary>Reads the API's model and backend parameters: no backend means MusiCNN for content models;
    /// <c>random</c> selects the random-init variant; popularity takes none.</summary>
    public static RecommenderPair Pair(string? model, string? backend)
    {
        string id = string.IsNullOrWhiteSpace(model) ? "bert4rec" : model;
        if (id == PopularityRecommender.ModelId)
        {
            return new RecommenderPair(id, null);
        }

        return new RecommenderPair(id, string.IsNullOrWhiteSpace(backend) ? MusicnnBackend.BackendId
            : string.Equals(backend, RandomBackend, StringComparison.OrdinalIgnoreCase) ? null : backend);
    }

    /// <summary>Radio: the listener's best recommendation that is not already queued, or null when there is none
    /// (or the model is not trained).</summary>
    public async Task<TrackSummary?> NextForRadioAsync(int listenerId, RecommenderPair? pair, IReadOnlySet<int> queued, CancellationToken ct)
    {
        try
        {
            var list = await ForListenerAsync(listenerId, pair ?? Pair(null, null), queued.Count + 10, ct);
            return list.Items.Where(i => !queued.Contains(i.Id)).Select(Summary).FirstOrDefault();
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A recommended track as lists and the player take it.</summary>
    public static TrackSummary Summary(RecommendationItem i) =>
        new(i.Id, i.Title, i.ArtistId, i.Artist, i.AlbumId, i.Album, i.Genre, i.DurationMs, i.ReleasedAt, i.Plays);

    /// <summary>The trained pairs the app can serve.</summary>
    public Task<IReadOnlyList<ServableModel>> AvailableAsync(CancellationToken ct) => live.AvailableAsync(ct);

    /// <summary>The listener's top <paramref name="k"/> from the pair's newest checkpoint.</summary>
    /// <exception cref="KeyNotFoundException">The pair has not been trained.</exception>
    public async Task<RecommendationsResponse> ForListenerAsync(int listenerId, RecommenderPair pair, int k, CancellationToken ct)
    {
        var list = await live.RecommendAsync(listenerId, pair, k, ct);
        var ids = list.Items.Select(i => i.TrackId).Concat(list.Items.SelectMany(i => i.BecauseOf)).Distinct().ToList();
        var summaries = (await catalog.SummariesAsync(ids, ct)).ToDictionary(t => t.Id);
        var items = new List<RecommendationItem>(list.Items.Count);
        foreach (var r in list.Items)
        {
            if (!summaries.TryGetValue(r.TrackId, out var t))
            {
                continue; // deleted since the model was loaded
            }

            var because = r.BecauseOf.Where(summaries.ContainsKey).Select(h => new BecauseYouPlayed(h, summaries[h].Title, summaries[h].Artist)).ToList();
            items.Add(new RecommendationItem(t.Id, t.Title, t.ArtistId, t.Artist, t.AlbumId, t.Album, t.Genre, t.DurationMs, t.ReleasedAt,
                t.Plays, r.Score, await similar.TopTagsAsync(t.Id, 3, ct), because));
        }

        return new RecommendationsResponse(pair.Model, pair.BackendLabel, list.Model.CreatedAt, list.HistoryLength, items.Count, items);
    }
}
