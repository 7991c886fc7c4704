using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Text.Json;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Torch;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Recommenders;

/// <summary>A trained model the app can serve: the newest checkpoint of a (model, backend) pair.</summary>
/// <param name="Pair">The pair.</param>
/// <param name="TrainedModelId">Its checkpoint row.</param>
/// <param name="CreatedAt">When it was trained.</param>
public sealed record ServableModel(RecommenderPair Pair, int TrainedModelId, DateTimeOffset CreatedAt);

/// <summary>One recommended track and why: the listener's history tracks that sound closest to it.</summary>
/// <param name="TrackId">The track.</param>
/// <param name="Score">The model's score (higher is better; scales differ between models).</param>
/// <param name="BecauseOf">Up to three history track ids, nearest first under the explanation backend.</param>
public sealed record Recommended(int TrackId, float Score, IReadOnlyList<int> BecauseOf);

/// <summary>A listener's recommendations from one model.</summary>
/// <param name="Model">The model that ranked them.</param>
/// <param name="HistoryLength">How many distinct tracks of the listener's history the model saw.</param>
/// <param name="Items">Best first, heard tracks excluded.</param>
/// <param name="ExplainedWith">The backend whose vectors the explanations use, or null.</param>
public sealed record RecommendationList(ServableModel Model, int HistoryLength, IReadOnlyList<Recommended> Items, string? ExplainedWith);

