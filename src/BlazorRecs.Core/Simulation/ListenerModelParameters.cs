namespace BlazorRecs.Core.Simulation;

/// <summary>
/// The knobs of the generative listener model, with the defaults documented in seed/SIMULATION.md. Plain data so the
/// values can be kept in a JSON file beside the catalog definitions and compared between runs.
/// </summary>
public sealed record ListenerModelParameters
{
    /// <summary>Dirichlet concentration per genre (scaled by the genre's share of the catalog times the number of
    /// genres). Small values give each listener one to three dominant genres.</summary>
    public double GenreConcentration { get; init; } = 0.12;

    /// <summary>Genre weights below this are dropped and the rest renormalised, so mixtures are truly sparse.</summary>
    public double MinGenreWeight { get; init; } = 0.03;

    /// <summary>Standard deviation (normalised units) of a listener's acoustic centre around their favourite genre's
    /// centroid: the personal part of taste that audio can explain and genre cannot.</summary>
    public double PreferenceSpread { get; init; } = 0.10;

    /// <summary>Range of the per-listener acoustic tolerance (normalised units).</summary>
    public double MinTolerance { get; init; } = 0.12;

    /// <summary>Upper end of the acoustic tolerance range.</summary>
    public double MaxTolerance { get; init; } = 0.28;

    /// <summary>Sigma of the log-normal activity weight; 1.0 gives the top 10% of listeners roughly a third of the
    /// plays.</summary>
    public double ActivitySigma { get; init; } = 1.0;

    /// <summary>Every listener gets at least this many plays (before the history end truncates).</summary>
    public int MinPlaysPerListener { get; init; } = 10;

    /// <summary>Median plays per session (log-normal across listeners, sigma 0.4).</summary>
    public double MedianSessionLength { get; init; } = 7;

    /// <summary>Mean of the per-listener exploration probability (Beta-distributed across listeners).</summary>
    public double MeanExploration { get; init; } = 0.30;

    /// <summary>How the non-exploring part of a session splits: next album track, same artist, similar sound,
    /// replay. Normalised; these are relative weights.</summary>
    public double AlbumWeight { get; init; } = 0.35;

    /// <summary>Relative weight of "another track by the same artist".</summary>
    public double ArtistWeight { get; init; } = 0.20;

    /// <summary>Relative weight of "a similar-sounding track" (descriptor-space neighbour within taste).</summary>
    public double DriftWeight { get; init; } = 0.30;

    /// <summary>Relative weight of "a track the listener already liked".</summary>
    public double ReplayWeight { get; init; } = 0.15;

    /// <summary>Probability that a session opens with a replay (when the listener has history) rather than an
    /// exploration draw.</summary>
    public double SessionStartReplay { get; init; } = 0.35;

    /// <summary>Range of the share of exploration restricted to recent releases (the new-release boost).</summary>
    public double MinNewReleaseAffinity { get; init; } = 0.15;

    /// <summary>Upper end of the new-release affinity range.</summary>
    public double MaxNewReleaseAffinity { get; init; } = 0.40;

    /// <summary>How recent a "recent release" is.</summary>
    public TimeSpan NewReleaseWindow { get; init; } = TimeSpan.FromDays(28);

    /// <summary>Pareto shape of the latent track popularity; smaller is more skewed.</summary>
    public double PopularityShape { get; init; } = 0.6;

    /// <summary>Cap on the latent popularity (the minimum is 1) so a single track cannot swallow a genre.</summary>
    public double MaxPopularity { get; init; } = 1000;

    /// <summary>Range of the skip probability of a perfectly fitting track.</summary>
    public double MinSkipPropensity { get; init; } = 0.02;

    /// <summary>Upper end of the base skip range.</summary>
    public double MaxSkipPropensity { get; init; } = 0.10;

    /// <summary>Range of the extra skip probability of a track with zero fit.</summary>
    public double MinSkipSensitivity { get; init; } = 0.15;

    /// <summary>Upper end of the skip sensitivity range.</summary>
    public double MaxSkipSensitivity { get; init; } = 0.40;

    /// <summary>Share of counted (non-skipped) plays that are heard to the end; the rest stop somewhere past the
    /// counting threshold.</summary>
    public double FullListenShare { get; init; } = 0.8;

    /// <summary>Quiet time that separates two sessions at least; <see cref="SimulationStatistics"/> uses it to find
    /// session boundaries again.</summary>
    public TimeSpan MinSessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The defaults.</summary>
    public static ListenerModelParameters Default { get; } = new();

    /// <summary>Throws when a value is outside its meaningful range, naming the property.</summary>
    public void Validate()
    {
        Positive(GenreConcentration, nameof(GenreConcentration));
        InRange(MinGenreWeight, 0, 0.5, nameof(MinGenreWeight));
        InRange(PreferenceSpread, 0, 1, nameof(PreferenceSpread));
        Positive(MinTolerance, nameof(MinTolerance));
        InRange(MaxTolerance, MinTolerance, 10, nameof(MaxTolerance));
        InRange(ActivitySigma, 0, 5, nameof(ActivitySigma));
        ArgumentOutOfRangeException.ThrowIfNegative(MinPlaysPerListener);
        InRange(MedianSessionLength, 1, 1_000, nameof(MedianSessionLength));
        InRange(MeanExploration, 0.01, 0.99, nameof(MeanExploration));
        InRange(AlbumWeight, 0, 1_000, nameof(AlbumWeight));
        InRange(ArtistWeight, 0, 1_000, nameof(ArtistWeight));
        InRange(DriftWeight, 0, 1_000, nameof(DriftWeight));
        InRange(ReplayWeight, 0, 1_000, nameof(ReplayWeight));
        Positive(AlbumWeight + ArtistWeight + DriftWeight + ReplayWeight, "AlbumWeight+ArtistWeight+DriftWeight+ReplayWeight");
        InRange(SessionStartReplay, 0, 1, nameof(SessionStartReplay));
        InRange(MinNewReleaseAffinity, 0, 1, nameof(MinNewReleaseAffinity));
        InRange(MaxNewReleaseAffinity, MinNewReleaseAffinity, 1, nameof(MaxNewReleaseAffinity));
        if (NewReleaseWindow <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(NewReleaseWindow), NewReleaseWindow, "must be positive");
        }

        Positive(PopularityShape, nameof(PopularityShape));
        InRange(MaxPopularity, 1, 1e9, nameof(MaxPopularity));
        InRange(MinSkipPropensity, 0, 1, nameof(MinSkipPropensity));
        InRange(MaxSkipPropensity, MinSkipPropensity, 1, nameof(MaxSkipPropensity));
        InRange(MinSkipSensitivity, 0, 1, nameof(MinSkipSensitivity));
        InRange(MaxSkipSensitivity, MinSkipSensitivity, 1, nameof(MaxSkipSensitivity));
        InRange(FullListenShare, 0, 1, nameof(FullListenShare));
        if (MinSessionGap < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinSessionGap), MinSessionGap, "must be at least a minute");
        }
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "must be positive and finite");
        }
    }

    private static void InRange(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max))
        {
            throw new ArgumentOutOfRangeException(name, value, $"must lie in [{min}, {max}]");
        }
    }
}
