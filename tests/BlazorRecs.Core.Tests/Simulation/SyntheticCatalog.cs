using BlazorRecs.Core.Simulation;

namespace BlazorRecs.Core.Tests.Simulation;

/// <summary>
/// A made-up catalog shaped like the seed catalog: genres whose descriptors cluster around a per-genre sound, artists
/// with an album and a single, ~70% of releases before the history, ~22% during the 12 training months and ~8% in the
/// final (test) month.
/// </summary>
internal static class SyntheticCatalog
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset End = Start.AddMonths(13);

    public static SimulationSpec Spec(int seed, int listeners, int plays) => new(seed, listeners, Start, End, plays);

    /// <summary><paramref name="genres"/> x <paramref name="artistsPerGenre"/> artists, each with an album of
    /// <paramref name="albumTracks"/> tracks and one single.</summary>
    public static List<SimTrack> Create(int genres = 12, int artistsPerGenre = 5, int albumTracks = 4, int seed = 7)
    {
        var rng = new Random(seed);
        var tracks = new List<SimTrack>();
        int trackId = 1, albumId = 1, artistId = 1;
        for (int g = 0; g < genres; g++)
        {
            string genre = $"genre-{g:D2}";
            double tempo = 70 + (rng.NextDouble() * 100);
            double energy = 0.15 + (rng.NextDouble() * 0.7);
            double brightness = 0.15 + (rng.NextDouble() * 0.7);
            double acousticness = 0.15 + (rng.NextDouble() * 0.7);
            for (int a = 0; a < artistsPerGenre; a++, artistId++)
            {
                DateTimeOffset albumRelease = ReleaseDate(rng);
                for (int k = 0; k <= albumTracks; k++)
                {
                    bool single = k == albumTracks;
                    tracks.Add(new SimTrack(
                        trackId++,
                        artistId,
                        single ? null : albumId,
                        single ? null : k + 1,
                        genre,
                        single ? ReleaseDate(rng) : albumRelease,
                        120_000 + rng.Next(180_000),
                        Math.Clamp(tempo + (Noise(rng) * 100), 50, 200),
                        Math.Clamp(energy + Noise(rng), 0, 1),
                        Math.Clamp(brightness + Noise(rng), 0, 1),
                        Math.Clamp(acousticness + Noise(rng), 0, 1)));
                }

                albumId++;
            }
        }

        return tracks;
    }

    private static double Noise(Random rng) => (rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 0.16;

    private static DateTimeOffset ReleaseDate(Random rng)
    {
        double u = rng.NextDouble();
        if (u < 0.70)
        {
            return Start.AddDays(-rng.NextDouble() * 3 * 365);
        }

        DateTimeOffset finalMonth = End.AddMonths(-1);
        return u < 0.92
            ? Start.AddTicks((long)(rng.NextDouble() * (finalMonth - Start).Ticks))
            : finalMonth.AddTicks((long)(rng.NextDouble() * 0.9 * (End - finalMonth).Ticks));
    }
}
