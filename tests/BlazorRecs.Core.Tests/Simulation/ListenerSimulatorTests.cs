using BlazorRecs.Core.Simulation;

namespace BlazorRecs.Core.Tests.Simulation;

/// <summary>One scaled-down simulation (100 listeners, 15k plays, 300 tracks over 12 genres) shared by the tests that
/// only read it.</summary>
public sealed class SimulatedHistoryFixture
{
    public SimulatedHistoryFixture()
    {
        Tracks = SyntheticCatalog.Create();
        Spec = SyntheticCatalog.Spec(seed: 42, listeners: 100, plays: 15_000);
        Listeners = [.. new ListenerSimulator().Simulate(Spec, Tracks)];
        TracksById = Tracks.ToDictionary(t => t.TrackId);
        Summary = SimulationStatistics.Summarise(Listeners, Tracks, Spec);
    }

    public List<SimTrack> Tracks { get; }
    public SimulationSpec Spec { get; }
    public List<SimulatedListener> Listeners { get; }
    public Dictionary<int, SimTrack> TracksById { get; }
    public SimulationSummary Summary { get; }
}

public sealed class ListenerSimulatorTests(SimulatedHistoryFixture history) : IClassFixture<SimulatedHistoryFixture>
{
    private IEnumerable<SimulatedPlay> AllPlays => history.Listeners.SelectMany(l => l.Plays);

    [Fact]
    public void The_same_seed_gives_identical_output_whatever_the_threading_and_another_seed_differs()
    {
        var tracks = SyntheticCatalog.Create();
        var ct = TestContext.Current.CancellationToken;
        string Run(int seed, int? threads) => Fingerprint(new ListenerSimulator(maxDegreeOfParallelism: threads)
            .Simulate(SyntheticCatalog.Spec(seed, listeners: 150, plays: 6_000), tracks, ct));

        string first = Run(1, null);
        Assert.Equal(first, Run(1, 1));
        // The caller's track order must not matter either: indexes are sorted by release and id internally.
        tracks.Reverse();
        Assert.Equal(first, Run(1, 2));
        Assert.NotEqual(first, Run(2, null));
    }

    [Fact]
    public void Total_plays_are_near_the_target()
    {
        Assert.InRange(history.Summary.Plays, 15_000 * 0.85, 15_000 * 1.15);
        Assert.Equal(15_000, history.Listeners.Sum(l => l.Taste.ExpectedPlays));
    }

    [Fact]
    public void Listeners_concentrate_on_a_few_genres()
    {
        // Uniform listening over 12 genres would give 1/12.
        TestContext.Current.TestOutputHelper?.WriteLine(history.Summary.Describe());
        Assert.True(history.Summary.MeanTopGenreShare >= 0.5, $"mean top-genre share {history.Summary.MeanTopGenreShare:F3}");
        Assert.All(history.Listeners, l => Assert.InRange(l.Taste.GenreWeights.Values.Sum(), 0.999, 1.001));
        double meanDominant = history.Listeners.Average(l => l.Taste.GenreWeights.Count(w => w.Value >= 0.15));
        Assert.InRange(meanDominant, 1.0, 3.0);
    }

    [Fact]
    public void Preferred_energy_shows_in_the_energy_of_what_is_played()
    {
        var listeners = history.Listeners.Where(l => l.Plays.Count >= 20).ToList();
        double[] preferred = [.. listeners.Select(l => l.Taste.PreferredEnergy)];
        double[] played = [.. listeners.Select(l => l.Plays.Average(p => history.TracksById[p.TrackId].Energy))];
        double r = Pearson(preferred, played);
        TestContext.Current.TestOutputHelper?.WriteLine($"corr(preferred energy, mean played energy) = {r:F3} over {listeners.Count} listeners");
        Assert.True(r > 0.5, $"correlation {r:F3}");

        // Those who like it loud really play louder music.
        var sorted = listeners.OrderBy(l => l.Taste.PreferredEnergy).ToList();
        int quarter = sorted.Count / 4;
        double low = sorted.Take(quarter).SelectMany(l => l.Plays).Average(p => history.TracksById[p.TrackId].Energy);
        double high = sorted.TakeLast(quarter).SelectMany(l => l.Plays).Average(p => history.TracksById[p.TrackId].Energy);
        Assert.True(high > low + 0.1, $"high-preference quarter {high:F3} vs low {low:F3}");
    }

    [Fact]
    public void Track_popularity_is_heavy_tailed()
    {
        Assert.True(history.Summary.PlayCountGini > 0.5, history.Summary.Describe());
        Assert.True(history.Summary.TopDecileShare > 0.3, history.Summary.Describe());
    }

