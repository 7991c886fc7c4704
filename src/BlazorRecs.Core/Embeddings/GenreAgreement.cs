using BlazorRecs.Core.Similarity;

namespace BlazorRecs.Core.Embeddings;

/// <summary>
/// How well a backend's neighbourhoods follow genre (or any label, such as the album): over labelled tracks, the share
/// of each track's k nearest neighbours (cosine, itself excluded) with the same label, against the share a random other
/// track would give.
/// </summary>
public static class GenreAgreement
{
    /// <summary>The neighbours every agreement the product reports counts (the contrastive CNN's training report,
    /// <c>inspect-embeddings</c>, <c>train-cnn</c> and the Evaluate page).</summary>
    public const int Neighbours = 10;

    /// <summary>Returns (share, chance) for <paramref name="vectors"/> labelled by <paramref name="genres"/>.</summary>
    /// <remarks>The neighbours come from one batched search of a flat FAISS inner-product index of the unit vectors
    /// (BLAS underneath): sorting every track's similarities to every other, as this did before, took about a minute
    /// for 20,000 tracks.</remarks>
    public static (double Share, double Chance) Compute(IReadOnlyList<float[]> vectors, IReadOnlyList<string> genres, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(genres.Count, vectors.Count, nameof(genres));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int n = vectors.Count;
        if (n < 2)
        {
            throw new ArgumentException("At least two tracks are needed.", nameof(vectors));
        }

        k = Math.Min(k, n - 1);
        int d = vectors[0].Length;
        var unit = new float[checked(n * d)];
        for (int i = 0; i < n; i++)
        {
            if (vectors[i].Length != d)
            {
                throw new ArgumentException($"vector {i} has {vectors[i].Length} values, not {d}", nameof(vectors));
            }

            var row = unit.AsSpan(i * d, d);
            vectors[i].CopyTo(row);
            UnitVectors.Normalise(row);
        }

        using var index = UnitVectors.FlatIndex(unit, d);
        // One more than k, as a track finds itself among its nearest (first, unless another track has the same vector).
        var found = index.Search(unit, k + 1);
        double hits = 0;
        for (int i = 0; i < n; i++)
        {
            int taken = 0;
            foreach (long j in found.IdsOf(i))
            {
                if (taken == k)
                {
                    break;
                }

                if (j == i || j < 0)
                {
                    continue; // itself, or nothing (a vector that is not finite)
                }

                hits += genres[(int)j] == genres[i] ? 1 : 0;
                taken++;
            }
        }

        double pairs = genres.GroupBy(g => g).Sum(g => (double)g.Count() * (g.Count() - 1));
        return (hits / ((double)n * k), pairs / ((double)n * (n - 1)));
    }
}
