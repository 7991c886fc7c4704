namespace BlazorRecs.Core.Evaluation;

/// <summary>
/// The paper's ranking metrics for one listener, from a ranked list (best first) and the set of relevant items.
/// Binary gains; the ideal DCG is over min(|relevant|, K) hits, so a listener with one relevant item gets NDCG 1 for a
/// hit at rank 1. The ranked list must already exclude items the listener may not be recommended (training items).
/// </summary>
public static class RankingMetrics
{
    /// <summary>1 if any relevant item is in the top <paramref name="k"/>, else 0.</summary>
    public static double HitRate(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k) =>
        Hits(ranked, relevant, k) > 0 ? 1 : 0;

    /// <summary>Relevant items in the top <paramref name="k"/> divided by the number of relevant items.</summary>
    public static double Recall(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k) =>
        relevant.Count == 0 ? 0 : (double)Hits(ranked, relevant, k) / relevant.Count;

    /// <summary>DCG of the top <paramref name="k"/> with binary gains over the ideal DCG of min(|relevant|, k) hits.</summary>
    public static double Ndcg(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            return 0;
        }

        double dcg = 0;
        int top = Math.Min(k, ranked.Length);
        for (int rank = 0; rank < top; rank++)
        {
            if (relevant.Contains(ranked[rank]))
            {
                dcg += Discount(rank);
            }
        }

        double ideal = 0;
        for (int rank = 0; rank < Math.Min(relevant.Count, k); rank++)
        {
            ideal += Discount(rank);
        }

        return dcg / ideal;
    }

    // Rank 0 is the first position: 1 / log2(2) = 1.
    private static double Discount(int rank) => 1.0 / Math.Log2(rank + 2);

    private static int Hits(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        int hits = 0;
        int top = Math.Min(k, ranked.Length);
        for (int rank = 0; rank < top; rank++)
        {
            if (relevant.Contains(ranked[rank]))
            {
                hits++;
            }
        }

        return hits;
    }
}

/// <summary>A mean over listeners with the half-width of its 95% confidence interval (normal approximation).</summary>
/// <param name="Mean">The mean.</param>
/// <param name="HalfWidth">1.96 standard errors; the interval is Mean ± HalfWidth.</param>
/// <param name="Count">The number of listeners averaged.</param>
public readonly record struct MeanWithInterval(double Mean, double HalfWidth, int Count)
{
    /// <summary>The lower end of the interval.</summary>
    public double Lower => Mean - HalfWidth;

    /// <summary>The upper end of the interval.</summary>
    public double Upper => Mean + HalfWidth;

    /// <summary>Mean and 95% interval of per-listener values (sample standard deviation; 0 width for one value).</summary>
    public static MeanWithInterval Of(IReadOnlyCollection<double> values)
    {
        int n = values.Count;
        if (n == 0)
        {
            return new(double.NaN, double.NaN, 0);
        }

        double mean = values.Average();
        if (n == 1)
        {
            return new(mean, 0, 1);
        }

        double variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        return new(mean, 1.96 * Math.Sqrt(variance / n), n);
    }

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{Mean:0.0000} ± {HalfWidth:0.0000}");
}
