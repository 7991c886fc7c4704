using System.Globalization;
using System.Text;

namespace BlazorRecs.Core.Simulation;

/// <summary>Cold-start items of the final month: released in it and first played in it.</summary>
/// <param name="ReleasedInFinalMonth">Tracks whose ReleasedAt lies in [HistoryEnd - 1 month, HistoryEnd).</param>
/// <param name="PlayedInFinalMonth">Of those, how many were played (they cannot have been played earlier).</param>
/// <param name="Plays">How many plays those tracks got.</param>
/// <param name="PlayedBeforeRelease">Plays of any track before its release: must be zero.</param>
public sealed record ColdItemReport(int ReleasedInFinalMonth, int PlayedInFinalMonth, int Plays, int PlayedBeforeRelease);

/// <summary>The figures that show whether a simulated history looks like listening data.</summary>
/// <param name="Listeners">Number of listeners.</param>
/// <param name="Plays">Number of plays, skips included.</param>
/// <param name="SkipRate">Share of plays that are skips.</param>
/// <param name="MeanTopGenreShare">Mean over listeners of the share of their plays in their most-played genre.</param>
/// <param name="MeanGenreEntropyBits">Mean over listeners of the entropy of their genre distribution.</param>
/// <param name="PlayCountGini">Gini coefficient of play counts over the tracks released before the end.</param>
/// <param name="TopDecileShare">Share of plays on the most-played 10% of those tracks.</param>
/// <param name="TopDecileListenerShare">Share of plays by the most active 10% of listeners.</param>
/// <param name="SameArtistContinuation">Share of consecutive plays within a session that stay with the artist.</param>
/// <param name="SameArtistBaseline">The same share if each listener's plays were shuffled.</param>
/// <param name="ColdItems">The final month's cold-start items.</param>
public sealed record SimulationSummary(
    int Listeners,
    int Plays,
    double SkipRate,
    double MeanTopGenreShare,
    double MeanGenreEntropyBits,
    double PlayCountGini,
    double TopDecileShare,
    double TopDecileListenerShare,
    double SameArtistContinuation,
    double SameArtistBaseline,
    ColdItemReport ColdItems)
{
    /// <summary>A few lines for a CLI report or a test log.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"{Listeners} listeners, {Plays} plays, skip rate {SkipRate:P1}");
        sb.AppendLine(c, $"top-genre share {MeanTopGenreShare:F3}, genre entropy {MeanGenreEntropyBits:F2} bits");
        sb.AppendLine(c, $"play-count Gini {PlayCountGini:F3}, top 10% of tracks {TopDecileShare:P1}, top 10% of listeners {TopDecileListenerShare:P1}");
        sb.AppendLine(c, $"same-artist continuation {SameArtistContinuation:P1} (shuffled {SameArtistBaseline:P1})");
        sb.Append(c, $"cold items: {ColdItems.PlayedInFinalMonth}/{ColdItems.ReleasedInFinalMonth} final-month releases played, {ColdItems.Plays} plays; {ColdItems.PlayedBeforeRelease} plays before release");
        return sb.ToString();
    }
}

/// <summary>Statistics of a simulated history, for the tests and the CLI report.</summary>
public static class SimulationStatistics
{
    /// <summary>All figures at once.</summary>
    public static SimulationSummary Summarise(IReadOnlyList<SimulatedListener> listeners, IReadOnlyList<SimTrack> tracks, SimulationSpec spec,
        TimeSpan? sessionGap = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var byId = tracks.ToDictionary(t => t.TrackId);
        int plays = listeners.Sum(l => l.Plays.Count);
        int[] counts = PlayCountsOverCatalog(listeners, tracks.Where(t => t.ReleasedAt < spec.HistoryEnd));
        double[] perListener = [.. listeners.Select(l => (double)l.Plays.Count)];
        TimeSpan gap = sessionGap ?? ListenerModelParameters.Default.MinSessionGap;
        return new SimulationSummary(
            listeners.Count,
            plays,
            SkipRate(listeners),
            listeners.Where(l => l.Plays.Count > 0).Select(l => TopGenreShare(l, byId)).DefaultIfEmpty().Average(),
            listeners.Where(l => l.Plays.Count > 0).Select(l => GenreEntropyBits(l, byId)).DefaultIfEmpty().Average(),
            Gini(counts.Select(x => (double)x)),
            TopShare(counts.Select(x => (double)x), 0.1),
            TopShare(perListener, 0.1),
            SameArtistContinuation(listeners, byId, gap),
            SameArtistShuffledBaseline(listeners, byId),
            ColdItems(listeners, tracks, spec));
    }

    /// <summary>Share of plays that are skips.</summary>
    public static double SkipRate(IEnumerable<SimulatedListener> listeners)
    {
        long plays = 0, skips = 0;
        foreach (SimulatedPlay p in listeners.SelectMany(l => l.Plays))
        {
            plays++;
            skips += p.IsSkip ? 1 : 0;
        }

        return plays == 0 ? 0 : (double)skips / plays;
    }

    /// <summary>Share of the listener's plays in their most-played genre (1 / genres for a uniform listener).</summary>
    public static double TopGenreShare(SimulatedListener listener, IReadOnlyDictionary<int, SimTrack> tracksById)
    {
        var counts = GenreCounts(listener, tracksById);
        return counts.Count == 0 ? 0 : (double)counts.Values.Max() / listener.Plays.Count;
    }

