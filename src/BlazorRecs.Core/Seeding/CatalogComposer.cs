using System.Globalization;
using System.Text;

namespace BlazorRecs.Core.Seeding;

/// <summary>
/// Plans a deterministic catalog (artists, albums, tracks, release dates, composition parameters) from a
/// <see cref="CatalogSpec"/> and composes each track as a General MIDI file, all from the readable definitions in
/// <c>seed/</c>. Every random choice comes from a <see cref="Random"/> derived from (seed, kind, index), so planning
/// and composing give the same result in any order and on any thread.
/// </summary>
public sealed partial class CatalogComposer
{
    private const double BackCatalogShare = 0.7;
    private const double FinalMonthTrackShare = 0.06;
    private const int BackCatalogYears = 10;

    private readonly SeedDefinitions _defs;

    /// <summary>Uses already loaded definitions.</summary>
    public CatalogComposer(SeedDefinitions definitions) => _defs = definitions;

    /// <summary>Loads the definitions from <paramref name="definitionsDirectory"/> (null: <see cref="SeedDefinitions.DefaultDirectory"/>).</summary>
    public CatalogComposer(string? definitionsDirectory = null) : this(SeedDefinitions.Load(definitionsDirectory)) { }

    /// <summary>The definitions this composer draws from.</summary>
    public SeedDefinitions Definitions => _defs;

