using System.Numerics.Tensors;

namespace BlazorRecs.Core.Embeddings;

/// <summary>
/// How well a backend's neighbourhoods follow genre (or any label, such as the album): over labelled tracks, the share
/// of each track's k nearest neighbours (cosine, itself excluded) with the same label, against the share a random other
/// track would give.
/// </summary>
public static class GenreAgreement
{
    /// <summary>Returns (share, chance) for <paramref name="vectors"/> labelled by <paramref name="genres"/>.</summary>
    public static (double Share, double Chance) Compute(IReadOnlyList<float[]> vectors, IReadOnlyList<string> genres, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(genres.Count, vectors.Count, nameof(genres));
        int n = vectors.Count;
        if (n < 2)
        {
            throw new ArgumentException("At least two tracks are needed.", nameof(vectors));
        }

        k = Math.Min(k, n - 1);
        var unit = vectors.Select(v =>
        {
            var u = v.ToArray();
            float norm = TensorPrimitives.Norm(u);
            if (norm > 0)
            {
                TensorPrimitives.Divide(u, norm, u);
            }

            return u;
        }).ToArray();
        double hits = 0;
        var scores = new float[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                scores[j] = j == i ? float.NegativeInfinity : -TensorPrimitives.Dot(unit[i], unit[j]);
                order[j] = j;
            }

            scores[i] = float.PositiveInfinity; // sorts last (scores are negated similarities)
            Array.Sort(scores, order);
            for (int r = 0; r < k; r++)
            {
                hits += genres[order[r]] == genres[i] ? 1 : 0;
            }
        }

        double pairs = genres.GroupBy(g => g).Sum(g => (double)g.Count() * (g.Count() - 1));
        return (hits / ((double)n * k), pairs / ((double)n * (n - 1)));
    }
}
