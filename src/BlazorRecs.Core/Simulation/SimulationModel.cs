namespace BlazorRecs.Core.Simulation;

/// <summary>
/// What the simulation needs to know about one catalog track. The descriptors are measured from the rendered audio by
/// another component; the simulation only reads them, which is what ties simulated taste to how tracks really sound.
/// </summary>
/// <param name="TrackId">The catalog id; plays refer to it.</param>
/// <param name="ArtistId">The performer; sessions continue artists.</param>
/// <param name="AlbumId">The album, if any; sessions continue albums in <paramref name="TrackNumber"/> order.</param>
/// <param name="TrackNumber">Position on the album.</param>
/// <param name="Genre">Genre label; listeners have a sparse mixture over these.</param>
/// <param name="ReleasedAt">No play of the track happens before this instant.</param>
/// <param name="DurationMs">Length of the audio, positive.</param>
/// <param name="TempoBpm">Tempo in beats per minute (the model maps 60 to 180 BPM onto [0, 1]).</param>
/// <param name="Energy">Loudness-based energy in [0, 1].</param>
/// <param name="Brightness">Spectral brightness in [0, 1].</param>
/// <param name="Acousticness">Share of acoustic instrumentation in [0, 1].</param>
public sealed record SimTrack(
    int TrackId,
    int ArtistId,
    int? AlbumId,
    int? TrackNumber,
    string Genre,
    DateTimeOffset ReleasedAt,
    int DurationMs,
    double TempoBpm,
    double Energy,
    double Brightness,
    double Acousticness);

/// <summary>What to simulate: who, over which period, how much.</summary>
/// <param name="Seed">Everything random derives from it; same seed and tracks give the same output.</param>
/// <param name="ListenerCount">Number of personas.</param>
/// <param name="HistoryStart">First instant a play may start (inclusive).</param>
/// <param name="HistoryEnd">End of the history (exclusive). The month before it is the cold-start test month.</param>
/// <param name="TargetPlays">Expected total number of plays across all listeners.</param>
public sealed record SimulationSpec(
    int Seed,
    int ListenerCount,
    DateTimeOffset HistoryStart,
    DateTimeOffset HistoryEnd,
    int TargetPlays = 150_000)
{
    /// <summary>The documented default: 1,000 personas, 13 months ending at <paramref name="historyEnd"/>
    /// (12 months of training history plus the test month), about 150k plays.</summary>
    public static SimulationSpec Default(int seed, DateTimeOffset historyEnd) =>
        new(seed, 1_000, historyEnd.AddMonths(-13), historyEnd);

    /// <summary>Start of the final month, where cold-start items appear.</summary>
    public DateTimeOffset FinalMonthStart => HistoryEnd.AddMonths(-1);
}

/// <summary>
/// A persona's hidden taste: the parameters that generated its history. Stored as JSON for simulated online A/B tests;
/// no recommender may read it. Acoustic preferences are in the same normalised [0, 1] space as the descriptors, except
/// tempo, which is in BPM.
/// </summary>
/// <param name="GenreWeights">Sparse genre mixture (sums to 1, genres with no weight are absent), ordinal order.</param>
/// <param name="PreferredTempoBpm">Centre of the acoustic preference: tempo.</param>
/// <param name="PreferredEnergy">Centre of the acoustic preference: energy.</param>
/// <param name="PreferredBrightness">Centre of the acoustic preference: brightness.</param>
/// <param name="PreferredAcousticness">Centre of the acoustic preference: acousticness.</param>
/// <param name="Tolerance">Width (standard deviation, normalised units) of the Gaussian acoustic preference.</param>
/// <param name="Activity">Relative activity weight (log-normal across listeners, so activity is heavy-tailed).</param>
/// <param name="ExpectedPlays">The play budget this listener's activity gave it.</param>
/// <param name="MeanSessionLength">Mean plays per session.</param>
/// <param name="ChronotypeShiftHours">Shift of the listener's daily rhythm against the population's (hours).</param>
/// <param name="AlbumContinuation">Probability that the next track in a session is the next one on the album.</param>
/// <param name="ArtistContinuation">Probability that the next track is another by the same artist.</param>
/// <param name="Drift">Probability that the next track is a similar-sounding one.</param>
/// <param name="Replay">Probability that the next track is one the listener heard before.</param>
/// <param name="Exploration">Probability that the next track is sampled fresh by genre x taste x popularity.</param>
/// <param name="NewReleaseAffinity">Share of exploration that looks only at recent releases.</param>
/// <param name="SkipPropensity">Skip probability even for a perfectly fitting track.</param>
/// <param name="SkipSensitivity">How much the skip probability rises as the fit falls to zero.</param>
public sealed record ListenerTaste(
    IReadOnlyDictionary<string, double> GenreWeights,
    double PreferredTempoBpm,
    double PreferredEnergy,
    double PreferredBrightness,
    double PreferredAcousticness,
    double Tolerance,
    double Activity,
    int ExpectedPlays,
    double MeanSessionLength,
    double ChronotypeShiftHours,
    double AlbumContinuation,
    double ArtistContinuation,
    double Drift,
    double Replay,
    double Exploration,
    double NewReleaseAffinity,
    double SkipPropensity,
    double SkipSensitivity)
{
    /// <summary>How well the track sounds like what the listener prefers, in (0, 1] (a Gaussian kernel).</summary>
    public double AcousticFit(SimTrack track) =>
        Descriptors.Fit(Descriptors.Normalise(track), Descriptors.Centre(this), Tolerance);

    /// <summary>The track's genre weight relative to the listener's favourite genre, in [0, 1].</summary>
    public double GenreAffinity(string genre)
    {
        double max = GenreWeights.Count == 0 ? 0 : GenreWeights.Values.Max();
        return max > 0 && GenreWeights.TryGetValue(genre, out double w) ? w / max : 0;
    }

    /// <summary>Overall fit in [0, 1]: acoustic fit scaled by genre affinity (an off-genre track is not hopeless,
    /// hence the floor).</summary>
    public double Affinity(SimTrack track) => Descriptors.Affinity(AcousticFit(track), GenreAffinity(track.Genre));

    /// <summary>Probability that the listener skips the track; the simulation uses exactly this, so a simulated
    /// online test can too.</summary>
    public double SkipProbability(SimTrack track) => Descriptors.SkipProbability(this, Affinity(track));
}

/// <summary>One simulated listen.</summary>
/// <param name="TrackId">The track heard.</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="MsPlayed">How much was heard; never more than the track's duration.</param>
/// <param name="IsSkip">True when less than <see cref="ListenerSimulator.CountingThresholdMs"/> was heard.</param>
public sealed record SimulatedPlay(int TrackId, DateTimeOffset StartedAt, int MsPlayed, bool IsSkip);

/// <summary>A persona with its hidden taste and its history.</summary>
/// <param name="Index">Position in the simulation (0-based); the listener's random stream derives from it.</param>
/// <param name="Name">Deterministic display name, unique within a simulation of up to a few thousand listeners.</param>
/// <param name="Taste">The hidden parameters that generated <paramref name="Plays"/>.</param>
/// <param name="Plays">The history in time order.</param>
public sealed record SimulatedListener(int Index, string Name, ListenerTaste Taste, IReadOnlyList<SimulatedPlay> Plays);
