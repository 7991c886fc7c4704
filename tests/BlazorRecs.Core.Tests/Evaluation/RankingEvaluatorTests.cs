using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Recommenders;

namespace BlazorRecs.Core.Tests.Evaluation;

public sealed class RankingEvaluatorTests
{
    [Fact]
    public void TopK_orders_best_first_breaks_ties_by_lower_index_and_skips_removed_items()
    {
        float[] scores = [0.5f, 0.9f, float.NegativeInfinity, 0.9f, 0.1f, 0.7f];
        var ranked = new int[4];
        Assert.Equal(4, RankingEvaluator.TopK(scores, null, ranked));
        Assert.Equal([1, 3, 5, 0], ranked);

        var onlyEven = scores.Select((_, i) => i % 2 == 0).ToArray();
        Assert.Equal(2, RankingEvaluator.TopK(scores, onlyEven, ranked));
        Assert.Equal([0, 4], ranked[..2]);
    }

    [Fact]
    public void Evaluation_excludes_training_items_and_restricts_cold_ranking_to_candidates()
    {
        // Scores item i as i: the best item is always the highest index that is not excluded.
        using var model = new FixedScores(10);
        var cases = new[]
        {
            new EvaluationCase(0, [9], [8], Excluded: [9]), // 9 excluded, so 8 is first: a hit at rank 1
            new EvaluationCase(1, [1], [5], Excluded: [1]), // 9, 8, 7, 6 before 5: rank 5
        };
        var all = RankingEvaluator.Evaluate(model, cases, [1, 5], batchSize: 1, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, all.Listeners);
        Assert.Equal(0.5, all["HR@1"], 12);
        Assert.Equal(1.0, all["HR@5"], 12);
        Assert.Equal((1 + 1 / Math.Log2(6)) / 2, all["NDCG@5"], 12);

        // Cold ranking among items 0-5 only: item 5 is first for listener 1, 8 is not a candidate for listener 0.
        var cold = Enumerable.Range(0, 10).Select(i => i <= 5).ToArray();
        var restricted = RankingEvaluator.Evaluate(model, cases, [1], cold, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0.5, restricted["HR@1"], 12);
    }

    private sealed class FixedScores(int items) : IRecommender
    {
        public string Model => "fixed";
        public int ItemCount => items;

        public void Score(IReadOnlyList<RankingQuery> queries, Span<float> scores)
        {
            for (int i = 0; i < scores.Length; i++)
            {
                scores[i] = i % items;
            }
        }

        public void Dispose()
        {
        }
    }
}
