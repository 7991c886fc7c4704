using System.Text.Json;
using System.Xml.Linq;
using BlazorRecs.Core.Seeding;

namespace BlazorRecs.Core.Tests.Seeding;

public sealed class CatalogPlanTests
{
    internal static readonly DateTimeOffset HistoryStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    internal static readonly DateTimeOffset HistoryEnd = HistoryStart.AddMonths(13);
    private static readonly CatalogComposer Composer = new();

    internal static CatalogSpec Spec(int seed, int tracks, int seconds = 30) => new(seed, tracks, HistoryStart, HistoryEnd, seconds);

    [Fact]
    public void The_same_seed_plans_the_same_catalog_and_another_seed_a_different_one()
    {
        // Two composers, so nothing cached in one instance can make the plans agree.
        string first = JsonSerializer.Serialize(new CatalogComposer().Plan(Spec(7, 120)));
        string second = JsonSerializer.Serialize(new CatalogComposer().Plan(Spec(7, 120)));
        string other = JsonSerializer.Serialize(new CatalogComposer().Plan(Spec(8, 120)));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_track_depends_on_its_index_not_on_how_many_tracks_come_after_it()
    {
        CatalogPlan plan = Composer.Plan(Spec(3, 60));
        byte[] once = Composer.ComposeMidi(plan, plan.Tracks[17]);
        byte[] again = Composer.ComposeMidi(plan, plan.Tracks[17]);
        Assert.Equal(once, again);
        Assert.NotEqual(once, Composer.ComposeMidi(plan, plan.Tracks[18]));
    }

    [Fact]
    public void A_catalog_of_120_tracks_covers_every_genre_with_consistent_artists_and_albums()
    {
        CatalogPlan plan = Composer.Plan(Spec(42, 120));

        Assert.Equal(120, plan.Tracks.Count);
        string[] expected = ["rock", "metal", "jazz", "blues", "classical", "electronic", "ambient", "hip-hop", "folk", "latin", "reggae", "funk"];
        Assert.Equal(expected.Order(), plan.Tracks.Select(t => t.Genre).Distinct().Order());
        Assert.Equal(plan.Artists.Count, plan.Artists.Select(a => a.Name).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 120), plan.Tracks.Select(t => t.Index));

        foreach (TrackPlan track in plan.Tracks)
        {
            AlbumPlan album = plan.Albums[track.AlbumIndex];
            Assert.Equal(album.ArtistIndex, track.ArtistIndex);
            Assert.Equal(plan.Artists[track.ArtistIndex].Genre, track.Genre);
            Assert.Equal(album.ReleasedAt, track.ReleasedAt);
            GenreDefinition genre = Composer.Definitions.Genre(track.Genre);
            Assert.InRange(track.TempoBpm, genre.Tempo[0], genre.Tempo[1]);
            Assert.InRange(track.Style.Acousticness, 0, 1);
        }

        foreach (IGrouping<int, TrackPlan> album in plan.Tracks.GroupBy(t => t.AlbumIndex))
        {
            Assert.Equal(Enumerable.Range(1, album.Count()), album.Select(t => t.TrackNumber));
            Assert.Equal(album.Count(), album.Select(t => t.Title).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        }

        // Several albums per artist for most artists, several tracks per album.
        Assert.True(plan.Albums.GroupBy(a => a.ArtistIndex).Count(g => g.Count() >= 2) >= plan.Artists.Count / 2);
        Assert.True(plan.Tracks.GroupBy(t => t.AlbumIndex).All(g => g.Count() >= 3));
    }

    [Fact]
    public void A_benchmark_sized_plan_of_20000_tracks_keeps_names_unique_and_covers_every_genre()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        CatalogPlan plan = Composer.Plan(Spec(42, 20_000));
        TestContext.Current.SendDiagnosticMessage($"planned 20,000 tracks in {clock.Elapsed.TotalSeconds:0.00} s");

        Assert.Equal(20_000, plan.Tracks.Count);
        Assert.Equal(12, plan.Tracks.Select(t => t.Genre).Distinct().Count());
        Assert.Equal(plan.Artists.Count, plan.Artists.Select(a => a.Name).Distinct().Count());
        Assert.Equal(plan.Albums.Count, plan.Albums.Select(a => (a.ArtistIndex, a.Title)).Distinct().Count());
        Assert.All(plan.Tracks.GroupBy(t => t.AlbumIndex), album =>
            Assert.Equal(album.Count(), album.Select(t => t.Title).Distinct(StringComparer.OrdinalIgnoreCase).Count()));
    }

