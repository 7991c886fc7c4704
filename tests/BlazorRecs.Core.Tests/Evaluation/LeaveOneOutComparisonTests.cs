using BlazorRecs.Core.Tests.Support;
using System.Text.Json;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.TestSupport;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Evaluation;

/// <summary>
/// CI's tiny version of the Beauty check (the full run is a benchmark: see README): the first 3,000 users of Amazon
/// Beauty, popularity and a briefly trained BERT4Rec (items renumbered to the subset), through the same code and report the <c>evaluate</c> command uses.
/// </summary>
[Collection(TorchTrainingCollection.Name)]
public sealed class LeaveOneOutComparisonTests
{
    [Fact]
    public async Task Tiny_Beauty_run_reports_every_metric_and_both_models_rank_far_above_chance()
    {
        var ct = TestContext.Current.CancellationToken;
        var beauty = await S3RecDataset.LoadAsync(SharedFolder.Require("datasets/amazon-beauty/Beauty.txt"), ct);
        // The subset's items renumbered densely, so the softmax covers only items these users have.
        var dense = new Dictionary<int, int>();
        var users = beauty.Sequences.Take(3000)
            .Select(s => s.Select(item => dense.TryGetValue(item, out int d) ? d : dense[item] = dense.Count).ToArray()).ToList();
        var options = new Bert4RecOptions { MaxEpochs = 4, MaxLength = 50, BatchSize = 128, LearningRate = 2e-3 };

        var results = LeaveOneOutComparison.Run(dense.Count, users, ["pop", "bert4rec"], options, CPU,
            RankingEvaluator.DefaultCutoffs, null, ct);

        var json = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, double>>>(
            EvaluationReport.Json(results.Select(r => new EvaluationRow(r.Model, null, "test", r.Result)).ToList()))!;
        Assert.Equal(["pop", "bert4rec"], json.Keys);
        foreach (var metrics in json.Values)
        {
            foreach (int k in RankingEvaluator.DefaultCutoffs)
            {
                Assert.InRange(metrics[$"NDCG@{k}"], 0, metrics[$"HR@{k}"]);
                // One relevant item per user: recall is the hit rate.
                Assert.Equal(metrics[$"HR@{k}"], metrics[$"Recall@{k}"]);
            }

            Assert.True(metrics["HR@5"] <= metrics["HR@10"] && metrics["HR@10"] <= metrics["HR@20"] && metrics["HR@20"] <= metrics["HR@50"]);
        }

        Assert.All(results, r => Assert.Equal(3000, r.Result.Listeners));
        // A random ranking finds the target in the top 50 with probability about 50 / items. (Beating popularity
        // takes the full data and many more epochs: that is the benchmark run, not this test.)
        double chance = 50.0 / dense.Count;
        Assert.All(json, model => Assert.True(model.Value["HR@50"] > 3 * chance,
            $"{model.Key} HR@50 {model.Value["HR@50"]:0.0000}, chance {chance:0.0000}"));
    }
}
