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
        knn.SetItems(new ItemFeatures([4, 0, 3, 1, 0, 4, 1, 3, 5, -1], 2));
        Assert.Equal(5, knn.ItemCount);
        var scores = new float[5];
        knn.Score([new RankingQuery(-1, [2, 3])], scores);
        // The listener of tracks 2 and 3 leans away from the new track 4, which lies beyond track 0.
        Assert.True(scores[4] < scores[1] && scores[1] < scores[3]);
    }
}
