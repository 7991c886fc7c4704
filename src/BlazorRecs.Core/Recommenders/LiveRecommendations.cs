using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Text.Json;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Torch;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Recommenders;

/// <summary>A trained model the app can serve: the newest checkpoint of a (model, backend) pair.</summary>
/// <param name="Pair">The pair.</param>
/// <param name="TrainedModelId">Its checkpoint row.</param>
/// <param name="CreatedAt">When it was trained.</param>
/// <param name="BackendVersion">The version of the backend's vectors it was trained on; null for random init.</param>
public sealed record ServableModel(RecommenderPair Pair, int TrainedModelId, DateTimeOffset CreatedAt, string? BackendVersion = null);

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
/// <list type="bullet">
/// <item>A load runs to its end whoever asked for it (a client that goes away does not cancel it for the others), and
/// a load that fails is forgotten, so the next request tries again.</item>
/// <item>When a newer checkpoint of a pair is loaded, the older one is released.</item>
/// <item>An audio checkpoint trained on another version of its backend's vectors (the backend's model changed and
/// the catalog was embedded again) is refused with the reason: its weights belong to the old vector space.</item>
/// </list>
/// </summary>
public sealed class LiveRecommendations(
    CatalogData data,
    TorchRuntime torchRuntime,
    IOptions<BlazorRecsOptions> options,
    IDbContextFactory<BlazorRecsDbContext> contexts) : IDisposable
{
    private readonly ConcurrentDictionary<int, Entry> _loaded = new();

    /// <summary>The newest checkpoint of every pair that has one.</summary>
    public async Task<IReadOnlyList<ServableModel>> AvailableAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TrainedModels.AsNoTracking().Select(m => new { m.Id, m.Model, m.BackendId, m.BackendVersion, m.CreatedAt }).ToListAsync(cancellationToken);
        return rows.GroupBy(r => (r.Model, r.BackendId))
            .Select(g => g.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).First())
            .Select(r => new ServableModel(new RecommenderPair(r.Model, r.BackendId), r.Id, r.CreatedAt, r.BackendVersion))
            .OrderBy(m => m.Pair.Model, StringComparer.Ordinal).ThenBy(m => m.Pair.Backend ?? "~", StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The top <paramref name="k"/> unheard tracks for a listener from the newest checkpoint of the pair.</summary>
    /// <exception cref="KeyNotFoundException">No checkpoint of that pair exists, or the newest cannot be served: this
    /// version cannot read it, or it was trained on an older version of the backend's vectors (retrain it).</exception>
    public async Task<RecommendationList> RecommendAsync(int listenerId, RecommenderPair pair, int k, CancellationToken cancellationToken)
    {
        // A newer checkpoint can retire the loaded one between loading it and ranking with it: then rank again.
        while (true)
        {
            var servable = (await AvailableAsync(cancellationToken)).FirstOrDefault(m => m.Pair == pair)
                           ?? throw new KeyNotFoundException($"No trained {pair} model yet: run the train-recommender job for it.");
            if (pair.Backend is { } backend && servable.BackendVersion is { } trainedOn
                && await data.VersionAsync(backend, cancellationToken) is var current && current != trainedOn)
            {
                throw new KeyNotFoundException(
                    $"The newest {pair} checkpoint was trained on version {trainedOn} of the '{backend}' vectors, and the catalog's are now " +
                    $"{(current is null ? "gone" : $"version {current}")}: retrain it.");
            }

            Loaded loaded;
            try
            {
                loaded = await LoadAsync(servable).WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or JsonException or UnauthorizedAccessException)
            {
                // A checkpoint this version cannot read (an older layout, files missing or damaged) is as good as
                // none: say why (the failed load is not kept, so it is read again after retraining or a restore).
                throw new KeyNotFoundException($"The newest {pair} checkpoint cannot be served: {ex.Message.TrimEnd('.')}.", ex);
            }

            if (await RankAsync(loaded, servable, listenerId, k, cancellationToken) is { } list)
            {
                return list;
            }
        }
    }

    // Ranks with a loaded model; null when a newer checkpoint retired it meanwhile.
    private async Task<RecommendationList?> RankAsync(Loaded loaded, ServableModel servable, int listenerId, int k, CancellationToken cancellationToken)
    {
        var pair = servable.Pair;
        int[] history = await data.HistoryAsync(listenerId, cancellationToken);
        var (vectors, dimension) = pair.Backend is null ? (null, 0) : await data.VectorsAsync(pair.Backend, cancellationToken);

        int[] ranked;
        float[] scores;
        int[] known;
        lock (loaded)
        {
            if (loaded.Retired)
            {
                return null;
            }

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

        // The "because" tracks are the history's nearest by sound: under the pair's own backend, and for models that
        // hear nothing (popularity, random init) under MusiCNN's vectors, or another backend's when there are none.
        var (explainWith, sound) = pair.Backend is { } own ? (own, vectors) : await ExplanationSoundAsync(cancellationToken);
        var items = ranked.Select((id, i) => new Recommended(id, scores[i], sound is null ? [] : NearestInHistory(sound, id, history))).ToList();
        return new RecommendationList(servable, known.Length, items, sound is null ? null : explainWith);
    }

    // The backend that explains the recommendations of models without one, with its vectors; none before any embedding.
    // MusiCNN's vectors come from VectorsAsync's cache, so the list of backends is only read where MusiCNN has none.
    private async Task<(string? Backend, IReadOnlyDictionary<int, float[]>? Vectors)> ExplanationSoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await VectorsOrNoneAsync(MusicnnBackend.BackendId) is { Count: > 0 } musicnn)
            {
                return (MusicnnBackend.BackendId, musicnn);
            }

            var backends = await data.BackendsWithVectorsAsync(cancellationToken);
            return backends.Count == 0 ? (null, null) : (backends[0], (await data.VectorsAsync(backends[0], cancellationToken)).Vectors);
        }
        catch (KeyNotFoundException)
        {
            return (null, null); // its vectors went between the two reads: this answer goes unexplained, not unanswered
        }

        async Task<IReadOnlyDictionary<int, float[]>?> VectorsOrNoneAsync(string backend)
        {
            try
            {
                return (await data.VectorsAsync(backend, cancellationToken)).Vectors;
            }
            catch (KeyNotFoundException)
            {
                return null; // no such backend yet
            }
        }
    }

    /// <summary>The checkpoints loaded now (or loading), by trained-model id.</summary>
    internal IReadOnlyCollection<int> LoadedCheckpoints => [.. _loaded.Keys];

    /// <summary>Releases every loaded model.</summary>
    public void Dispose()
    {
        foreach (int id in _loaded.Keys)
        {
            Forget(id);
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

    // One load per checkpoint, shared by every request for it and cancelled by none of them. A failed load is
    // forgotten; a successful one retires the older checkpoints of its pair.
    private Task<Loaded> LoadAsync(ServableModel servable)
    {
        var entry = _loaded.GetOrAdd(servable.TrainedModelId, id => new Entry(servable.Pair, new Lazy<Task<Loaded>>(async () =>
        {
            try
            {
                var loaded = await LoadCheckpointAsync(id, CancellationToken.None);
                foreach (var (older, _) in _loaded.Where(e => e.Key < id && e.Value.Pair == servable.Pair))
                {
                    Forget(older);
                }

                return loaded;
            }
            catch
            {
                _loaded.TryRemove(id, out _);
                throw;
            }
        })));
        return entry.Load.Value;
    }

    // Removes a checkpoint's entry and releases its model once no request is ranking with it.
    private void Forget(int trainedModelId)
    {
        if (_loaded.TryRemove(trainedModelId, out var entry) && entry.Load.IsValueCreated && entry.Load.Value.IsCompletedSuccessfully)
        {
            entry.Load.Value.Result.Retire();
        }
    }

    private async Task<Loaded> LoadCheckpointAsync(int trainedModelId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.TrainedModels.AsNoTracking().SingleAsync(m => m.Id == trainedModelId, ct);
        string directory = Path.Combine(options.Value.DataPath, row.CheckpointPath);
        string itemsFile = Path.Combine(directory, RecommenderTraining.ItemsFile);
        if (!File.Exists(itemsFile))
        {
            throw new InvalidDataException($"its files are missing ('{itemsFile}' does not exist): retrain it");
        }

        int[] trackIds = JsonSerializer.Deserialize<int[]>(await File.ReadAllTextAsync(itemsFile, ct))
                         ?? throw new InvalidDataException($"'{directory}' has no item list");
        var model = RecommenderTraining.Load(row.Model, directory, torchRuntime.Device);
        if (model is IContentRecommender { UsesAudio: true } content && row.BackendId is { } backend)
        {
            // An audio checkpoint has no item table: give it the vectors of the tracks it was trained with.
            content.SetItems(await data.FeaturesAsync(backend, trackIds, ct));
        }

        return new Loaded(model, trackIds);
    }

    private sealed record Entry(RecommenderPair Pair, Lazy<Task<Loaded>> Load);

    private sealed class Loaded(IRecommender model, int[] trackIds)
    {
        public IRecommender Model { get; } = model;

        /// <summary>Released: a newer checkpoint of the pair replaced it (read and set under the object's lock).</summary>
        public bool Retired { get; private set; }

        public void Retire()
        {
            lock (this)
            {
                Retired = true;
                Model.Dispose();
            }
        }

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
