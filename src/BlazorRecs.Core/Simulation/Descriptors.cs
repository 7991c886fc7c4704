namespace BlazorRecs.Core.Simulation;

/// <summary>The acoustic space taste lives in, and the fit/skip formulas, kept in one place so the public helpers on
/// <see cref="ListenerTaste"/> and the simulation's hot loop cannot drift apart.</summary>
internal static class Descriptors
{
    public const int Dimensions = 4;

    // 60-180 BPM covers nearly all popular music; mapping it linearly keeps tempo on the same footing as the
    // [0, 1] descriptors, so one tolerance serves all four dimensions.
    public const double MinTempo = 60;
    public const double TempoRange = 120;

    /// <summary>Even a track with zero acoustic fit keeps this much sampling weight: people do play things outside
    /// their comfort zone, and a zero weight would make parts of the catalog unreachable.</summary>
    public const double FitFloor = 0.03;

    public static double NormaliseTempo(double bpm) => Math.Clamp((bpm - MinTempo) / TempoRange, 0, 1);

    public static double TempoFromNormalised(double x) => MinTempo + (x * TempoRange);

    public static Vec Normalise(SimTrack t) =>
        new(NormaliseTempo(t.TempoBpm), Math.Clamp(t.Energy, 0, 1), Math.Clamp(t.Brightness, 0, 1), Math.Clamp(t.Acousticness, 0, 1));

    public static Vec Centre(ListenerTaste taste) =>
        new(NormaliseTempo(taste.PreferredTempoBpm), taste.PreferredEnergy, taste.PreferredBrightness, taste.PreferredAcousticness);

    public static double Fit(in Vec track, in Vec centre, double tolerance) =>
        Math.Exp(-0.5 * Vec.DistanceSquared(track, centre) / (tolerance * tolerance));

    /// <summary>Genre affinity scales fit, but an off-genre track keeps a quarter of it.</summary>
    public static double Affinity(double acousticFit, double genreAffinity) => acousticFit * (0.25 + (0.75 * genreAffinity));

    public static double SkipProbability(ListenerTaste taste, double affinity) =>
        Math.Min(0.95, taste.SkipPropensity + (taste.SkipSensitivity * (1 - affinity)));

    /// <summary>A point in the normalised descriptor space (tempo, energy, brightness, acousticness).</summary>
    public readonly record struct Vec(double Tempo, double Energy, double Brightness, double Acousticness)
    {
        public static double DistanceSquared(in Vec a, in Vec b)
        {
            double d0 = a.Tempo - b.Tempo, d1 = a.Energy - b.Energy, d2 = a.Brightness - b.Brightness, d3 = a.Acousticness - b.Acousticness;
            return (d0 * d0) + (d1 * d1) + (d2 * d2) + (d3 * d3);
        }
    }
}
