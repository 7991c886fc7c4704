using System.Numerics.Tensors;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Knn;

namespace BlazorRecs.Core.Tests.Recommenders;

public sealed class KnnRecommenderTests
{
    // Four tracks in 2-d; standardisation (mean 0, sd 1 per dimension) keeps their directions apart.
    private static readonly ItemFeatures Tracks = new([4, 0, 3, 1, 0, 4, 1, 3], 2);

    [Fact]
    public void Listener_profile_is_the_normalised_mean_of_unit_track_vectors_and_ranks_by_cosine()
    {
        using var knn = KnnRecommender.Create(Tracks);
        var scores = new float[4];
        knn.Score([new RankingQuery(-1, [0])], scores);

        // Standardised: mean (2, 2), sd (sqrt 2.5, sqrt 2.5) -> track 0 = (2, -2)/sd, 1 = (1, -1)/sd, 2 = (-2, 2)/sd, 3 = (-1, 1)/sd.
        // The profile points along (1, -1): cosine +1 with tracks 0 and 1, -1 with tracks 2 and 3.
        Assert.Equal(1f, scores[0], 5);
        Assert.Equal(1f, scores[1], 5);
        Assert.Equal(-1f, scores[2], 5);
        Assert.Equal(-1f, scores[3], 5);

        float[] profile = knn.Profile([0, 2]);
        Assert.Equal([0f, 0f], profile); // opposite tracks cancel: an undecided listener scores every track 0
        knn.Score([new RankingQuery(-1, [])], scores);
        Assert.All(scores, s => Assert.Equal(0f, s));
    }

    [Fact]
    public void A_track_set_after_creation_is_ranked_from_its_vector()
    {
        using var knn = KnnRecommender.Create(Tracks);
        knn.SetItems(new ItemFeatures([4, 0, 3, 1, 0, 4, 1, 3, 2, 5], 2));
        Assert.Equal(5, knn.ItemCount);
        var scores = new float[5];
        knn.Score([new RankingQuery(-1, [2, 3])], scores);
        // Standardised as the first four were, the new track 4 is (0, 3)/sd: 45 degrees from the listener of tracks 2
        // and 3, who points along (-1, 1); track 1 is opposite, track 3 along.
        Assert.Equal(MathF.Sqrt(0.5f), scores[4], 4);
        Assert.True(scores[1] < scores[4] && scores[4] < scores[3]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)] // FAISS takes its BLAS path from 20 queries on
    public void Scores_from_the_faiss_index_are_each_items_cosine_with_the_profile_in_item_order(int queries)
    {
        var random = new Random(7);
        var features = new ItemFeatures([.. Enumerable.Range(0, 30 * 5).Select(_ => (float)random.NextDouble() * 10)], 5);
        using var knn = KnnRecommender.Create(features);
        var batch = Enumerable.Range(0, queries).Select(q => new RankingQuery(-1, [q % 30, (q * 7 + 3) % 30])).ToList();
        var scores = new float[queries * 30];
        knn.Score(batch, scores);

        var unit = features.Standardise(FeatureScaling.Of(features));
        for (int q = 0; q < queries; q++)
        {
            float[] profile = knn.Profile(batch[q].History);
            for (int i = 0; i < 30; i++)
            {
                var v = unit.Row(i);
                float cosine = TensorPrimitives.Dot(profile, v) / TensorPrimitives.Norm(v);
                Assert.Equal(cosine, scores[q * 30 + i], 4);
            }
        }
    }

    [Fact]
    public void A_track_whose_vector_is_not_finite_is_ranked_last_and_the_others_as_before()
    {
        // Statistics from the first four tracks; a fifth arrives with a broken vector.
        using var knn = KnnRecommender.Create(Tracks);
        knn.SetItems(new ItemFeatures([4, 0, 3, 1, 0, 4, 1, 3, float.NaN, 1], 2));
        var scores = new float[5];
        knn.Score([new RankingQuery(-1, [0])], scores);
        Assert.Equal([1f, 1f, -1f, -1f], scores[..4].Select(v => MathF.Round(v, 4)));
        Assert.Equal(float.NegativeInfinity, scores[4]);
    }

    [Fact]
    public void Standardisation_comes_from_the_given_items_only_and_stays_with_the_checkpoint()
    {
        // Tracks 0-3 are the training tracks; track 4 arrived after the cutoff, far out along x.
        var all = new ItemFeatures([4, 0, 3, 1, 0, 4, 1, 3, 40, 2], 2);
        using var knn = KnnRecommender.Create(all, [0, 1, 2, 3]);
        var expected = FeatureScaling.Of(Tracks);
        Assert.Equal(expected.Mean, knn.Scaling!.Mean);
        Assert.Equal(expected.Scale, knn.Scaling.Scale);
        var scores = new float[5];
        knn.Score([new RankingQuery(-1, [0])], scores);
        // Under the training tracks' statistics track 4 = (38, 0)/sd: 45 degrees from track 0's (2, -2)/sd.
        Assert.Equal(MathF.Sqrt(0.5f), scores[4], 4);

        string directory = Directory.CreateTempSubdirectory("knn-").FullName;
        try
        {
            knn.Save(directory);
            using var loaded = KnnRecommender.Load(directory);
            loaded.SetItems(all);
            var again = new float[5];
            loaded.Score([new RankingQuery(-1, [0])], again);
            Assert.Equal(scores, again);
            Assert.Throws<InvalidDataException>(() => loaded.SetItems(new ItemFeatures([1, 2, 3], 3)));

            File.WriteAllText(Path.Combine(directory, "knn.json"), "{\"model\": \"knn\"}"); // written before statistics were kept
            using var old = KnnRecommender.Load(directory);
            old.SetItems(all);
            Assert.Equal(FeatureScaling.Of(all).Mean, old.Scaling!.Mean);

            foreach (string damaged in new[] { "{\"model\": ", "{\"model\": \"knn\", \"scaling\": {}}", "{\"model\": \"knn\", \"scaling\": {\"mean\": [0, 0], \"scale\": [1, 0]}}" })
            {
                File.WriteAllText(Path.Combine(directory, "knn.json"), damaged);
                Assert.Throws<InvalidDataException>(() => KnnRecommender.Load(directory));
            }
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
