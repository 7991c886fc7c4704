using BlazorRecs.Core.Recommenders;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Recommenders;

public sealed class EarlyStoppingTests
{
    private sealed class Reports : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Seen { get; } = [];

        public void Report(TrainingProgress value) => Seen.Add(value);
    }

    [Fact]
    public void Stops_after_patience_epochs_without_improvement_cuts_the_rate_on_a_plateau_and_restores_the_best_weights()
    {
        using var scope = NewDisposeScope();
        using var network = nn.Linear(2, 2);
        using var optimizer = optim.Adam(network.parameters(), 0.1);
        using var stopping = new EarlyStopping(network, optimizer, plateauFactor: 0.5, plateauPatience: 1, patience: 3,
            budget: null, maxEpochs: 100, metric: "NDCG@10");
        var reports = new Reports();
        double[] scores = [0.1, 0.5, 0.3, 0.2, 0.2];
        var stopped = new List<bool>();
        for (int epoch = 1; epoch <= scores.Length; epoch++)
        {
            // Each epoch leaves its own recognisable weights.
            using (no_grad())
            {
                network.weight!.fill_(epoch);
            }

            stopped.Add(stopping.AfterEpoch(epoch, loss: 1.0 / epoch, scores[epoch - 1], reports));
        }

        // Best at epoch 2; epochs 3, 4 and 5 do not improve on it: the third of them stops training.
        Assert.Equal([false, false, false, false, true], stopped);
        Assert.EndsWith("no improvement for 3 epochs", reports.Seen[^1].Message, StringComparison.Ordinal);
        Assert.Equal(0.5, reports.Seen[1].ValidationScore);
        // Plateau patience 1: the second epoch without improvement (epoch 4) halves the rate, once.
        Assert.Equal(0.05, optimizer.ParamGroups.Single().LearningRate, 9);

        stopping.RestoreBest();
        Assert.True(network.weight!.eq(2).all().item<bool>(), "the weights of epoch 2 (the best) should be back");
    }

    [Fact]
    public void A_spent_time_budget_stops_training_and_says_so()
    {
        using var network = nn.Linear(2, 2);
        using var optimizer = optim.Adam(network.parameters(), 0.1);
        using var stopping = new EarlyStopping(network, optimizer, 0.5, 1, patience: 10, budget: TimeSpan.Zero, maxEpochs: 100, metric: "HR@10");
        var reports = new Reports();

        Assert.True(stopping.AfterEpoch(1, 1.0, 0.3, reports));
        Assert.EndsWith("time budget spent", reports.Seen.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_to_finish_early_ends_training_after_the_epoch_and_keeps_the_best_weights()
    {
        using var network = nn.Linear(2, 2);
        using var optimizer = optim.Adam(network.parameters(), 0.1);
        using var finish = new CancellationTokenSource();
        using var stopping = new EarlyStopping(network, optimizer, 0.5, 1, patience: 10, budget: null, maxEpochs: 100, metric: "HR@10",
            finishEarly: finish.Token);
        var reports = new Reports();
        double[] scores = [0.2, 0.4, 0.3];
        var stopped = new List<bool>();
        for (int epoch = 1; epoch <= scores.Length; epoch++)
        {
            using (no_grad())
            {
                network.weight!.fill_(epoch);
            }

            // Asked during the third epoch: that epoch still counts, and it is the last.
            if (epoch == 3)
            {
                finish.Cancel();
            }

            stopped.Add(stopping.AfterEpoch(epoch, 1.0, scores[epoch - 1], reports));
        }

        Assert.Equal([false, false, true], stopped);
        Assert.EndsWith("finished early on request", reports.Seen[^1].Message, StringComparison.Ordinal);
        Assert.Equal(0.3, reports.Seen[^1].ValidationScore);
        stopping.RestoreBest();
        Assert.True(network.weight!.eq(2).all().item<bool>(), "the weights of epoch 2 (the best so far) should be back");
    }
}
