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
    /// the same number of listeners.</exception>
    public static IReadOnlyDictionary<string, MeanWithInterval> Versus(EvaluationResult model, EvaluationResult baseline)
    {
        var a = model.PerListener ?? throw new ArgumentException("The model's result has no per-listener values.", nameof(model));
        var b = baseline.PerListener ?? throw new ArgumentException("The baseline's result has no per-listener values.", nameof(baseline));
        if (model.Listeners != baseline.Listeners)
        {
            throw new ArgumentException($"The results are of {model.Listeners} and {baseline.Listeners} listeners: not the same listeners.", nameof(baseline));
        }

        return a.Where(kv => b.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key,
            kv => MeanWithInterval.Of(kv.Value.Zip(b[kv.Key], (x, y) => x - y).ToArray()));
    }

    /// <summary>Whether the interval excludes zero: the difference is unlikely to be chance at the 5% level.</summary>
    public static bool Clear(MeanWithInterval difference) => difference.Lower > 0 || difference.Upper < 0;
}
