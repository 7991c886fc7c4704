namespace BlazorRecs.Core.Simulation;

/// <summary>
/// Draws one listener's hidden taste and generates its history. Touches only the shared read-only catalog and random
/// streams derived from (seed, listener index), so listeners can run on any thread in any order.
/// </summary>
internal sealed class ListenerRun
{
    // Population daily rhythm, listener-local hours 0..23: a night trough, a commute bump, a lunch bump and the
    // evening peak (19-21 h) that streaming services report.
    private static readonly double[] HourWeights =
        [2.0, 1.2, 0.7, 0.4, 0.3, 0.4, 1.0, 2.2, 3.0, 2.6, 2.2, 2.3, 2.8, 2.6, 2.3, 2.4, 2.8, 3.6, 4.6, 5.2, 5.4, 5.0, 4.0, 3.0];

    private static readonly double[] HourCumulative = Cumulative(HourWeights);

    // Weekdays are accepted with this probability and weekends always: about 15% more sessions per weekend day.
    private const double WeekdayAcceptance = 0.87;

    private readonly SimCatalog _catalog;
    private readonly ListenerModelParameters _p;
    private readonly SimulationSpec _spec;
    private readonly Random _rng;
    private readonly ListenerTaste _taste;
    private readonly Descriptors.Vec _centre;
    private readonly double[] _genreAffinity;
    private readonly int[] _likedGenres;
    private readonly double[] _likedGenreCumulative;
    // Per liked genre, prefix sums over that genre's release-ordered tracks of popularity x (floor + fit).
    private readonly double[]?[] _exploreCumulative;
    private readonly List<int> _replayPool = [];

    private ListenerRun(SimCatalog catalog, ListenerModelParameters parameters, SimulationSpec spec, int index, double activity, int expectedPlays)
    {
        _catalog = catalog;
        _p = parameters;
        _spec = spec;
        _taste = DrawTaste(catalog, parameters, spec.Seed, index, activity, expectedPlays);
        _centre = Descriptors.Centre(_taste);
        _rng = SimRandom.Create(spec.Seed, index, SimRandom.Stream.Plays);

        int genreCount = catalog.Genres.Count;
        _genreAffinity = new double[genreCount];
        _exploreCumulative = new double[]?[genreCount];
        double max = _taste.GenreWeights.Values.Max();
        var liked = new List<int>();
        var likedCum = new List<double> { 0 };
        for (int g = 0; g < genreCount; g++)
        {
            if (!_taste.GenreWeights.TryGetValue(catalog.Genres[g], out double w) || w <= 0)
            {
                continue;
            }

            _genreAffinity[g] = w / max;
            liked.Add(g);
            likedCum.Add(likedCum[^1] + w);
            int[] members = catalog.GenreTracks[g].Members;
            double[] cum = new double[members.Length + 1];
            for (int k = 0; k < members.Length; k++)
            {
                int i = members[k];
                cum[k + 1] = cum[k] + (catalog.Popularity[i] * (Descriptors.FitFloor + Fit(i)));
            }

            _exploreCumulative[g] = cum;
        }

        _likedGenres = [.. liked];
        _likedGenreCumulative = [.. likedCum];
    }

    public static SimulatedListener Simulate(SimCatalog catalog, ListenerModelParameters parameters, SimulationSpec spec, int index,
        double activity, int expectedPlays, CancellationToken ct)
    {
        var run = new ListenerRun(catalog, parameters, spec, index, activity, expectedPlays);
        return new SimulatedListener(index, PersonaNames.For(spec.Seed, index), run._taste, run.Generate(ct));
    }

    /// <summary>Log-normal activity weight; drawn apart from the taste so the simulator can total all listeners'
    /// activity before handing out play budgets.</summary>
    public static double DrawActivity(int seed, int index, ListenerModelParameters parameters) =>
        Math.Exp(parameters.ActivitySigma * SimRandom.Normal(SimRandom.Create(seed, index, SimRandom.Stream.Activity)));

