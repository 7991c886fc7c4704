using MathNet.Numerics.Distributions;

namespace BlazorRecs.Core.Evaluation;

/// <summary>
/// Two models compared on the same listeners: for each metric, the mean of the per-listener differences with its 95%
/// interval. Listeners differ far more from one another than two models differ on one listener, so two intervals of
/// means can overlap while every listener gains: the paired interval is the one that says whether a model is better.
/// </summary>
public static class PairedComparison
{
    /// <summary>
    /// <paramref name="model"/> minus <paramref name="baseline"/>, metric by metric, over the same listeners in the same
    /// order (both evaluated on one list of cases, as <see cref="RankingEvaluator.Evaluate"/> keeps them).
    /// </summary>
    /// <exception cref="ArgumentException">A result lacks its per-listener values, or the two were not evaluated on
    /// the same listeners in the same order.</exception>
    public static IReadOnlyDictionary<string, MeanWithInterval> Versus(EvaluationResult model, EvaluationResult baseline)
    {
        var a = model.PerListener ?? throw new ArgumentException("The model's result has no per-listener values.", nameof(model));
        var b = baseline.PerListener ?? throw new ArgumentException("The baseline's result has no per-listener values.", nameof(baseline));
        if (model.Users is null || baseline.Users is null || !model.Users.AsSpan().SequenceEqual(baseline.Users))
        {
            throw new ArgumentException($"The results are of {model.Listeners} and {baseline.Listeners} listeners, not the same listeners in the same order.", nameof(baseline));
        }

        return a.Where(kv => b.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key,
            kv => MeanWithInterval.Of(kv.Value.Zip(b[kv.Key], (x, y) => x - y).ToArray()));
    }

    /// <summary>Whether the interval excludes zero: the difference, taken alone, is unlikely to be chance at the 5% level.</summary>
    public static bool Clear(MeanWithInterval difference) => difference.Lower > 0 || difference.Upper < 0;

    /// <summary>
    /// Which differences of a family (one metric over several models, say) hold at the 5% level for the family as a
    /// whole, by Holm's step-down correction: read alone, each of twenty differences that are all chance has a 5%
    /// chance to look clear, and one of them usually does. Two-sided normal p-values from each difference's 95%
    /// interval; ordered by p, the i-th smallest (from 0) holds while p ≤ 0.05 / (m − i), and the first that fails
    /// ends the family. A difference with no spread holds exactly when it is not zero.
    /// </summary>
    public static bool[] HoldAfterHolm(IReadOnlyList<MeanWithInterval> family)
    {
        const double Alpha = 0.05;
        double[] p = [.. family.Select(PValue)];
        var order = Enumerable.Range(0, p.Length).OrderBy(i => p[i]).ToArray();
        var holds = new bool[p.Length];
        for (int rank = 0; rank < order.Length; rank++)
        {
            if (p[order[rank]] > Alpha / (order.Length - rank))
            {
                break;
            }

            holds[order[rank]] = true;
        }

        return holds;
    }

    // Two-sided normal p-value of a mean difference whose 95% half-width is 1.96 standard errors.
    private static double PValue(MeanWithInterval d)
    {
        if (double.IsNaN(d.Mean))
        {
            return 1;
        }

        if (d.HalfWidth <= 0)
        {
            return d.Mean == 0 ? 1 : 0;
        }

        double z = Math.Abs(d.Mean) / (d.HalfWidth / 1.96);
        return 2 * (1 - Normal.CDF(0, 1, z));
    }
}
