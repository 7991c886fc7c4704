namespace BlazorRecs.Cli.Commands;

/// <summary>
/// A measurement timed in rounds with a baseline timed before, between and after them, so that each round is compared
/// with the baseline as the machine was just then (these machines are shared, and their load drifts within a run).
/// </summary>
internal static class PairedRounds
{
    /// <summary>Steps per round: <paramref name="total"/> split as evenly as it goes, the first rounds taking the
    /// remainder; never more rounds than steps.</summary>
    public static int[] Split(int total, int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        int count = Math.Min(rounds, total);
        return [.. Enumerable.Range(0, count).Select(r => total / count + (r < total % count ? 1 : 0))];
    }

    /// <summary>Each round's rate divided by the mean of the baselines timed just before and just after it.</summary>
    /// <param name="rates">One rate per round.</param>
    /// <param name="baselines">One more than there are rounds: before the first, between each two, after the last.</param>
    public static double[] Ratios(IReadOnlyList<double> rates, IReadOnlyList<double> baselines)
    {
        if (baselines.Count != rates.Count + 1)
        {
            throw new ArgumentException($"{rates.Count} rounds need {rates.Count + 1} baselines, not {baselines.Count}", nameof(baselines));
        }

        return [.. rates.Select((rate, r) => rate / ((baselines[r] + baselines[r + 1]) / 2))];
    }

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }

        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