    [Fact]
    public void Listener_activity_is_heavy_tailed()
    {
        // Equal activity would give the top 10% of listeners 10% of the plays.
        Assert.True(history.Summary.TopDecileListenerShare > 0.2, $"top-decile listener share {history.Summary.TopDecileListenerShare:F3}");
    }

    [Fact]
    public void Nothing_is_played_before_release_and_final_month_releases_are_played_in_the_final_month()
    {
        Assert.All(AllPlays, p => Assert.True(p.StartedAt >= history.TracksById[p.TrackId].ReleasedAt, $"track {p.TrackId} at {p.StartedAt:O}"));

        ColdItemReport cold = history.Summary.ColdItems;
        Assert.Equal(0, cold.PlayedBeforeRelease);
        Assert.True(cold.ReleasedInFinalMonth >= 10, $"the synthetic catalog has {cold.ReleasedInFinalMonth} final-month releases");
        // The new-release boost: at least half of the new tracks are discovered in their first month.
        Assert.True(cold.PlayedInFinalMonth >= cold.ReleasedInFinalMonth / 2, $"{cold.PlayedInFinalMonth}/{cold.ReleasedInFinalMonth} played");
        Assert.True(cold.Plays >= 3 * cold.ReleasedInFinalMonth, $"{cold.Plays} plays of {cold.ReleasedInFinalMonth} cold items");

        var coldIds = history.Tracks.Where(t => t.ReleasedAt >= history.Spec.FinalMonthStart).Select(t => t.TrackId).ToHashSet();
        Assert.All(AllPlays.Where(p => coldIds.Contains(p.TrackId)), p => Assert.True(p.StartedAt >= history.Spec.FinalMonthStart));
    }

