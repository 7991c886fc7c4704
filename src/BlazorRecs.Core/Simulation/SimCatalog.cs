namespace BlazorRecs.Core.Simulation;

/// <summary>
/// Read-only indexes over the track list, built once per simulation and shared by all listener threads, so that no
/// play costs O(tracks): per-genre and per-artist lists sorted by release (a binary search finds what is out at a
/// given time), popularity prefix sums, album successors and descriptor-space neighbours.
/// </summary>
internal sealed class SimCatalog
{
    /// <summary>Neighbours kept per track for drift.</summary>
    public const int NeighbourCount = 10;

    public SimCatalog(IReadOnlyList<SimTrack> tracks, int seed, ListenerModelParameters parameters, CancellationToken ct)
    {
        int n = tracks.Count;
        Tracks = new SimTrack[n];
        Vectors = new Descriptors.Vec[n];
        ReleaseTicks = new long[n];
        Popularity = new double[n];
        GenreOf = new int[n];

        var seen = new HashSet<int>();
        for (int i = 0; i < n; i++)
        {
            SimTrack t = tracks[i] ?? throw new ArgumentException($"Track {i} is null.", nameof(tracks));
            if (!seen.Add(t.TrackId))
            {
                throw new ArgumentException($"Track id {t.TrackId} appears twice.", nameof(tracks));
            }

            if (t.DurationMs <= 0)
            {
                throw new ArgumentException($"Track {t.TrackId} has a non-positive duration ({t.DurationMs} ms).", nameof(tracks));
            }

            if (!double.IsFinite(t.TempoBpm) || !double.IsFinite(t.Energy) || !double.IsFinite(t.Brightness) || !double.IsFinite(t.Acousticness))
            {
                throw new ArgumentException($"Track {t.TrackId} has a missing (non-finite) audio descriptor.", nameof(tracks));
            }

            ArgumentException.ThrowIfNullOrEmpty(t.Genre, $"{nameof(tracks)}[{i}].Genre");
            Tracks[i] = t;
            Vectors[i] = Descriptors.Normalise(t);
            ReleaseTicks[i] = t.ReleasedAt.UtcTicks;
            Popularity[i] = LatentPopularity(seed, t.TrackId, parameters);
        }

        Genres = [.. tracks.Select(t => t.Genre).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var genreIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int g = 0; g < Genres.Count; g++)
        {
            genreIndex[Genres[g]] = g;
        }

        for (int i = 0; i < n; i++)
        {
            GenreOf[i] = genreIndex[Tracks[i].Genre];
        }

        // Release order with the track id as tie-breaker, so the order (and everything sampled from it) does not
        // depend on the caller's list order.
        int[] byRelease = [.. Enumerable.Range(0, n).OrderBy(i => ReleaseTicks[i]).ThenBy(i => Tracks[i].TrackId)];
        AllByRelease = new ReleaseList(byRelease, ReleaseTicks, Popularity);

        GenreTracks = new ReleaseList[Genres.Count];
        GenreCentroids = new Descriptors.Vec[Genres.Count];
        GenreShare = new double[Genres.Count];
        foreach (var group in byRelease.GroupBy(i => GenreOf[i]))
        {
            int[] members = [.. group];
            GenreTracks[group.Key] = new ReleaseList(members, ReleaseTicks, Popularity);
            GenreShare[group.Key] = (double)members.Length / n;
            GenreCentroids[group.Key] = new Descriptors.Vec(
                members.Average(i => Vectors[i].Tempo),
                members.Average(i => Vectors[i].Energy),
                members.Average(i => Vectors[i].Brightness),
                members.Average(i => Vectors[i].Acousticness));
        }

        ArtistOf = new int[n];
        var artists = byRelease.GroupBy(i => Tracks[i].ArtistId).ToList();
        ArtistTracks = new ReleaseList[artists.Count];
        for (int a = 0; a < artists.Count; a++)
        {
            int[] members = [.. artists[a]];
            ArtistTracks[a] = new ReleaseList(members, ReleaseTicks, Popularity);
            foreach (int i in members)
            {
                ArtistOf[i] = a;
            }
        }

        NextOnAlbum = new int[n];
        Array.Fill(NextOnAlbum, -1);
        foreach (var album in Enumerable.Range(0, n).Where(i => Tracks[i].AlbumId is not null).GroupBy(i => Tracks[i].AlbumId!.Value))
        {
            int[] ordered = [.. album.OrderBy(i => Tracks[i].TrackNumber ?? int.MaxValue).ThenBy(i => Tracks[i].TrackId)];
            for (int k = 0; k + 1 < ordered.Length; k++)
            {
                NextOnAlbum[ordered[k]] = ordered[k + 1];
            }
        }

        Neighbours = DescriptorNeighbours.Compute(Vectors, Tracks, NeighbourCount, ct);
    }

    public SimTrack[] Tracks { get; }
    public Descriptors.Vec[] Vectors { get; }
    public long[] ReleaseTicks { get; }
    public double[] Popularity { get; }
    public IReadOnlyList<string> Genres { get; }
    public int[] GenreOf { get; }
    public ReleaseList[] GenreTracks { get; }
    public Descriptors.Vec[] GenreCentroids { get; }
    public double[] GenreShare { get; }
    public int[] ArtistOf { get; }
    public ReleaseList[] ArtistTracks { get; }
    public int[] NextOnAlbum { get; }
    public ReleaseList AllByRelease { get; }

    /// <summary><see cref="NeighbourCount"/> nearest tracks per track, flattened, nearest first, -1 padded.</summary>
    public int[] Neighbours { get; }

    /// <summary>
    /// A Pareto-distributed popularity from a hash of (seed, track id): deterministic, independent of which other
    /// tracks are in the catalog, and heavy-tailed (with the default shape 0.6, a quarter of the tracks are over 10x the minimum and 6% over 100x).
    /// </summary>
    public static double LatentPopularity(int seed, int trackId, ListenerModelParameters parameters)
    {
        double u = SimRandom.Unit(SimRandom.Hash(seed, trackId, SimRandom.Stream.Popularity));
        return Math.Min(parameters.MaxPopularity, Math.Pow(u, -1.0 / parameters.PopularityShape));
    }

    /// <summary>Track indices in release order with their release ticks and a popularity prefix sum.</summary>
    internal sealed class ReleaseList
    {
        public ReleaseList(int[] members, long[] releaseTicks, double[] popularity)
        {
            Members = members;
            Ticks = new long[members.Length];
            PopularityCumulative = new double[members.Length + 1];
            for (int k = 0; k < members.Length; k++)
            {
                Ticks[k] = releaseTicks[members[k]];
                PopularityCumulative[k + 1] = PopularityCumulative[k] + popularity[members[k]];
            }
        }

        public int[] Members { get; }
        public long[] Ticks { get; }
        public double[] PopularityCumulative { get; }

        /// <summary>How many members are out at <paramref name="ticks"/>: they are the prefix of that length.</summary>
        public int ReleasedBy(long ticks) => SimRandom.CountAtMost(Ticks, ticks);
    }
}
