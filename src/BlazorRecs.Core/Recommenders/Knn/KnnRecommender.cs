using System.Numerics.Tensors;

namespace BlazorRecs.Core.Recommenders.Knn;

/// <summary>
/// The paper's KNN: a listener is the mean of their tracks' L2-normalised vectors, normalised again, and tracks are
/// ranked by cosine to it. No training; the item set can be replaced at any time (a new track is ranked at once).
/// Vectors are standardised per dimension first (statistics of the items it was given), as the similarity indexes
/// do, so no dimension wins by scale alone; the full scores are exact, the same ranking a flat inner-product index
/// over these vectors gives.
/// </summary>
public sealed class KnnRecommender : IContentRecommender
{
    /// <summary>The model id.</summary>
    public const string ModelId = "knn";

    private readonly Lock _gate = new();
    private float[] _unit = [];
    private int _dimension;
    private int _count;

    private KnnRecommender()
    {
    }

    /// <inheritdoc />
    public string Model => ModelId;

    /// <inheritdoc />
    public int ItemCount => _count;

    /// <inheritdoc />
    public bool UsesAudio => true;

    /// <summary>A KNN over these item vectors.</summary>
    public static KnnRecommender Create(ItemFeatures features)
    {
        var knn = new KnnRecommender();
        knn.SetItems(features);
        return knn;
    }

    /// <inheritdoc />
    public void SetItems(ItemFeatures features)
    {
        var standardised = features.Standardise(FeatureScaling.Of(features));
        var unit = standardised.Values;
        for (int i = 0; i < standardised.Count; i++)
        {
            Normalise(unit.AsSpan(i * features.Dimension, features.Dimension));
        }

        lock (_gate)
        {
            _unit = unit;
            _dimension = features.Dimension;
            _count = features.Count;
        }
    }

    /// <summary>The listener profile: the mean of the history items' unit vectors, L2-normalised (zero for an empty
    /// history). Exposed so other searches (a FAISS index) can use exactly this profile.</summary>
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
        float[] unit;
        int d, n;
        lock (_gate)
        {
            (unit, d, n) = (_unit, _dimension, _count);
        }

        for (int q = 0; q < queries.Count; q++)
        {
            float[] profile = Profile(queries[q].History, unit, d);
            var row = scores.Slice(q * n, n);
            for (int i = 0; i < n; i++)
            {
                row[i] = TensorPrimitives.Dot(profile, unit.AsSpan(i * d, d));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static float[] Profile(IReadOnlyList<int> history, float[] unit, int d)
    {
        var profile = new float[d];
        foreach (int item in history)
        {
            TensorPrimitives.Add(profile, unit.AsSpan(item * d, d), profile);
        }

        Normalise(profile);
        return profile;
    }

    private static void Normalise(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0)
        {
            TensorPrimitives.Divide(v, norm, v);
        }
    }
}