    [Fact]
    public void Skips_follow_the_counting_threshold_and_nothing_plays_past_the_end_of_a_track()
    {
        Assert.InRange(history.Summary.SkipRate, 0.05, 0.35);
        Assert.All(AllPlays, p =>
        {
            int duration = history.TracksById[p.TrackId].DurationMs;
            double threshold = Math.Min(30_000, duration / 2.0);
            Assert.InRange(p.MsPlayed, 1, duration);
            Assert.Equal(p.MsPlayed < threshold, p.IsSkip);
        });
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3_001, 1_501)] // 1,500 ms is less than half of 3,001 ms; 1,501 ms is not
    [InlineData(3_000, 1_500)]
    [InlineData(59_998, 29_999)]
    [InlineData(59_999, 30_000)]
    [InlineData(240_000, 30_000)]
    public void The_counting_threshold_is_half_the_track_or_30_seconds(int durationMs, int thresholdMs) =>
        Assert.Equal(thresholdMs, ListenerSimulator.CountingThresholdMs(durationMs));

    [Fact]
    public void Skips_are_more_likely_for_tracks_that_fit_the_taste_worse()
    {
        var fits = history.Listeners.SelectMany(l => l.Plays.Select(p => (Fit: l.Taste.Affinity(history.TracksById[p.TrackId]), p.IsSkip))).ToList();
        double median = fits.Select(f => f.Fit).Order().ElementAt(fits.Count / 2);
        double skipWhenPoorFit = fits.Where(f => f.Fit < median).Average(f => f.IsSkip ? 1.0 : 0.0);
        double skipWhenGoodFit = fits.Where(f => f.Fit >= median).Average(f => f.IsSkip ? 1.0 : 0.0);
        Assert.True(skipWhenPoorFit > skipWhenGoodFit * 1.3, $"poor fit {skipWhenPoorFit:P1}, good fit {skipWhenGoodFit:P1}");
    }

    [Fact]
    public void Plays_are_in_time_order_inside_the_history_and_do_not_overlap()
    {
        Assert.All(history.Listeners, l =>
        {
            for (int k = 0; k < l.Plays.Count; k++)
            {
                SimulatedPlay p = l.Plays[k];
                Assert.InRange(p.StartedAt, history.Spec.HistoryStart, history.Spec.HistoryEnd.AddTicks(-1));
                if (k > 0)
                {
                    SimulatedPlay before = l.Plays[k - 1];
                    Assert.True(p.StartedAt >= before.StartedAt.AddMilliseconds(before.MsPlayed), $"listener {l.Index} play {k} overlaps");
                }
            }
        });
    }

    [Fact]
    public void Listening_peaks_in_the_evening()
    {
        // Chronotype shifts blur it per listener, but the population evening (18-22 h) must beat the small hours (2-6 h).
        int evening = AllPlays.Count(p => p.StartedAt.Hour is >= 18 and < 22);
        int night = AllPlays.Count(p => p.StartedAt.Hour is >= 2 and < 6);
        Assert.True(evening > 3 * night, $"evening {evening}, night {night}");
    }

    [Fact]
    public void Sessions_continue_the_artist_far_more_often_than_shuffled_plays_would()
    {
        double observed = history.Summary.SameArtistContinuation, baseline = history.Summary.SameArtistBaseline;
        Assert.True(observed > 2 * baseline, $"same-artist continuation {observed:P1} vs shuffled {baseline:P1}");
    }

    [Fact]
    public void Albums_are_continued_in_track_order()
    {
        int inOrder = 0, reversed = 0;
        foreach (SimulatedListener l in history.Listeners)
        {
            for (int k = 1; k < l.Plays.Count; k++)
            {
                SimTrack a = history.TracksById[l.Plays[k - 1].TrackId], b = history.TracksById[l.Plays[k].TrackId];
                if (a.AlbumId is not null && a.AlbumId == b.AlbumId)
                {
                    inOrder += b.TrackNumber == a.TrackNumber + 1 ? 1 : 0;
                    reversed += b.TrackNumber == a.TrackNumber - 1 ? 1 : 0;
                }
            }
        }

        Assert.True(inOrder > 3 * reversed, $"next track {inOrder}, previous track {reversed}");
    }

    [Fact]
    public void The_hidden_taste_round_trips_through_json_and_its_transitions_sum_to_one()
    {
        foreach (SimulatedListener l in history.Listeners.Take(5))
        {
            string json = ListenerSimulator.TasteToJson(l.Taste);
            Assert.Contains("\"genreWeights\"", json, StringComparison.Ordinal);
            ListenerTaste back = ListenerSimulator.TasteFromJson(json);
            Assert.Equal(json, ListenerSimulator.TasteToJson(back));
            Assert.Equal(l.Taste.GenreWeights, back.GenreWeights);
            Assert.Equal(l.Taste.PreferredEnergy, back.PreferredEnergy);
        }

        // The transitions after the first track of a session are a complete set of alternatives.
        Assert.All(history.Listeners, l => Assert.Equal(1.0,
            l.Taste.AlbumContinuation + l.Taste.ArtistContinuation + l.Taste.Drift + l.Taste.Replay + l.Taste.Exploration, 9));
    }

    [Fact]
    public void Personas_have_distinct_plausible_names()
    {
        Assert.All(history.Listeners, l => Assert.Matches(@"^[A-Z][a-z]+ [A-Z][a-z]+$", l.Name));
        Assert.Equal(history.Listeners.Count, history.Listeners.Select(l => l.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Invalid_input_is_rejected_when_called_not_when_enumerated()
    {
        var tracks = SyntheticCatalog.Create(genres: 2, artistsPerGenre: 1);
        var sim = new ListenerSimulator();
        var ct = TestContext.Current.CancellationToken;
        Assert.Throws<ArgumentException>(() => sim.Simulate(SyntheticCatalog.Spec(1, 5, 100) with { HistoryEnd = SyntheticCatalog.Start }, tracks, ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => sim.Simulate(SyntheticCatalog.Spec(1, -1, 100), tracks, ct));

        // Track problems surface when enumeration starts, with the offending id.
        var duplicated = tracks.Append(tracks[0]).ToList();
        var ex = Assert.Throws<ArgumentException>(() => sim.Simulate(SyntheticCatalog.Spec(1, 5, 100), duplicated, ct).First());
        Assert.Contains($"{tracks[0].TrackId}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_the_simulation()
    {
        using var cts = new CancellationTokenSource();
        var tracks = SyntheticCatalog.Create();
        using var e = new ListenerSimulator().Simulate(SyntheticCatalog.Spec(1, 200, 10_000), tracks, cts.Token).GetEnumerator();
        Assert.True(e.MoveNext());
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            while (e.MoveNext())
            {
            }
        });
    }

    internal static string Fingerprint(IEnumerable<SimulatedListener> listeners) =>
        string.Join('\n', listeners.Select(l =>
            $"{l.Index}|{l.Name}|{ListenerSimulator.TasteToJson(l.Taste)}|" +
            string.Join(';', l.Plays.Select(p => $"{p.TrackId},{p.StartedAt.UtcTicks},{p.MsPlayed},{p.IsSkip}"))));

    private static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }
}