    private static ListenerTaste DrawTaste(SimCatalog catalog, ListenerModelParameters p, int seed, int index, double activity, int expectedPlays)
    {
        Random rng = SimRandom.Create(seed, index, SimRandom.Stream.Taste);
        int genreCount = catalog.Genres.Count;

        // Sparse Dirichlet: bigger genres get proportionally more prior mass, so they have more fans.
        double[] w = new double[genreCount];
        for (int g = 0; g < genreCount; g++)
        {
            w[g] = SimRandom.Gamma(rng, Math.Max(1e-3, p.GenreConcentration * genreCount * catalog.GenreShare[g]));
        }

        int top = Array.IndexOf(w, w.Max());
        double total = w.Sum();
        for (int g = 0; g < genreCount; g++)
        {
            w[g] = total > 0 ? w[g] / total : 0;
            if (w[g] < p.MinGenreWeight && g != top)
            {
                w[g] = 0;
            }
        }

        if (!(w[top] > 0))
        {
            w[top] = 1;
        }

        total = w.Sum();
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int g = 0; g < genreCount; g++)
        {
            if (w[g] > 0)
            {
                weights[catalog.Genres[g]] = w[g] / total;
            }
        }

        // The acoustic centre sits near how the favourite genre actually sounds, plus a personal offset: genre and
        // sound agree on average, and the offset is what an audio-aware recommender can learn beyond genre.
        Descriptors.Vec c = catalog.GenreCentroids[top];
        double Jitter(double x) => Math.Clamp(x + (p.PreferenceSpread * SimRandom.Normal(rng)), 0, 1);
        double tempo = Jitter(c.Tempo), energy = Jitter(c.Energy), brightness = Jitter(c.Brightness), acousticness = Jitter(c.Acousticness);
        double tolerance = SimRandom.Uniform(rng, p.MinTolerance, p.MaxTolerance);
        double sessionLength = Math.Clamp(p.MedianSessionLength * Math.Exp(0.4 * SimRandom.Normal(rng)), 1, 100);
        double chronotype = Math.Clamp(1.5 * SimRandom.Normal(rng), -4, 4);
        // Beta with "sample size" 4 around the mean: most listeners near it, a few very exploratory or very loyal.
        double explore = Math.Clamp(SimRandom.Beta(rng, 4 * p.MeanExploration, 4 * (1 - p.MeanExploration)), 0.05, 0.9);
        double rest = (1 - explore) / (p.AlbumWeight + p.ArtistWeight + p.DriftWeight + p.ReplayWeight);
        double newRelease = SimRandom.Uniform(rng, p.MinNewReleaseAffinity, p.MaxNewReleaseAffinity);
        double skipPropensity = SimRandom.Uniform(rng, p.MinSkipPropensity, p.MaxSkipPropensity);
        double skipSensitivity = SimRandom.Uniform(rng, p.MinSkipSensitivity, p.MaxSkipSensitivity);

