using System.Numerics.Tensors;
using System.Text.Json;
using BlazorRecs.Core.Similarity;
using BlazorRecs.Faiss;

namespace BlazorRecs.Core.Recommenders.Knn;

/// <summary>
/// The paper's KNN: a listener is the mean of their tracks' L2-normalised vectors, normalised again, and tracks are
/// ranked by inner product with it in a flat FAISS index of those unit vectors (so by cosine). No training; the item
/// set can be replaced at any time (a new track is ranked at once).
/// <para>
/// Vectors are standardised per dimension first, as the similarity indexes do, so no dimension wins by scale alone.
/// The statistics are fixed once, from the tracks a split trained the other models with (or, for a checkpoint written
/// before they were kept, from the first items given), and saved with the checkpoint: tracks released after a cutoff
/// do not shape them, and a track added later is standardised as the rest were.
/// </para>
/// </summary>
public sealed class KnnRecommender : IContentRecommender
{
    /// <summary>The model id.</summary>
    public const string ModelId = "knn";

    private const string CheckpointFile = "knn.json";

    // Queries ranked by one FAISS search.
    private const int SearchChunk = 32;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Lock _gate = new();
    private FeatureScaling? _scaling;
    private FaissIndex? _index;
    private float[] _unit = [];
    private int _dimension;
    private int _count;

    private KnnRecommender(FeatureScaling? scaling) => _scaling = scaling;

    /// <inheritdoc />
    public string Model => ModelId;

    /// <inheritdoc />
    public int ItemCount => _count;

    /// <inheritdoc />
    public bool UsesAudio => true;

    /// <summary>The per-dimension statistics the vectors are standardised with (null until items are given).</summary>
    public FeatureScaling? Scaling => _scaling;

    /// <summary>A KNN over these item vectors, standardised with the statistics of <paramref name="scalingItems"/>
    /// (indices into <paramref name="features"/>; every item when null).</summary>
    public static KnnRecommender Create(ItemFeatures features, IReadOnlyList<int>? scalingItems = null)
    {
        var knn = new KnnRecommender(FeatureScaling.Of(features, scalingItems));
        knn.SetItems(features);
        return knn;
    }

    /// <summary>Writes the checkpoint: KNN has no weights, only its standardisation; its items are the backend's
    /// vectors, given again when it is loaded.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CheckpointFile), JsonSerializer.Serialize(new Checkpoint(ModelId, _scaling), Json));
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>; the items come next, through <see cref="SetItems"/>.</summary>
    /// <exception cref="FileNotFoundException">The folder has no KNN checkpoint.</exception>
    /// <exception cref="InvalidDataException">The file is not a KNN checkpoint.</exception>
    public static KnnRecommender Load(string directory)
    {
        string path = Path.Combine(directory, CheckpointFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no knn checkpoint in '{directory}'", path);
        }

        Checkpoint? checkpoint;
        try
        {
            checkpoint = JsonSerializer.Deserialize<Checkpoint>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a knn checkpoint: {e.Message}", e);
        }

        if (checkpoint?.Model != ModelId)
        {
            throw new InvalidDataException($"'{path}' is not a knn checkpoint");
        }

        if (checkpoint.Scaling is { } s && (s.Mean is not { Length: > 0 } || s.Scale?.Length != s.Mean.Length
                                            || !s.Mean.All(float.IsFinite) || !s.Scale.All(v => float.IsFinite(v) && v > 0)))
        {
            throw new InvalidDataException($"'{path}' holds no usable standardisation (a mean and a positive scale per dimension): retrain it");
        }

        return new KnnRecommender(checkpoint.Scaling);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The vectors' dimension is not the one the statistics were taken in.</exception>
    public void SetItems(ItemFeatures features)
    {
        var scaling = _scaling ?? FeatureScaling.Of(features);
        if (scaling.Mean.Length != features.Dimension)
        {
            throw new InvalidDataException(
                $"the vectors have {features.Dimension} dimensions, but this KNN was standardised in {scaling.Mean.Length}: retrain it");
        }

        var unit = features.Standardise(scaling).Values;
        int d = features.Dimension;
        for (int i = 0; i < features.Count; i++)
        {
            UnitVectors.Normalise(unit.AsSpan(i * d, d));
        }

        FaissIndex? index = features.Count > 0 ? UnitVectors.FlatIndex(unit, d) : null;

        FaissIndex? previous;
        lock (_gate)
        {
            previous = _index;
            (_scaling, _index, _unit, _dimension, _count) = (scaling, index, unit, d, features.Count);
            // Disposed under the lock: a Score holding the old index has finished with it.
            previous?.Dispose();
        }
    }

    /// <summary>The listener profile: the mean of the history items' unit vectors, L2-normalised (zero for an empty
    /// history).</summary>
    public float[] Profile(IReadOnlyList<int> history)
    {
        lock (_gate)
        {
            return Profile(history, _unit, _dimension);
        }
    }

    /// <inheritdoc />
    public void Score(IReadOnlyList<RankingQuery> queries, Span<float> scores)
    {
        lock (_gate)
        {
            int d = _dimension, n = _count;
            if (_index is null || queries.Count == 0)
            {
                return;
            }

            // Every item, in FAISS's order of inner product, written back in item order; a few queries at a time, so
            // that the results of a large catalog stay small (FAISS multiplies by BLAS from 20 queries on). An item
            // FAISS cannot rank (a vector that is not finite) comes back as id -1 and keeps the lowest score.
            scores[..(queries.Count * n)].Fill(float.NegativeInfinity);
            for (int start = 0; start < queries.Count; start += SearchChunk)
            {
                int count = Math.Min(SearchChunk, queries.Count - start);
                var profiles = new float[count * d];
                for (int q = 0; q < count; q++)
                {
                    Profile(queries[start + q].History, _unit, d).CopyTo(profiles.AsSpan(q * d, d));
                }

                var found = _index.Search(profiles, n);
                for (int q = 0; q < count; q++)
                {
                    var row = scores.Slice((start + q) * n, n);
                    var ids = found.IdsOf(q);
                    var distances = found.DistancesOf(q);
                    for (int j = 0; j < n; j++)
                    {
                        if (ids[j] >= 0)
                        {
                            row[(int)ids[j]] = distances[j];
                        }
                    }
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _index?.Dispose();
            _index = null;
            _count = 0;
        }
    }

    private static float[] Profile(IReadOnlyList<int> history, float[] unit, int d)
    {
        var profile = new float[d];
        foreach (int item in history)
        {
            TensorPrimitives.Add(profile, unit.AsSpan(item * d, d), profile);
        }

        UnitVectors.Normalise(profile);
        return profile;
    }

    private sealed record Checkpoint(string Model, FeatureScaling? Scaling);
}