    /// <summary>Plans the catalog: names, genres, album grouping, release dates and each track's style.</summary>
    public CatalogPlan Plan(CatalogSpec spec)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.TrackCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.TrackSeconds, 2);
        if (spec.HistoryEnd <= spec.HistoryStart.AddMonths(1))
        {
            throw new ArgumentException("The history window must be longer than a month.", nameof(spec));
        }

        Random rng = SeedRandom.For(spec.Seed, SeedRandom.CatalogStream, 0);
        var genres = _defs.Music.Genres.Select(g => g.Name).ToList();
        Shuffle(rng, genres);

        int[] tracksPerArtist = SplitTracksAmongArtists(rng, spec.TrackCount);
        var artists = new List<ArtistPlan>();
        var signatures = new List<ArtistSignature>();
        var albums = new List<AlbumPlan>();
        var albumSizes = new List<int>();
        var names = new NameGenerator(_defs.Names);
        var usedArtistNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int a = 0; a < tracksPerArtist.Length; a++)
        {
            Random artistRng = SeedRandom.For(spec.Seed, SeedRandom.ArtistStream, a);
            string genre = genres[a % genres.Count];
            string name = names.Unique(artistRng, _defs.Names.ArtistTemplates, genre, usedArtistNames);
            artists.Add(new ArtistPlan(a, name, genre));
            signatures.Add(ArtistSignature.Draw(artistRng, _defs.Genre(genre)));

            var usedAlbumTitles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (int size in SplitIntoAlbums(artistRng, tracksPerArtist[a]))
            {
                string title = names.Unique(artistRng, _defs.Names.AlbumTemplates, genre, usedAlbumTitles);
                albums.Add(new AlbumPlan(albums.Count, a, title, default));
                albumSizes.Add(size);
            }
        }

        albums = AssignReleaseDates(spec, albums, albumSizes);

        var tracks = new List<TrackPlan>(spec.TrackCount);
        foreach (AlbumPlan album in albums)
        {
            var usedTitles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            ArtistPlan artist = artists[album.ArtistIndex];
            for (int n = 1; n <= albumSizes[album.Index]; n++)
            {
                int index = tracks.Count;
                Random trackRng = SeedRandom.For(spec.Seed, SeedRandom.TrackStream, index);
                string title = names.Unique(trackRng, _defs.Names.TrackTemplates, artist.Genre, usedTitles);
                (int tempo, TrackStyle style) = signatures[artist.Index].DrawTrack(trackRng, _defs, _defs.Genre(artist.Genre));
                tracks.Add(new TrackPlan(index, album.Index, artist.Index, n, title, artist.Genre, album.ReleasedAt, tempo, style));
            }
        }

        return new CatalogPlan(spec, artists, albums, tracks);
    }

    /// <summary>Composes <paramref name="track"/> as a Standard MIDI File (format 1) of exactly
    /// <see cref="CatalogSpec.TrackSeconds"/>.</summary>
    public byte[] ComposeMidi(CatalogPlan plan, TrackPlan track)
    {
        var song = new SongBuilder(_defs, _defs.Genre(track.Genre), track, plan.Spec.TrackSeconds,
            SeedRandom.For(plan.Spec.Seed, SeedRandom.ComposeStream, track.Index));
        return song.Build();
    }

    // Every artist gets at least three tracks (one album) where the catalog is big enough; at least one artist per
    // genre once there are 36 tracks, about nine tracks an artist beyond that, unevenly so some artists are prolific.
    private int[] SplitTracksAmongArtists(Random rng, int trackCount)
    {
        int genreCount = _defs.Music.Genres.Count;
        int artistCount = Math.Max(1, Math.Min(trackCount / 3, Math.Max(genreCount, (int)Math.Round(trackCount / 9.0))));
        int minimum = Math.Min(3, trackCount / artistCount);
        var counts = Enumerable.Repeat(minimum, artistCount).ToArray();
        double[] weights = Enumerable.Range(0, artistCount).Select(_ => 0.4 + rng.NextDouble() * 1.2).ToArray();
        double total = weights.Sum();
        for (int left = trackCount - minimum * artistCount; left > 0; left--)
        {
            double pick = rng.NextDouble() * total;
            int a = 0;
            while (a < artistCount - 1 && pick >= weights[a])
            {
                pick -= weights[a++];
            }

            counts[a]++;
        }

        return counts;
    }

    private static List<int> SplitIntoAlbums(Random rng, int tracks)
    {
        var sizes = new List<int>();
        while (tracks > 0)
        {
            int size = tracks <= 6 ? tracks : Math.Min(rng.Next(3, 7), tracks - 3);
            sizes.Add(size);
            tracks -= size;
        }

        return sizes;
    }

    // About 70% of albums are back catalogue (up to ten years before the history); the rest are spread over the
    // history, and enough of them fall in its final month that at least ~6% of tracks are cold there. Each artist's
    // albums are dated in index order so discographies read chronologically.
    private static List<AlbumPlan> AssignReleaseDates(CatalogSpec spec, List<AlbumPlan> albums, List<int> sizes)
    {
        Random rng = SeedRandom.For(spec.Seed, SeedRandom.DateStream, 0);
        DateTimeOffset finalMonth = spec.HistoryEnd.AddMonths(-1);
        int historyDays = Math.Max(1, (int)(finalMonth - spec.HistoryStart).TotalDays);
        int finalDays = Math.Max(1, (int)(spec.HistoryEnd - finalMonth).TotalDays);
        int backDays = BackCatalogYears * 365;

        int[] order = Enumerable.Range(0, albums.Count).ToArray();
        Shuffle(rng, order);
        int newCount = albums.Count - (int)Math.Round(albums.Count * BackCatalogShare);
        if (albums.Count > 1)
        {
            newCount = Math.Max(newCount, 1);
        }

        var dates = new DateTimeOffset[albums.Count];
        int finalTracks = 0, needFinal = (int)Math.Ceiling(spec.TrackCount * FinalMonthTrackShare);
        for (int i = 0; i < order.Length; i++)
        {
            int album = order[i];
            if (i < newCount && finalTracks < needFinal)
            {
                dates[album] = finalMonth.AddDays(rng.Next(finalDays));
                finalTracks += sizes[album];
            }
            else if (i < newCount)
            {
                dates[album] = spec.HistoryStart.AddDays(rng.Next(historyDays));
            }
            else
            {
                dates[album] = spec.HistoryStart.AddDays(-1 - rng.Next(backDays));
            }
        }

        var result = new List<AlbumPlan>(albums.Count);
        foreach (var byArtist in albums.GroupBy(a => a.ArtistIndex))
        {
            var sorted = byArtist.Select(a => dates[a.Index]).Order().ToList();
            int k = 0;
            foreach (AlbumPlan album in byArtist)
            {
                result.Add(album with { ReleasedAt = sorted[k++] });
            }
        }

        return result.OrderBy(a => a.Index).ToList();
    }

    private static void Shuffle<T>(Random rng, IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>What stays the same across an artist's tracks: instruments, tempo band, key and mode habits, groove
    /// and form. Tracks deviate from it now and then, as real artists do.</summary>
    private sealed record ArtistSignature(
        string Lead, string Chords, string Bass, string? Pad, string? Kit, int Pattern, int TempoLow, int TempoHigh,
        int[] Keys, int Harmony, int Form, int BeatsPerBar, string ChordStyle, string BassStyle, double Dynamics)
    {
        public static ArtistSignature Draw(Random rng, GenreDefinition g)
        {
            int span = g.Tempo[1] - g.Tempo[0];
            int band = Math.Max(2, span / 4);
            int low = g.Tempo[0] + rng.Next(span - band + 1);
            string? pad = g.Pad.Count > 0 && rng.NextDouble() < 0.7 ? rng.Pick(g.Pad) : null;
            string? kit = g.Drums.Kits.Count > 0 && g.Drums.Patterns.Count > 0 ? rng.Pick(g.Drums.Kits) : null;
            int[] keys = [rng.Next(12), rng.Next(12)];
            return new ArtistSignature(
                rng.Pick(g.Lead), rng.Pick(g.Chords), rng.Pick(g.Bass), pad, kit,
                g.Drums.Patterns.Count > 0 ? rng.Next(g.Drums.Patterns.Count) : 0,
                low, low + band, keys, rng.Next(g.Harmony.Count), rng.Next(g.Forms.Count), rng.Pick(g.BeatsPerBar),
                rng.Pick(g.ChordStyle), rng.Pick(g.BassStyle), 0.8 + 0.2 * rng.NextDouble());
        }

        public (int Tempo, TrackStyle Style) DrawTrack(Random rng, SeedDefinitions defs, GenreDefinition g)
        {
            int tempo = rng.Next(TempoLow, TempoHigh + 1);
            int key = rng.NextDouble() < 0.8 ? Keys[rng.Next(Keys.Length)] : rng.Next(12);
            int harmony = rng.NextDouble() < 0.75 ? Harmony : rng.Next(g.Harmony.Count);
            int progression = rng.Next(g.Harmony[harmony].Progressions.Count);
            int form = rng.NextDouble() < 0.7 ? Form : rng.Next(g.Forms.Count);
            string lead = rng.NextDouble() < 0.85 ? Lead : rng.Pick(g.Lead);
            int pattern = g.Drums.Patterns.Count == 0 ? 0 : rng.NextDouble() < 0.7 ? Pattern : rng.Next(g.Drums.Patterns.Count);
            int beats = rng.NextDouble() < 0.85 ? BeatsPerBar : rng.Pick(g.BeatsPerBar);
            string chordStyle = rng.NextDouble() < 0.8 ? ChordStyle : rng.Pick(g.ChordStyle);
            double dynamics = Math.Clamp(Dynamics + (rng.NextDouble() - 0.5) * 0.1, 0, 1);
            var style = new TrackStyle(key, g.Harmony[harmony].Mode, beats, g.Swing, g.SwingUnit, lead, Chords, Bass, Pad, Kit,
                pattern, harmony, progression, form, chordStyle, BassStyle, Math.Round(dynamics, 3), 0);
            return (tempo, style with { Acousticness = Acousticness(defs, style) });
        }

        // Weighted by how much of the texture each role carries; the lead is what a listener notices first.
        private static double Acousticness(SeedDefinitions defs, TrackStyle s)
        {
            var parts = new List<(double Weight, bool Acoustic)>
            {
                (0.35, defs.Music.Instruments[s.Lead].Acoustic),
                (0.25, defs.Music.Instruments[s.Chords].Acoustic),
                (0.2, defs.Music.Instruments[s.Bass].Acoustic),
            };
            if (s.Pad is { } pad)
            {
                parts.Add((0.1, defs.Music.Instruments[pad].Acoustic));
            }

            if (s.DrumKit is { } kit)
            {
                parts.Add((0.2, defs.Music.DrumKits[kit].Acoustic));
            }

            return Math.Round(parts.Where(p => p.Acoustic).Sum(p => p.Weight) / parts.Sum(p => p.Weight), 3);
        }
    }

    /// <summary>Fills name templates from the word lists.</summary>
    private sealed class NameGenerator(NameDefinitions names)
    {
        public string Unique(Random rng, IReadOnlyList<string> templates, string genre, HashSet<string> used)
        {
            for (int attempt = 0; attempt < 20; attempt++)
            {
                string candidate = Fill(rng, rng.Pick(templates), genre);
                if (used.Add(candidate))
                {
                    return candidate;
                }
            }

            // The word lists are finite; a roman numeral keeps the name unique and still plausible.
            string baseName = Fill(rng, rng.Pick(templates), genre);
            for (int n = 2; ; n++)
            {
                string candidate = $"{baseName} {ToRoman(n)}";
                if (used.Add(candidate))
                {
                    return candidate;
                }
            }
        }

        private string Fill(Random rng, string template, string genre)
        {
            names.GenreWords.TryGetValue(genre, out GenreWords? extra);
            var text = new StringBuilder();
            int at = 0;
            while (at < template.Length)
            {
                int open = template.IndexOf('{', at);
                if (open < 0)
                {
                    text.Append(template, at, template.Length - at);
                    break;
                }

                int close = template.IndexOf('}', open);
                text.Append(template, at, open - at);
                string slot = template[(open + 1)..close];
                text.Append(slot switch
                {
                    "first" => rng.Pick(names.First),
                    "last" => rng.Pick(names.Last),
                    "adj" => Word(rng, names.Adj, extra?.Adj),
                    "noun" => Word(rng, names.Noun, extra?.Noun),
                    "nouns" => Word(rng, names.Nouns, extra?.Nouns),
                    "place" => rng.Pick(names.Place),
                    "color" => rng.Pick(names.Color),
                    "number" => rng.Next(2, 10).ToString(CultureInfo.InvariantCulture),
                    _ => throw new InvalidDataException($"names.json: unknown placeholder '{{{slot}}}' in '{template}'."),
                });
                at = close + 1;
            }

            return text.ToString();
        }

        // Genre words are favoured so a metal band sounds like one, without losing the shared vocabulary.
        private static string Word(Random rng, IReadOnlyList<string> shared, IReadOnlyList<string>? genre)
            => genre is { Count: > 0 } && rng.NextDouble() < 0.5 ? rng.Pick(genre) : rng.Pick(shared);

        private static string ToRoman(int n) => n switch
        {
            <= 3 => new string('I', n),
            4 => "IV",
            < 9 => "V" + new string('I', n - 5),
            9 => "IX",
            _ => n.ToString(CultureInfo.InvariantCulture),
        };
    }
}
