using BlazorRecs.Core.Evaluation;

namespace BlazorRecs.Core.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    [Fact]
    public void One_relevant_item_hit_at_rank_three_scores_by_hand()
    {
        int[] ranked = [7, 3, 9, 1];
        var relevant = new HashSet<int> { 9 };
        Assert.Equal(0, RankingMetrics.HitRate(ranked, relevant, 2));
        Assert.Equal(1, RankingMetrics.HitRate(ranked, relevant, 3));
        Assert.Equal(1, RankingMetrics.Recall(ranked, relevant, 3));
        // DCG = 1/log2(3 + 1) = 0.5; ideal = 1/log2(2) = 1.
        Assert.Equal(0.5, RankingMetrics.Ndcg(ranked, relevant, 3), 12);
        Assert.Equal(0, RankingMetrics.Ndcg(ranked, relevant, 2));
    }

    [Fact]
    public void Several_relevant_items_use_hits_over_relevant_and_the_ideal_over_min_relevant_k()
    {
        int[] ranked = [4, 8, 5, 6, 2];
        var relevant = new HashSet<int> { 8, 2, 11 };
        // Top 2 holds one of three relevant items.
        Assert.Equal(1.0 / 3, RankingMetrics.Recall(ranked, relevant, 2), 12);
        // Top 5: hits at ranks 2 and 5 -> 1/log2(3) + 1/log2(6); ideal: three hits -> 1 + 1/log2(3) + 1/2.
        double dcg = 1 / Math.Log2(3) + 1 / Math.Log2(6);
        double ideal = 1 + 1 / Math.Log2(3) + 0.5;
        Assert.Equal(dcg / ideal, RankingMetrics.Ndcg(ranked, relevant, 5), 12);
        Assert.Equal(2.0 / 3, RankingMetrics.Recall(ranked, relevant, 5), 12);
        // At K = 2 the ideal counts only two hits: 1/log2(3) / (1 + 1/log2(3)).
        Assert.Equal(1 / Math.Log2(3) / (1 + 1 / Math.Log2(3)), RankingMetrics.Ndcg(ranked, relevant, 2), 12);
    }

    [Fact]
    public void Interval_is_1_96_standard_errors_of_the_sample()
    {
        var m = MeanWithInterval.Of([0.0, 1.0, 1.0, 0.0]);
        Assert.Equal(0.5, m.Mean, 12);
        // Sample variance 1/3, n = 4.
        Assert.Equal(1.96 * Math.Sqrt(1.0 / 3 / 4), m.HalfWidth, 12);
        Assert.Equal(4, m.Count);
        Assert.Equal(0, MeanWithInterval.Of([0.25]).HalfWidth);
        Assert.True(double.IsNaN(MeanWithInterval.Of([]).Mean));
    }
}
