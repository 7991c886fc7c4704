using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Similarity;
using BlazorRecs.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Similarity;

public sealed class SimilarityIndexesTests
{
    private const string Backend = "test-backend";
    private const int Dim = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Neighbours_come_from_the_query_tracks_cluster_best_first_without_the_track_itself()
    {
        await using var host = await TestHost.StartAsync();
        var ids = await SeedVectorsAsync(host, perCluster: 10);
        var indexes = host.Services.GetRequiredService<SimilarityIndexes>();

        var neighbours = await indexes.SimilarToTrackAsync(Backend, ids[0][0], 5, Ct);

        Assert.NotNull(neighbours);
        Assert.Equal(5, neighbours.Count);
        Assert.DoesNotContain(neighbours, n => n.TrackId == ids[0][0]);
        Assert.All(neighbours, n => Assert.Contains(n.TrackId, ids[0]));
        Assert.Equal(neighbours.OrderByDescending(n => n.Score).Select(n => n.TrackId), neighbours.Select(n => n.TrackId));
        Assert.All(neighbours, n => Assert.InRange(n.Score, -1.001f, 1.001f)); // cosines
        Assert.True(File.Exists(Path.Combine(host.DataDirectory, "indexes", Backend + ".faiss")));
    }

    [Fact]
    public async Task A_track_added_later_is_found_without_restarting_and_a_corrupt_index_file_is_rebuilt()
    {
        await using var host = await TestHost.StartAsync();
        var ids = await SeedVectorsAsync(host, perCluster: 6);
        var indexes = host.Services.GetRequiredService<SimilarityIndexes>();
        Assert.NotNull(await indexes.SimilarToTrackAsync(Backend, ids[1][0], 3, Ct));

        // A new track with the same vector as a stored one must become its nearest neighbour (cosine 1).
        var store = host.Services.GetRequiredService<EmbeddingStore>();
        int added = await AddTrackAsync(host, (await store.VectorAsync(ids[1][0], Backend, Ct))!);
        var after = await indexes.SimilarToTrackAsync(Backend, ids[1][0], 1, Ct);
        Assert.Equal(added, after![0].TrackId);

        // A fresh process (new instance) with a damaged index file rebuilds from the database.
        string file = Path.Combine(host.DataDirectory, "indexes", Backend + ".faiss");
        await File.WriteAllBytesAsync(file, [1, 2, 3], Ct);
        using var fresh = ActivatorUtilities.CreateInstance<SimilarityIndexes>(host.Services);
        await File.WriteAllTextAsync(Path.Combine(host.DataDirectory, "indexes", Backend + ".json"), "{ not json", Ct);
        var rebuilt = await fresh.SimilarToTrackAsync(Backend, ids[1][0], 1, Ct);
        Assert.Equal(added, rebuilt![0].TrackId);
    }