    /// <summary>Entropy (bits) of the listener's plays over genres: 0 for a one-genre listener.</summary>
    public static double GenreEntropyBits(SimulatedListener listener, IReadOnlyDictionary<int, SimTrack> tracksById)
    {
        var counts = GenreCounts(listener, tracksById);
        double n = listener.Plays.Count;
        return counts.Values.Sum(c => -(c / n) * Math.Log2(c / n));
    }

    /// <summary>Plays per track for every track in <paramref name="catalog"/>, zeros included, in catalog order.</summary>
    public static int[] PlayCountsOverCatalog(IEnumerable<SimulatedListener> listeners, IEnumerable<SimTrack> catalog)
    {
        var counts = new Dictionary<int, int>();
        foreach (SimulatedPlay p in listeners.SelectMany(l => l.Plays))
        {
            counts[p.TrackId] = counts.GetValueOrDefault(p.TrackId) + 1;
        }

        return [.. catalog.Select(t => counts.GetValueOrDefault(t.TrackId))];
    }

    /// <summary>Gini coefficient of non-negative values: 0 when all are equal, towards 1 when one value holds
    /// everything.</summary>
    public static double Gini(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        int n = sorted.Length;
        double total = sorted.Sum();
        if (n == 0 || total <= 0)
        {
            return 0;
        }

        double weighted = 0;
        for (int i = 0; i < n; i++)
        {
            weighted += ((2.0 * (i + 1)) - n - 1) * sorted[i];
        }

        return weighted / (n * total);
    }

    /// <summary>Share of the total held by the largest <paramref name="fraction"/> of the values (at least one).</summary>
    public static double TopShare(IEnumerable<double> values, double fraction)
    {
        double[] sorted = [.. values.OrderDescending()];
        double total = sorted.Sum();
        if (sorted.Length == 0 || total <= 0)
        {
            return 0;
        }

        int top = Math.Max(1, (int)Math.Round(sorted.Length * fraction));
        return sorted.Take(top).Sum() / total;
    }

    /// <summary>
    /// Share of consecutive plays in the same session (the next starts within <paramref name="sessionGap"/> of the
    /// previous one ending) that are by the same artist.
    /// </summary>
    public static double SameArtistContinuation(IEnumerable<SimulatedListener> listeners, IReadOnlyDictionary<int, SimTrack> tracksById,
        TimeSpan sessionGap)
    {
        long pairs = 0, same = 0;
        foreach (SimulatedListener l in listeners)
        {
            for (int k = 1; k < l.Plays.Count; k++)
            {
                SimulatedPlay a = l.Plays[k - 1], b = l.Plays[k];
                if (b.StartedAt - a.StartedAt.AddMilliseconds(a.MsPlayed) >= sessionGap)
                {
                    continue;
                }

                pairs++;
                same += tracksById[a.TrackId].ArtistId == tracksById[b.TrackId].ArtistId ? 1 : 0;
            }
        }

        return pairs == 0 ? 0 : (double)same / pairs;
    }

    /// <summary>
    /// What <see cref="SameArtistContinuation"/> would be if order carried no information: for each listener the
    /// chance that two random plays of theirs share an artist (sum of squared artist shares), weighted by plays. This
    /// already accounts for listeners' genre and artist concentration, so beating it shows sequential structure.
    /// </summary>
    public static double SameArtistShuffledBaseline(IEnumerable<SimulatedListener> listeners, IReadOnlyDictionary<int, SimTrack> tracksById)
    {
        double weighted = 0;
        long total = 0;
        foreach (SimulatedListener l in listeners)
        {
            int n = l.Plays.Count;
            if (n < 2)
            {
                continue;
            }

            var counts = l.Plays.GroupBy(p => tracksById[p.TrackId].ArtistId).Select(g => (double)g.Count());
            weighted += counts.Sum(c => c / n * c / n) * n;
            total += n;
        }

        return total == 0 ? 0 : weighted / total;
    }

    /// <summary>The final month's cold-start items, and a check that nothing was played before its release.</summary>
    public static ColdItemReport ColdItems(IEnumerable<SimulatedListener> listeners, IReadOnlyList<SimTrack> tracks, SimulationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        DateTimeOffset monthStart = spec.FinalMonthStart;
        var byId = tracks.ToDictionary(t => t.TrackId);
        var cold = tracks.Where(t => t.ReleasedAt >= monthStart && t.ReleasedAt < spec.HistoryEnd).Select(t => t.TrackId).ToHashSet();
        var played = new HashSet<int>();
        int coldPlays = 0, beforeRelease = 0;
        foreach (SimulatedPlay p in listeners.SelectMany(l => l.Plays))
        {
            if (p.StartedAt < byId[p.TrackId].ReleasedAt)
            {
                beforeRelease++;
            }

            if (cold.Contains(p.TrackId))
            {
                coldPlays++;
                played.Add(p.TrackId);
            }
        }

        return new ColdItemReport(cold.Count, played.Count, coldPlays, beforeRelease);
    }

    private static Dictionary<string, int> GenreCounts(SimulatedListener listener, IReadOnlyDictionary<int, SimTrack> tracksById)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (SimulatedPlay p in listener.Plays)
        {
            string genre = tracksById[p.TrackId].Genre;
            counts[genre] = counts.GetValueOrDefault(genre) + 1;
        }

        return counts;
    }
}