    [Fact]
    public void An_artist_keeps_a_signature_across_tracks()
    {
        CatalogPlan plan = Composer.Plan(Spec(42, 240));
        foreach (IGrouping<int, TrackPlan> artist in plan.Tracks.GroupBy(t => t.ArtistIndex).Where(g => g.Count() >= 6))
        {
            Assert.Single(artist.Select(t => t.Style.Bass).Distinct());
            Assert.Single(artist.Select(t => t.Style.Chords).Distinct());
            double band = artist.Max(t => t.TempoBpm) - artist.Min(t => t.TempoBpm);
            GenreDefinition genre = Composer.Definitions.Genre(artist.First().Genre);
            Assert.True(band <= Math.Max(2, (genre.Tempo[1] - genre.Tempo[0]) / 4), $"{artist.Key}: tempo band {band}");
        }
    }

    [Theory]
    [InlineData(1, 120)]
    [InlineData(42, 500)]
    [InlineData(99, 40)]
    public void Release_dates_leave_most_albums_in_the_back_catalogue_and_some_tracks_cold_in_the_final_month(int seed, int tracks)
    {
        CatalogPlan plan = Composer.Plan(Spec(seed, tracks));
        DateTimeOffset finalMonth = HistoryEnd.AddMonths(-1);

        double backShare = plan.Albums.Count(a => a.ReleasedAt < HistoryStart) / (double)plan.Albums.Count;
        Assert.InRange(backShare, 0.6, 0.8);
        int finalTracks = plan.Tracks.Count(t => t.ReleasedAt >= finalMonth && t.ReleasedAt < HistoryEnd);
        Assert.True(finalTracks >= 0.05 * tracks, $"{finalTracks} of {tracks} tracks in the final month");
        Assert.All(plan.Albums, a => Assert.True(a.ReleasedAt < HistoryEnd));
        Assert.Contains(plan.Albums, a => a.ReleasedAt >= HistoryStart && a.ReleasedAt < finalMonth);
    }

    [Fact]
    public void Cover_art_is_deterministic_well_formed_svg_with_the_title_escaped()
    {
        CatalogPlan plan = Composer.Plan(Spec(5, 40));
        AlbumPlan album = plan.Albums[0] with { Title = "Rock & <Roll> \"Live\"" };
        string svg = CoverArt.Svg(plan, album, Composer.Definitions);

        Assert.Equal(svg, CoverArt.Svg(plan, album, Composer.Definitions));
        XDocument doc = XDocument.Parse(svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Contains(doc.Descendants(), e => e.Name.LocalName == "text" && e.Value == album.Title);
        Assert.NotEqual(svg, CoverArt.Svg(plan, plan.Albums[1], Composer.Definitions));
        XDocument.Parse(CoverArt.Svg(plan, album));
    }

    [Fact]
    public void Definitions_that_refer_to_an_unknown_instrument_fail_at_load_with_its_name()
    {
        string dir = Directory.CreateTempSubdirectory("blazorrecs-seeddefs-").FullName;
        try
        {
            File.Copy(Path.Combine(SeedDefinitions.DefaultDirectory, "names.json"), Path.Combine(dir, "names.json"));
            string genres = File.ReadAllText(Path.Combine(SeedDefinitions.DefaultDirectory, "genres.json"))
                .Replace("\"lead\": [\"tenorSax\"", "\"lead\": [\"kazoo\"", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(dir, "genres.json"), genres);

            var ex = Assert.Throws<InvalidDataException>(() => SeedDefinitions.Load(dir));
            Assert.Contains("kazoo", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("I", 0, new[] { 0, 4, 7 })]
    [InlineData("ii7", 2, new[] { 0, 3, 7, 10 })]
    [InlineData("bVII5", 10, new[] { 0, 7, 12 })]
    [InlineData("bVImaj7", 8, new[] { 0, 4, 7, 11 })]
    [InlineData("iio", 2, new[] { 0, 3, 6 })]
    [InlineData("V7", 7, new[] { 0, 4, 7, 10 })]
    public void Chord_symbols_are_read_as_roman_numerals(string symbol, int root, int[] intervals)
    {
        ChordSymbol chord = ChordSymbol.Parse(symbol);
        Assert.Equal(root, chord.Root);
        Assert.Equal(intervals, chord.Intervals);
        Assert.False(ChordSymbol.TryParse("Vii", out _));
        Assert.False(ChordSymbol.TryParse("X7", out _));
    }
}
