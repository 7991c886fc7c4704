using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Embeddings;

public sealed class EmbeddingSpaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Effective_dimensions_count_uncorrelated_directions_whatever_their_scale()
    {
        // Three uncorrelated dimensions of very different scales: standardised, R is the identity, so 3.
        float[][] axes = [[1, 0, 0], [-1, 0, 0], [0, 100, 0], [0, -100, 0], [0, 0, 0.01f], [0, 0, -0.01f]];
        Assert.Equal(3, EmbeddingSpace.EffectiveDimensions(axes), 5);

        // Copies of one dimension (scaled, negated) are one direction.
        float[][] copies = [[1, 2, -1], [2, 4, -2], [-3, -6, 3], [0.5f, 1, -0.5f]];
        Assert.Equal(1, EmbeddingSpace.EffectiveDimensions(copies), 5);

        // Two copies and one independent: R = [[1,1,0],[1,1,0],[0,0,1]], (tr R)² / ‖R‖² = 9 / 5.
        float[][] mixed = [[1, 1, 0], [-1, -1, 0], [0, 0, 1], [0, 0, -1]];
        Assert.Equal(1.8, EmbeddingSpace.EffectiveDimensions(mixed), 5);

        // A constant dimension carries no variance and does not count.
        float[][] withConstant = [.. axes.Select(v => (float[])[.. v, 7f])];
        Assert.Equal(3, EmbeddingSpace.EffectiveDimensions(withConstant), 5);
        // Not even over 24,000 rows of a value that float cannot hold exactly, whose float sum drifts.
        float[][] many = [.. Enumerable.Range(0, 4_000).SelectMany(_ => axes).Select(v => (float[])[.. v, 0.7f])];
        Assert.Equal(3, EmbeddingSpace.EffectiveDimensions(many), 5);

        Assert.Throws<ArgumentException>(() => EmbeddingSpace.EffectiveDimensions([[1, 2]]));
        Assert.Throws<ArgumentException>(() => EmbeddingSpace.EffectiveDimensions([[1, 2], [3]]));
    }

    [Fact]
    public void Agreement_counts_each_tracks_nearest_others_by_cosine_against_chance()
    {
        // Two pairs, each pair close in angle (lengths do not matter).
        float[][] pairs = [[1, 0], [9, 1], [0, 1], [0.1f, 0.9f]];
        string[] labels = ["a", "a", "b", "b"];
        // Chance: 4 same-label ordered pairs of 12.
        Assert.Equal((1.0, 1 / 3.0), GenreAgreement.Compute(pairs, labels, 1));
        // k is capped at the other three tracks: all of them, so the share is chance.
        Assert.Equal((1 / 3.0, 1 / 3.0), GenreAgreement.Compute(pairs, labels, 10));

        // A track is never its own neighbour, not even beside a copy of itself under another label.
        Assert.Equal(0, GenreAgreement.Compute([[1, 0], [1, 0], [0, 1]], ["x", "y", "z"], 1).Share);
        Assert.Throws<ArgumentException>(() => GenreAgreement.Compute([[1, 0]], ["x"], 1));
    }

    [Fact]
    public async Task The_catalog_report_reads_each_backends_current_vectors_with_their_genres_and_albums()
    {
        await using var host = await TestHost.StartAsync();
        var store = host.Services.GetRequiredService<EmbeddingStore>();
        await store.UpsertBackendAsync(new BackendInfo("test", "test", 2, "v2", BackendStatus.Available, "", 16000, false), Ct);
        int[] tracks;
        await using (var db = await host.DbAsync())
        {
            var artist = new Artist { Name = "a" };
            var albums = new[] { new Album { Title = "A", Artist = artist }, new Album { Title = "B", Artist = artist } };
            var rows = Enumerable.Range(0, 5).Select(i => new Track
            {
                Title = $"t{i}", Artist = artist, Album = i < 4 ? albums[i / 2] : null, Genre = i < 2 ? "jazz" : "rock",
                DurationMs = 1000, AudioPath = "x.mp3", ReleasedAt = DateTimeOffset.UnixEpoch, AddedAt = DateTimeOffset.UnixEpoch,
            }).ToList();
            db.Tracks.AddRange(rows);
            await db.SaveChangesAsync(Ct);
            tracks = [.. rows.Select(t => t.Id)];
        }

        // Album A (jazz) near (1, 0), album B (rock) near (0, 1).
        float[][] vectors = [[1, 0.1f], [1, -0.1f], [0.1f, 1], [-0.1f, 1]];
        for (int i = 0; i < 4; i++)
        {
            await store.SaveAsync(tracks[i], "test", "v2", new AudioEmbedding(vectors[i], null), Ct);
        }

        // The fifth track (rock, no album) has only a vector of an older version of the backend, which is not part
        // of its space: counted, it would make 5 tracks and a genre chance of 8/20.
        await store.SaveAsync(tracks[4], "test", "v1", new AudioEmbedding([0.2f, 1], null), Ct);

        var report = Assert.Single(await EmbeddingSpace.ForCatalogAsync(host.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>(), 1, Ct));

        Assert.Equal(("test", 4, 2), (report.Backend, report.Tracks, report.Dimension));
        Assert.Equal(EmbeddingSpace.EffectiveDimensions(vectors), report.EffectiveDimensions, 9);
        // Each track's nearest neighbour is its album mate, of its genre: every time, against chance 1/3.
        Assert.Equal((1.0, 1 / 3.0), report.Genre!.Value);
        Assert.Equal((1.0, 1 / 3.0), report.Album!.Value);
        // Four tracks are too few for a cross-validated probe: no descriptor is reported.
        Assert.Empty(report.Descriptors);
    }

    [Fact]
    public async Task The_catalog_report_probes_each_descriptor_over_the_tracks_that_have_it()
    {
        await using var host = await TestHost.StartAsync();
        var store = host.Services.GetRequiredService<EmbeddingStore>();
        await store.UpsertBackendAsync(new BackendInfo("test", "test", 2, "v1", BackendStatus.Available, "", 16000, false), Ct);
        // 30 tracks. Energy is the first value exactly; tempo (60-100 BPM, the simulator's 0-1/3) is known for 12 and
        // unrelated to the vectors; brightness only for 9, too few for 5 folds of at least 2; acousticness for all, constant.
        var random = new Random(5);
        float[][] vectors = [.. Enumerable.Range(0, 30).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() })];
        int[] tracks;
        await using (var db = await host.DbAsync())
        {
            var artist = new Artist { Name = "a" };
            var rows = vectors.Select((v, i) => new Track
            {
                Title = $"t{i}", Artist = artist, DurationMs = 1000, AudioPath = "x.mp3",
                ReleasedAt = DateTimeOffset.UnixEpoch, AddedAt = DateTimeOffset.UnixEpoch,
                Energy = v[0], TempoBpm = i < 12 ? 60 + 10 * (i % 5) : null, Brightness = i < 9 ? 0.1 * i : null, Acousticness = 0.5,
            }).ToList();
            db.Tracks.AddRange(rows);
            await db.SaveChangesAsync(Ct);
            tracks = [.. rows.Select(t => t.Id)];
        }

        for (int i = 0; i < vectors.Length; i++)
        {
            await store.SaveAsync(tracks[i], "test", "v1", new AudioEmbedding(vectors[i], null), Ct);
        }

        // A second backend that has embedded only the first 20 tracks so far: both are probed on those 20, so that
        // their R² compare; the first still reports its 30 tracks everywhere else.
        await store.UpsertBackendAsync(new BackendInfo("partial", "test", 2, "v1", BackendStatus.Available, "", 16000, false), Ct);
        for (int i = 0; i < 20; i++)
        {
            await store.SaveAsync(tracks[i], "partial", "v1", new AudioEmbedding([vectors[i][1], vectors[i][0]], null), Ct);
        }

        var reports = await EmbeddingSpace.ForCatalogAsync(host.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>(), 1, Ct);
        Assert.Equal(["partial", "test"], reports.Select(r => r.Backend));
        var report = reports[1];
        Assert.Equal((30, 20), (report.Tracks, reports[0].Tracks));
        Assert.Equal(reports[0].RSquaredOf("energy")!.Value, report.RSquaredOf("energy")!.Value, 9); // the same columns, swapped

        Assert.Equal(["tempo", "energy"], report.Descriptors.Select(d => d.Descriptor));
        var tempo = report.Descriptors[0];
        Assert.Equal(12, tempo.Tracks);
        // Tempo on the simulator's scale, (bpm - 60) / 120, which a probe's R² does not depend on.
        double[] scaled = [.. Enumerable.Range(0, 12).Select(i => 10.0 * (i % 5) / 120)];
        Assert.Equal(LinearProbe.RSquared(vectors[..12], scaled, cancellationToken: Ct), tempo.RSquared, 9);
        Assert.Equal((20, 1.0), (report.Descriptors[1].Tracks, Math.Round(report.Descriptors[1].RSquared, 3)));
    }
}