        return new ListenerTaste(
            weights,
            Descriptors.TempoFromNormalised(tempo), energy, brightness, acousticness, tolerance,
            activity, expectedPlays, sessionLength, chronotype,
            p.AlbumWeight * rest, p.ArtistWeight * rest, p.DriftWeight * rest, p.ReplayWeight * rest, explore,
            newRelease, skipPropensity, skipSensitivity);
    }

    private double Fit(int track) => Descriptors.Fit(_catalog.Vectors[track], _centre, _taste.Tolerance);

    private List<SimulatedPlay> Generate(CancellationToken ct)
    {
        long startTicks = _spec.HistoryStart.UtcTicks, endTicks = _spec.HistoryEnd.UtcTicks;
        var lengths = new List<int>();
        for (int remaining = _taste.ExpectedPlays; remaining > 0;)
        {
            int length = Math.Min(remaining, 1 + SimRandom.Geometric(_rng, 1.0 / _taste.MeanSessionLength));
            lengths.Add(length);
            remaining -= length;
        }

        long[] starts = new long[lengths.Count];
        for (int s = 0; s < starts.Length; s++)
        {
            starts[s] = SessionStart(startTicks, endTicks);
        }

        Array.Sort(starts);
        var plays = new List<SimulatedPlay>(_taste.ExpectedPlays);
        long gapTicks = _p.MinSessionGap.Ticks;
        long previousEnd = long.MinValue;
        for (int s = 0; s < starts.Length; s++)
        {
            ct.ThrowIfCancellationRequested();
            long t = starts[s];
            if (previousEnd != long.MinValue)
            {
                // Sessions never overlap and stay at least MinSessionGap apart, so they can be found again in the log.
                t = Math.Max(t, previousEnd + gapTicks + (long)(_rng.NextDouble() * gapTicks));
            }

            if (t >= endTicks)
            {
                break;
            }

            int previous = -1;
            for (int k = 0; k < lengths[s] && t < endTicks; k++)
            {
                int track = previous < 0 ? Opening(t) : Next(previous, t);
                if (track < 0)
                {
                    break;
                }

                (int ms, bool skip) = Listen(track);
                plays.Add(new SimulatedPlay(_catalog.Tracks[track].TrackId, new DateTimeOffset(t, TimeSpan.Zero), ms, skip));
                if (!skip)
                {
                    _replayPool.Add(track);
                }

                // A skip is followed quickly by the next track; a full listen by the player's gap and some dawdling.
                double gapSeconds = skip ? SimRandom.Uniform(_rng, 0.2, 1.5) : SimRandom.Uniform(_rng, 0.5, 3);
                t += (ms * TimeSpan.TicksPerMillisecond) + (long)(gapSeconds * TimeSpan.TicksPerSecond);
                previous = track;
            }

            previousEnd = t;
        }

        return plays;
    }

    private long SessionStart(long startTicks, long endTicks)
    {
        long dayZero = startTicks - (startTicks % TimeSpan.TicksPerDay);
        int days = (int)Math.Ceiling((double)(endTicks - dayZero) / TimeSpan.TicksPerDay);
        for (int attempt = 0; attempt < 64; attempt++)
        {
            long day = dayZero + (_rng.Next(days) * TimeSpan.TicksPerDay);
            DayOfWeek weekday = new DateTime(day, DateTimeKind.Utc).DayOfWeek;
            bool weekend = weekday is DayOfWeek.Saturday or DayOfWeek.Sunday;
            if (!weekend && _rng.NextDouble() > WeekdayAcceptance)
            {
                continue;
            }

            int bin = SimRandom.SampleCumulative(HourCumulative, 0, HourWeights.Length, _rng);
            // Weekends run an hour later; the chronotype shifts the whole curve. Wrapping keeps the same day.
            double hour = bin + _rng.NextDouble() + _taste.ChronotypeShiftHours + (weekend ? 1 : 0);
            hour = ((hour % 24) + 24) % 24;
            long t = day + (long)(hour * TimeSpan.TicksPerHour);
            if (t >= startTicks && t < endTicks)
            {
                return t;
            }
        }

        // Only reachable for histories of a few hours: fall back to uniform.
        return startTicks + (long)(_rng.NextDouble() * (endTicks - startTicks));
    }

    private int Opening(long t)
    {
        int track = _rng.NextDouble() < _p.SessionStartReplay ? Replay(-1) : -1;
        return track >= 0 ? track : Explore(t);
    }

    private int Next(int previous, long t)
    {
        double u = _rng.NextDouble();
        double album = _taste.AlbumContinuation, artist = album + _taste.ArtistContinuation, drift = artist + _taste.Drift,
            replay = drift + _taste.Replay;
        int choice = u < album ? 0 : u < artist ? 1 : u < drift ? 2 : u < replay ? 3 : 4;

        // An impossible continuation (last album track, a one-track artist, no released neighbour) falls through to
        // the next weaker kind of continuity, and finally to exploration.
        int track = -1;
        if (choice == 0)
        {
            int next = _catalog.NextOnAlbum[previous];
            track = next >= 0 && _catalog.ReleaseTicks[next] <= t ? next : -1;
        }

        if (track < 0 && choice <= 1)
        {
            track = SameArtist(previous, t);
        }

        if (track < 0 && choice <= 2)
        {
            track = Similar(previous, t);
        }

        if (track < 0 && choice == 3)
        {
            track = Replay(previous);
        }

        return track >= 0 ? track : Explore(t);
    }

    private int SameArtist(int previous, long t)
    {
        SimCatalog.ReleaseList list = _catalog.ArtistTracks[_catalog.ArtistOf[previous]];
        int released = list.ReleasedBy(t);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            int k = SimRandom.SampleCumulative(list.PopularityCumulative, 0, released, _rng);
            if (k < 0)
            {
                return -1;
            }

            if (list.Members[k] != previous)
            {
                return list.Members[k];
            }
        }

        return -1;
    }

    private int Similar(int previous, long t)
    {
        // Among the previous track's nearest neighbours that are out, weighted by taste and (damped) popularity: the
        // drift follows the sound but stays within what this listener likes.
        Span<double> cum = stackalloc double[SimCatalog.NeighbourCount + 1];
        Span<int> candidates = stackalloc int[SimCatalog.NeighbourCount];
        int count = 0;
        cum[0] = 0;
        int offset = previous * SimCatalog.NeighbourCount;
        for (int k = 0; k < SimCatalog.NeighbourCount; k++)
        {
            int j = _catalog.Neighbours[offset + k];
            if (j < 0 || _catalog.ReleaseTicks[j] > t)
            {
                continue;
            }

            double weight = (Descriptors.FitFloor + Fit(j)) * Math.Sqrt(_catalog.Popularity[j]);
            candidates[count] = j;
            cum[count + 1] = cum[count] + weight;
            count++;
        }

        if (count == 0)
        {
            return -1;
        }

        double target = _rng.NextDouble() * cum[count];
        for (int k = 0; k < count; k++)
        {
            if (cum[k + 1] > target)
            {
                return candidates[k];
            }
        }

        return candidates[count - 1];
    }

    private int Replay(int previous)
    {
        // Uniform over past counted plays, i.e. proportional to how often each was heard: favourites get more
        // favourite.
        for (int attempt = 0; attempt < 2 && _replayPool.Count > 0; attempt++)
        {
            int track = _replayPool[_rng.Next(_replayPool.Count)];
            if (track != previous)
            {
                return track;
            }
        }

        return -1;
    }

    private int Explore(long t)
    {
        bool recentOnly = _rng.NextDouble() < _taste.NewReleaseAffinity;
        long windowStart = t - _p.NewReleaseWindow.Ticks;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            int g = _likedGenres[SimRandom.SampleCumulative(_likedGenreCumulative, 0, _likedGenres.Length, _rng)];
            SimCatalog.ReleaseList list = _catalog.GenreTracks[g];
            double[] cum = _exploreCumulative[g]!;
            int released = list.ReleasedBy(t);
            int from = 0;
            if (recentOnly)
            {
                // A listener looking for new music tries other liked genres before settling for old releases.
                int old = list.ReleasedBy(windowStart);
                if (cum[released] > cum[old])
                {
                    from = old;
                }
                else if (attempt < 4)
                {
                    continue;
                }
            }

            int k = SimRandom.SampleCumulative(cum, from, released, _rng);
            if (k >= 0)
            {
                return list.Members[k];
            }
        }

        // None of the liked genres has anything out yet: fall back to whatever is popular.
        SimCatalog.ReleaseList all = _catalog.AllByRelease;
        int index = SimRandom.SampleCumulative(all.PopularityCumulative, 0, all.ReleasedBy(t), _rng);
        return index >= 0 ? all.Members[index] : -1;
    }

    private (int MsPlayed, bool IsSkip) Listen(int track)
    {
        SimTrack t = _catalog.Tracks[track];
        double affinity = Descriptors.Affinity(Fit(track), _genreAffinity[_catalog.GenreOf[track]]);
        int threshold = ListenerSimulator.CountingThresholdMs(t.DurationMs);
        if (_rng.NextDouble() < Descriptors.SkipProbability(_taste, affinity))
        {
            // Most skips happen early; squaring the uniform puts more of them in the first seconds. The 2% floor
            // keeps a skip from lasting 0 ms, which no player reports.
            double u = _rng.NextDouble();
            return (Math.Min(threshold - 1, (int)(threshold * (0.02 + (0.98 * u * u)))), true);
        }

        if (_rng.NextDouble() < _p.FullListenShare)
        {
            return (t.DurationMs, false);
        }

        int ms = threshold + (int)(_rng.NextDouble() * (t.DurationMs - threshold + 1));
        return (Math.Min(ms, t.DurationMs), false);
    }

    private static double[] Cumulative(double[] weights)
    {
        double[] cum = new double[weights.Length + 1];
        for (int k = 0; k < weights.Length; k++)
        {
            cum[k + 1] = cum[k] + weights[k];
        }

        return cum;
    }
}
