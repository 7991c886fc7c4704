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

        // Each listener's own values, in case order, for paired comparisons.
        Assert.Equal([1.0, 0.0], all.PerListener!["HR@1"]);
        Assert.Equal([1.0, 1 / Math.Log2(6)], all.PerListener["NDCG@5"]);
    }

    [Fact]
    public void A_paired_difference_is_the_mean_of_per_listener_differences_with_its_own_interval()
    {
        // By hand: differences 1, 0, 0, 1; mean 0.5; sample standard deviation √(1/3); half-width 1.96 · √(1/3) / 2.
        var model = Result(new() { ["HR@10"] = [1, 0, 1, 1] });
        var baseline = Result(new() { ["HR@10"] = [0, 0, 1, 0] });

        var difference = PairedComparison.Versus(model, baseline)["HR@10"];

        Assert.Equal(0.5, difference.Mean, 12);
        Assert.Equal(1.96 * Math.Sqrt(1 / 3.0) / 2, difference.HalfWidth, 12);
        Assert.Equal(4, difference.Count);
        Assert.False(PairedComparison.Clear(difference)); // [-0.066, 1.066] holds 0
    }

    [Fact]
    public void Pairing_finds_a_gain_that_overlapping_intervals_of_the_means_hide()
    {
        // Listeners differ a lot; the model gains 0.05 on every one of them.
        double[] baseline = [.. Enumerable.Range(0, 40).Select(i => (i % 10) / 10.0)];
        double[] model = [.. baseline.Select(v => v + 0.05)];
        var a = Result(new() { ["NDCG@10"] = model });
        var b = Result(new() { ["NDCG@10"] = baseline });

        Assert.True(a.Metrics["NDCG@10"].Lower < b.Metrics["NDCG@10"].Upper, "the two means' intervals should overlap");
        var difference = PairedComparison.Versus(a, b)["NDCG@10"];
        Assert.Equal(0.05, difference.Mean, 12);
        Assert.True(PairedComparison.Clear(difference));
    }

    [Fact]
    public void Results_of_different_listeners_or_without_their_values_cannot_be_paired()
    {
        var three = Result(new() { ["HR@10"] = [1, 0, 1] });
        var four = Result(new() { ["HR@10"] = [1, 0, 1, 1] });

        Assert.Throws<ArgumentException>(() => PairedComparison.Versus(three, four));
        Assert.Throws<ArgumentException>(() => PairedComparison.Versus(four with { PerListener = null }, four));
        // As many listeners, but not the same ones (or not in the same order): refused, never paired by position.
        var others = Result(new() { ["HR@10"] = [1, 0, 1, 1] }, users: [0, 1, 3, 2]);
        Assert.Throws<ArgumentException>(() => PairedComparison.Versus(four, others));
    }

    [Fact]
    public void Holm_keeps_a_difference_for_its_family_only_while_its_p_value_clears_the_stepped_threshold()
    {
        // Standard errors of 0.1 (half-widths 0.196): z = mean / 0.1.
        static MeanWithInterval D(double mean) => new(mean, 0.196, 100);

        // p = .0027 (z 3), .0124 (z 2.5), .0455 (z 2): below .05/3, .05/2 and .05 in turn, so all three hold.
        Assert.Equal([true, true, true], PairedComparison.HoldAfterHolm([D(0.3), D(0.2), D(-0.25)]));
        // Alone, z 2 would look clear (p .0455); beside a z of 1 (p .317) it must clear .025 first, and does not.
        Assert.True(PairedComparison.Clear(D(0.2)));
        Assert.Equal([false, false], PairedComparison.HoldAfterHolm([D(0.1), D(0.2)]));
        // The first failure ends the family: z 3 holds, then z 2.2 (p .0278 > .025) fails, and so does z 2.1 after it.
        Assert.Equal([true, false, false], PairedComparison.HoldAfterHolm([D(0.3), D(0.22), D(0.21)]));
        // No spread: a non-zero difference holds, a zero one does not.
        Assert.Equal([true, false], PairedComparison.HoldAfterHolm([new(0.01, 0, 139), new(0, 0, 139)]));
    }

    [Fact]
    public void The_paired_markdown_signs_each_difference_and_bolds_those_whose_interval_excludes_zero()
    {
        var difference = new Dictionary<string, MeanWithInterval> { ["NDCG@50"] = new(-0.005, 0.02, 215), ["HR@50"] = new(0.074, 0.03, 215) };

        string table = EvaluationReport.PairedMarkdown([new PairedRow("bert4rec/musicnn-msd", "hot", difference)]);

        Assert.Equal(
            "| model | split | Δ HR@50 | Δ NDCG@50 |\n" +
            "|---|---|---:|---:|\n" +
            "| bert4rec/musicnn-msd | hot | **+0.0740 [+0.0440, +0.1040]** | -0.0050 [-0.0250, +0.0150] |\n", table);
    }

    [Fact]
    public void The_paired_csv_has_a_line_a_metric_with_its_interval_and_whether_it_holds_for_its_column()
    {
        // Two rows of one split: HR@50 +.074 (z 4.8) holds beside +.006; Recall@50 +.02 (p .039) would look clear
        // alone but does not beside 0.
        var first = new Dictionary<string, MeanWithInterval> { ["HR@50"] = new(0.074, 0.03, 215), ["Recall@50"] = new(0.02, 0.019, 215) };
        var second = new Dictionary<string, MeanWithInterval> { ["HR@50"] = new(0.006, 0.05, 215), ["Recall@50"] = new(0, 0.05, 215) };

        string csv = EvaluationReport.PairedCsv([new PairedRow("bert4rec/musicnn-msd", "hot", first), new PairedRow("bert4rec/mfcc", "hot", second)]);

        Assert.Equal(
            "model,split,metric,difference,ci_lower,ci_upper,listeners,holds_after_holm\n" +
            "bert4rec/musicnn-msd,hot,HR@50,0.074,0.044,0.104,215,true\n" +
            "bert4rec/musicnn-msd,hot,Recall@50,0.02,0.001,0.039,215,false\n" +
            "bert4rec/mfcc,hot,HR@50,0.006,-0.044,0.056,215,false\n" +
            "bert4rec/mfcc,hot,Recall@50,0,-0.05,0.05,215,false\n", csv);
    }

    private static EvaluationResult Result(Dictionary<string, double[]> values, int[]? users = null) =>
        new(values.ToDictionary(kv => kv.Key, kv => MeanWithInterval.Of(kv.Value)), values.First().Value.Length, values,
            users ?? [.. Enumerable.Range(0, values.First().Value.Length)]);

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