/// <summary>
/// Serves trained recommenders live: loads the newest checkpoint of a pair once, keeps audio models' items in step
/// with the catalog's current vectors (so a newly added track is a candidate at once), and ranks a listener's whole
/// current history, including a play made a second ago.
/// </summary>
public sealed class LiveRecommendations(
    CatalogData data,
    TorchRuntime torchRuntime,
    IOptions<BlazorRecsOptions> options,
    IDbContextFactory<BlazorRecsDbContext> contexts) : IDisposable
{
    private readonly ConcurrentDictionary<int, Lazy<Task<Loaded>>> _loaded = new();

    /// <summary>The newest checkpoint of every pair that has one.</summary>
    public async Task<IReadOnlyList<ServableModel>> AvailableAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TrainedModels.AsNoTracking().Select(m => new { m.Id, m.Model, m.BackendId, m.CreatedAt }).ToListAsync(cancellationToken);
        return rows.GroupBy(r => (r.Model, r.BackendId))
            .Select(g => g.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).First())
            .Select(r => new ServableModel(new RecommenderPair(r.Model, r.BackendId), r.Id, r.CreatedAt))
            .OrderBy(m => m.Pair.Model, StringComparer.Ordinal).ThenBy(m => m.Pair.Backend ?? "~", StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The top <paramref name="k"/> unheard tracks for a listener from the newest checkpoint of the pair.</summary>
    /// <exception cref="KeyNotFoundException">No checkpoint of that pair exists, or the newest cannot be read by this version (train it first).</exception>
    public async Task<RecommendationList> RecommendAsync(int listenerId, RecommenderPair pair, int k, CancellationToken cancellationToken)
    {
        var servable = (await AvailableAsync(cancellationToken)).FirstOrDefault(m => m.Pair == pair)
                       ?? throw new KeyNotFoundException($"No trained {pair} model yet: run the train-recommender job for it.");
        Loaded loaded;
        try
        {
            loaded = await LoadAsync(servable, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            // A checkpoint this version cannot read is as good as none: say why, and look again after retraining.
            _loaded.TryRemove(servable.TrainedModelId, out _);
            throw new KeyNotFoundException($"The newest {pair} checkpoint cannot be served: {ex.Message}.", ex);
        }

        int[] history = await data.HistoryAsync(listenerId, cancellationToken);
        var (vectors, dimension) = pair.Backend is null ? (null, 0) : await data.VectorsAsync(pair.Backend, cancellationToken);

        int[] ranked;
        float[] scores;
        int[] known;
        lock (loaded)
        {
            if (loaded.Model is IContentRecommender { UsesAudio: true } content && vectors is not null
                && (vectors.Count != loaded.TrackIds.Length || !loaded.TrackIds.All(vectors.ContainsKey)))
            {
                // The catalog has grown (or shrunk) since the model last saw it: rank the current tracks.
                var ids = vectors.Keys.Order().ToArray();
                var values = new float[ids.Length * dimension];
                for (int i = 0; i < ids.Length; i++)
                {
                    vectors[ids[i]].CopyTo(values, i * dimension);
                }

                content.SetItems(new ItemFeatures(values, dimension));
                loaded.SetTracks(ids);
            }

            known = history.Where(loaded.ItemOf.ContainsKey).ToArray();
            int n = loaded.Model.ItemCount;
            scores = new float[n];
            loaded.Model.Score([new RankingQuery(-1, known.Select(id => loaded.ItemOf[id]).ToArray())], scores);
            foreach (int id in known)
            {
                scores[loaded.ItemOf[id]] = float.NegativeInfinity;
            }

            ranked = new int[Math.Min(k, n)];
            int found = RankingEvaluator.TopK(scores, null, ranked);
            ranked = ranked[..found].Select(i => loaded.TrackIds[i]).ToArray();
            scores = ranked.Select(id => scores[loaded.ItemOf[id]]).ToArray();
        }

        string? explainWith = pair.Backend;
        var items = ranked.Select((id, i) => new Recommended(id, scores[i], vectors is null ? [] : NearestInHistory(vectors, id, known))).ToList();
        return new RecommendationList(servable, known.Length, items, vectors is null ? null : explainWith);
    }

    /// <summary>Forgets loaded models (after retraining, the newest checkpoint is loaded on the next request anyway).</summary>
    public void Dispose()
    {
        foreach (var entry in _loaded.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            entry.Value.Result.Model.Dispose();
        }
    }

    // Cosine between the recommended track and each history track, best three.
    private static IReadOnlyList<int> NearestInHistory(IReadOnlyDictionary<int, float[]> vectors, int trackId, int[] history)
    {
        if (!vectors.TryGetValue(trackId, out var target))
        {
            return [];
        }

        return history.Where(vectors.ContainsKey)
            .Select(h => (h, TensorPrimitives.CosineSimilarity(target, vectors[h])))
            .OrderByDescending(p => p.Item2).Take(3).Select(p => p.h).ToList();
    }

    private Task<Loaded> LoadAsync(ServableModel servable, CancellationToken ct) =>
        _loaded.GetOrAdd(servable.TrainedModelId, _ => new Lazy<Task<Loaded>>(() => LoadCheckpointAsync(servable.TrainedModelId, ct))).Value;

    private async Task<Loaded> LoadCheckpointAsync(int trainedModelId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.TrainedModels.AsNoTracking().SingleAsync(m => m.Id == trainedModelId, ct);
        string directory = Path.Combine(options.Value.DataPath, row.CheckpointPath);
        int[] trackIds = JsonSerializer.Deserialize<int[]>(await File.ReadAllTextAsync(Path.Combine(directory, RecommenderTraining.ItemsFile), ct))
                         ?? throw new InvalidDataException($"'{directory}' has no item list");
        var model = RecommenderTraining.Load(row.Model, directory, torchRuntime.Device);
        if (model is IContentRecommender { UsesAudio: true } content && row.BackendId is { } backend)
        {
            // An audio checkpoint has no item table: give it the vectors of the tracks it was trained with.
            content.SetItems(await data.FeaturesAsync(backend, trackIds, ct));
        }

        return new Loaded(model, trackIds);
    }

    private sealed class Loaded(IRecommender model, int[] trackIds)
    {
        public IRecommender Model { get; } = model;

        public int[] TrackIds { get; private set; } = trackIds;

        public Dictionary<int, int> ItemOf { get; private set; } = Index(trackIds);

        public void SetTracks(int[] trackIds)
        {
            TrackIds = trackIds;
            ItemOf = Index(trackIds);
        }

        private static Dictionary<int, int> Index(int[] ids) => ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
    }
}