    [Fact]
    public async Task Added_recomputed_and_removed_tracks_update_the_index_in_place_and_many_changes_rebuild_it()
    {
        await using var host = await TestHost.StartAsync();
        var ids = await SeedVectorsAsync(host, perCluster: 10);
        var indexes = host.Services.GetRequiredService<SimilarityIndexes>();
        var store = host.Services.GetRequiredService<EmbeddingStore>();
        await indexes.RefreshAsync(Backend, Ct);
        Assert.Equal(new IndexState(Backend, 30, "Flat", FullBuilds: 1, IncrementalUpdates: 0), indexes.Describe(Backend));

        // Added: a copy of a cluster-2 vector is at once that track's nearest neighbour.
        int added = await AddTrackAsync(host, (await store.VectorAsync(ids[2][0], Backend, Ct))!);
        Assert.Equal(added, (await indexes.SimilarToTrackAsync(Backend, ids[2][0], 1, Ct))![0].TrackId);
        Assert.Equal(new IndexState(Backend, 31, "Flat", 1, 1), indexes.Describe(Backend));

        // Recomputed: its new vector (a copy of a cluster-0 one) replaces the old one, which no longer answers.
        await store.SaveAsync(added, Backend, "v1", new AudioEmbedding((await store.VectorAsync(ids[0][0], Backend, Ct))!, null), Ct);
        Assert.Equal(added, (await indexes.SimilarToTrackAsync(Backend, ids[0][0], 1, Ct))![0].TrackId);
        Assert.DoesNotContain(added, (await indexes.SimilarToTrackAsync(Backend, ids[2][0], 9, Ct))!.Select(n => n.TrackId));
        Assert.Equal(new IndexState(Backend, 31, "Flat", 1, 2), indexes.Describe(Backend));

        // Removed: a deleted track's vector leaves the index.
        await using (var db = await host.DbAsync())
        {
            db.Tracks.Remove(await db.Tracks.SingleAsync(t => t.Id == ids[0][1], Ct));
            await db.SaveChangesAsync(Ct);
        }

        Assert.DoesNotContain(ids[0][1], (await indexes.SimilarToTrackAsync(Backend, ids[0][0], 30, Ct))!.Select(n => n.TrackId));
        Assert.Equal(new IndexState(Backend, 30, "Flat", 1, 3), indexes.Describe(Backend));

        // Another process picks the saved index up from disk and goes on updating it in place.
        using var restarted = ActivatorUtilities.CreateInstance<SimilarityIndexes>(host.Services);
        int another = await AddTrackAsync(host, (await store.VectorAsync(ids[1][0], Backend, Ct))!);
        Assert.Equal(another, (await restarted.SimilarToTrackAsync(Backend, ids[1][0], 1, Ct))![0].TrackId);
        Assert.Equal(new IndexState(Backend, 31, "Flat", 0, 1), restarted.Describe(Backend));

        // Many changes since the last full build: the standardisation must follow the data, so it is rebuilt.
        for (int i = 0; i < 20; i++)
        {
            await AddTrackAsync(host, Centre(i % 3, 0.5f));
        }

        await restarted.RefreshAsync(Backend, Ct);
        Assert.Equal(new IndexState(Backend, 51, "Flat", 1, 0), restarted.Describe(Backend));
    }

    [Fact]
    public async Task A_backend_without_vectors_or_a_track_without_one_is_reported_not_guessed()
    {
        await using var host = await TestHost.StartAsync();
        var indexes = host.Services.GetRequiredService<SimilarityIndexes>();
        await Assert.ThrowsAsync<KeyNotFoundException>(() => indexes.SimilarToTrackAsync("nothing-here", 1, 5, Ct));

        await SeedVectorsAsync(host, perCluster: 3);
        Assert.Null(await indexes.SimilarToTrackAsync(Backend, 999_999, 5, Ct));
        await Assert.ThrowsAsync<BlazorRecs.Faiss.FaissDimensionException>(() => indexes.SimilarToVectorAsync(Backend, new float[Dim + 1], 3, null, Ct));
    }

    // Three well-separated clusters in 8 dimensions.
    private static float[] Centre(int cluster, float jitter)
    {
        var v = new float[Dim];
        v[cluster * 2] = 10;
        v[cluster * 2 + 1] = 10 + jitter;
        v[7] = jitter;
        return v;
    }

    private static async Task<List<int>[]> SeedVectorsAsync(TestHost host, int perCluster)
    {
        var store = host.Services.GetRequiredService<EmbeddingStore>();
        await store.UpsertBackendAsync(new BackendInfo(Backend, "test", Dim, "v1", BlazorRecs.Core.Embeddings.BackendStatus.Available, "", 16000, false), Ct);
        var ids = new[] { new List<int>(), new List<int>(), new List<int>() };
        var rng = new Random(5);
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < perCluster; i++)
            {
                ids[c].Add(await AddTrackAsync(host, Centre(c, (float)(rng.NextDouble() * 2 - 1))));
            }
        }

        return ids;
    }

    private static async Task<int> AddTrackAsync(TestHost host, float[] vector)
    {
        await using var db = await host.DbAsync();
        var track = new Track { Title = "t", Artist = new Artist { Name = "a" }, DurationMs = 1000, AudioPath = "none.mp3" };
        db.Tracks.Add(track);
        await db.SaveChangesAsync(Ct);
        await host.Services.GetRequiredService<EmbeddingStore>().SaveAsync(track.Id, Backend, "v1", new AudioEmbedding(vector, null), Ct);
        return track.Id;
    }
}
