using BlazorRecs.Core.Tests.Support;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Evaluation.Splits;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.TestSupport;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Recommenders;

/// <summary>
/// BERT4Rec on a task with one right answer: item i is always followed by item i + 1 (mod N). A model that learned
/// the task ranks the successor of the last history item first; popularity cannot (every item is equally common).
/// </summary>
[Collection(TorchTrainingCollection.Name)]
public sealed class Bert4RecTests
{
    private const int Items = 30;

    private static readonly Bert4RecOptions Small = new()
    {
        Hidden = 32, FeedForward = 64, BatchSize = 32, MaxEpochs = 40, Patience = 40, MaxLength = 20, Seed = 3, LearningRate = 3e-3, Dropout = 0,
        ValidationMetric = "HR@1",
    };

    [Fact]
    public void Random_init_learns_that_item_i_is_followed_by_i_plus_1()
    {
        var split = LeaveOneOutSplit.Create(Items, Successions(users: 400, seed: 1));
        using var model = new Bert4RecTrainer(Small, CPU).Train(split.TrainingData(), new Log(), TestContext.Current.CancellationToken);

        var result = RankingEvaluator.Evaluate(model, split.Test, [1, 5], cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result["HR@1"] > 0.9, $"HR@1 {result["HR@1"]:0.000}: the successor should be ranked first");
        // Chance is 1 / (N - history) per slot; popularity on this task sits there.
        using var pop = Core.Recommenders.Popularity.PopularityRecommender.Train(split.TrainingData());
        Assert.True(RankingEvaluator.Evaluate(pop, split.Test, [1], cancellationToken: TestContext.Current.CancellationToken)["HR@1"] < 0.2);
    }

    [Fact]
    public void Asked_to_finish_early_it_trains_the_epoch_in_progress_and_returns_those_weights()
    {
        var split = LeaveOneOutSplit.Create(Items, Successions(users: 200, seed: 4));
        var data = split.TrainingData();
        using var finish = new CancellationTokenSource();
        finish.Cancel();
        var epochs = new List<TrainingProgress>();

        using var model = new Bert4RecTrainer(Small, CPU).Train(data, new Progress(p => { if (p.TrainLoss is not null) epochs.Add(p); }),
            TestContext.Current.CancellationToken, finish.Token);

        // MaxEpochs and Patience are 40: only the request ends training, after its first epoch, which was validated.
        var only = Assert.Single(epochs);
        Assert.Equal(1, only.Epoch);
        Assert.EndsWith("finished early on request", only.Message, StringComparison.Ordinal);
        Assert.True(only.FinishedOnRequest);
        // The model returned is the one validated: it scores the validation cases as that epoch did.
        double score = RankingEvaluator.Evaluate(model, data.Validation, [1], data.ValidationCandidates, cancellationToken: TestContext.Current.CancellationToken)["HR@1"];
        Assert.Equal(only.ValidationScore!.Value, score, 9);
    }

    [Fact]
    public void Items_released_after_the_training_data_are_not_in_the_training_softmax()
    {
        // Items 27-29 were released after the training data ends (a temporal split's cold tracks): no step may push
        // their learned vectors or biases anywhere, so they keep their initial values exactly.
        int[][] sequences = [.. Successions(users: 200, seed: 6).Select(s => s.Where(i => i < 27).ToArray()).Where(s => s.Length > 1)];
        var options = Small with { MaxEpochs = 3 };
        manual_seed(options.Seed);
        using var initial = new Bert4RecNetwork(options, Items, 0);
        using var initialTable = initial.ItemVectors().detach().clone();

        using var model = new Bert4RecTrainer(options, CPU).Train(
            new TrainingData(Items, sequences, [], null, ReleasedLater: [.. Enumerable.Range(0, Items).Select(i => i >= 27)]), null, TestContext.Current.CancellationToken);

        using var trained = model.Network.ItemVectors().detach();
        Assert.False(trained.narrow(0, 0, 27).allclose(initialTable.narrow(0, 0, 27)), "the items in training should have moved");
        Assert.True(trained.narrow(0, 27, 3).eq(initialTable.narrow(0, 27, 3)).all().item<bool>(), "an item released later was trained");

        // Data that contradicts itself (a history holding an item released later) is refused, not trained on.
        var contradiction = new TrainingData(Items, [[1, 2, 28]], [], null, ReleasedLater: [.. Enumerable.Range(0, Items).Select(i => i >= 27)]);
        var refused = Assert.Throws<ArgumentException>(() => new Bert4RecTrainer(options, CPU).Train(contradiction, null, TestContext.Current.CancellationToken));
        Assert.Contains("item 28", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Feature_scaling_statistics_come_from_the_given_items_only()
    {
        var features = new ItemFeatures([0, 10, 2, 30, 100, -50], 2);

        var scaling = FeatureScaling.Of(features, [0, 1]);

        Assert.Equal([1f, 20f], scaling.Mean);
        Assert.Equal([1f, 10f], scaling.Scale);
        Assert.Equal(34f, FeatureScaling.Of(features).Mean[0], 4);
    }

    [Fact]
    public void Audio_variant_learns_the_task_and_ranks_an_item_added_after_training_from_its_vector()
    {
        var features = RandomFeatures(Items, dimension: 40, seed: 5);
        var split = LeaveOneOutSplit.Create(Items, Successions(users: 400, seed: 2));
        using var model = new Bert4RecTrainer(Small, CPU).Train(split.TrainingData(features), null, TestContext.Current.CancellationToken);
        Assert.True(model.UsesAudio);
        Assert.True(RankingEvaluator.Evaluate(model, split.Test, [1], cancellationToken: TestContext.Current.CancellationToken)["HR@1"] > 0.9);

        // A new track (index 30) that sounds exactly like track 7: after a history ending in 6 it must rank with 7 at
        // the top, with no retraining; and it is ranked at all only because SetItems grew the item set.
        var grown = new float[(Items + 1) * 40];
        features.Values.CopyTo(grown, 0);
        features.Row(7).CopyTo(grown.AsSpan(Items * 40));
        model.SetItems(new ItemFeatures(grown, 40));
        Assert.Equal(Items + 1, model.ItemCount);
        var scores = new float[Items + 1];
        model.Score([new RankingQuery(-1, [3, 4, 5, 6])], scores);
        var top = new int[2];
        RankingEvaluator.TopK(scores, null, top);
        Assert.Equal([7, 30], top.Order());
    }

    [Fact]
    public async Task A_saved_model_loads_and_scores_exactly_as_before()
    {
        var features = RandomFeatures(Items, dimension: 12, seed: 9);
        var split = LeaveOneOutSplit.Create(Items, Successions(users: 60, seed: 4));
        var quick = Small with { MaxEpochs = 2 };
        var queries = split.Test.Take(5).Select(c => new RankingQuery(c.User, c.History)).ToList();
        string dir = Directory.CreateTempSubdirectory("bert4rec-").FullName;
        try
        {
            foreach (var (name, itemFeatures) in new[] { ("random", (ItemFeatures?)null), ("audio", features) })
            {
                using var trained = new Bert4RecTrainer(quick, CPU).Train(split.TrainingData(itemFeatures), null, TestContext.Current.CancellationToken);
                var before = new float[queries.Count * Items];
                trained.Score(queries, before);
                trained.Save(Path.Combine(dir, name));

                using var loaded = Bert4RecRecommender.Load(Path.Combine(dir, name), CPU);
                if (itemFeatures is not null)
                {
                    loaded.SetItems(itemFeatures);
                }

                var after = new float[queries.Count * Items];
                loaded.Score(queries, after);
                Assert.Equal(before, after);
                Assert.Equal(trained.Options, loaded.Options);
            }

            // A checkpoint written before the layout field (with the old output head) is refused with the reason.
            string old = Path.Combine(dir, "random", "bert4rec.json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(old, TestContext.Current.CancellationToken))!.AsObject();
            Assert.True(json.Remove("layout"));
            await File.WriteAllTextAsync(old, json.ToJsonString(), TestContext.Current.CancellationToken);
            var refused = Assert.Throws<InvalidDataException>(() => Bert4RecRecommender.Load(Path.Combine(dir, "random"), CPU));
            Assert.Contains("older layout", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await TempDirectory.DeleteAsync(dir);
        }
    }

    [Fact]
    public void The_throughput_measurement_counts_the_steps_it_timed_apart_from_its_warm_up_and_splits_a_step_into_phases_that_add_up()
    {
        var split = LeaveOneOutSplit.Create(Items, Successions(users: 384, seed: 4));
        var options = Small with { Dropout = 0.1 };
        var ct = TestContext.Current.CancellationToken;

        using var run = new Bert4RecTrainer(options, CPU).StartThroughput(split.TrainingData(), warmup: TimeSpan.Zero, ct);
        var measured = run.Time(5);

        // 384 users in batches of 32: every batch is full, so the five timed steps hold 5 x 32 sequences.
        Assert.Equal((5, 5 * 32L), (measured.Steps, measured.Sequences));
        // At least one masked position a row, and the flops of each step's real shapes.
        Assert.InRange(measured.MaskedPositions, 5 * 32, 5 * 32 * options.MaxLength);
        Assert.True(measured.Flops > 3 * 2.0 * measured.MaskedPositions * options.Hidden * Items, "the output layer's flops alone are a lower bound");
        // With no warm-up time, the three warm-up steps before the timed ones, counted apart.
        Assert.Equal(3, run.Warmup.Steps);
        Assert.Equal(3 * 32, run.Warmup.Sequences);
        Assert.True(run.Warmup.Flops > 0 && run.Warmup.Seconds > 0);

        // The benchmark times stretches with its baseline between them: each stretch counts its own steps, and the
        // batches keep coming past an epoch's 12 (3 warm-up steps, then 5 + 7 + 7 timed).
        var second = run.Time(7);
        var third = run.Time(7);
        Assert.Equal((7, 7 * 32L), (second.Steps, second.Sequences));
        Assert.Equal((7, 7 * 32L), (third.Steps, third.Sequences));
        Assert.True(third.Flops > 0 && third.Seconds > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => run.Time(0));

        var phases = run.Phases(3);
        Assert.Equal(
            ["batch assembly (masking, padding)", "batch to tensors, gradients zeroed", "forward: item vectors and encoder",
             "output layer: logits, softmax and their gradients", "backward through the encoder and item vectors", "Adam step", "the step's tensors freed"],
            phases.Keys);
        Assert.Equal(1.0, phases.Values.Sum(), 9);
        Assert.All(phases.Values, share => Assert.InRange(share, 0, 1));

        // A warm-up time keeps stepping until it has passed.
        using var longer = new Bert4RecTrainer(options, CPU).StartThroughput(split.TrainingData(), warmup: TimeSpan.FromSeconds(0.5), ct);
        Assert.True(longer.Warmup.Seconds >= 0.5, $"warm-up took {longer.Warmup.Seconds} s");
        Assert.Equal(32 * longer.Warmup.Steps, longer.Warmup.Sequences);

        // Nothing to train on is said plainly, not met with an index error from an empty batch list.
        var empty = new TrainingData(Items, [[], []], [], null);
        Assert.Contains("no training sequences", Assert.Throws<ArgumentException>(() => new Bert4RecTrainer(options, CPU).StartThroughput(empty, TimeSpan.Zero, ct)).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Training_batches_mask_only_real_items_and_label_them_with_the_true_item()
    {
        var trainer = new Bert4RecTrainer(Small with { MaxLength = 4 }, CPU);
        int[][] sequences = [[1, 2, 3, 4, 5, 6], [7, 8]];
        var random = new Random(1);
        for (int trial = 0; trial < 50; trial++)
        {
            var ((ids, length), positions, labels) = trainer.MaskedBatch([0, 1], sequences, Items, random);
            Assert.Equal(4, length);
            // Row 1 is left-padded: two [PAD] tokens, then 7 and 8 (either possibly masked).
            Assert.Equal([Items, Items], ids[4..6]);
            Assert.Contains(positions, p => p < 4);
            Assert.Contains(positions, p => p >= 4);
            for (int i = 0; i < positions.Length; i++)
            {
                Assert.Equal(Items + 1, ids[positions[i]]);
                long row = positions[i] / 4, column = positions[i] % 4;
                Assert.True(row == 0 ? labels[i] >= 1 && labels[i] <= 6 : labels[i] == 7 + column - 2);
            }

            // Unmasked tokens of row 0 are a window of four consecutive items of 1..6.
            var window = ids[..4];
            var offsets = window.Select((t, i) => t < Items ? t - i : -1).Where(v => v >= 0).Distinct().ToList();
            Assert.True(offsets.Count <= 1, "row 0 is not one window of consecutive items");
            Assert.All(offsets, first => Assert.InRange(first, 1, 3));
        }
    }

    [Fact]
    public void The_loss_divisor_is_the_masked_positions_a_batch_holds_on_average()
    {
        var options = Small with { MaxLength = 8, BatchSize = 16 };
        var trainer = new Bert4RecTrainer(options, CPU);
        // Lengths 1 to 12: short rows (where the forced mask matters) and rows cut to MaxLength.
        int[][] sequences = Enumerable.Range(0, 96).Select(u => Enumerable.Range(0, 1 + u % 12).ToArray()).ToArray();
        int[] users = Enumerable.Range(0, sequences.Length).ToArray();
        var random = new Random(3);

        long masked = 0;
        const int Epochs = 400;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            for (int b = 0; b < users.Length; b += options.BatchSize)
            {
                masked += trainer.MaskedBatch(users[b..(b + options.BatchSize)], sequences, Items, random).Positions.Length;
            }
        }

        double batches = Epochs * (users.Length / options.BatchSize);
        // The expectation, not a count of one epoch: 400 epochs of draws land within 1% of it.
        Assert.Equal(masked / batches, trainer.MaskedPerBatch(users, sequences), masked / batches * 0.01);
    }

    // Reports on the training thread, in order (System.Progress would post them to the thread pool).
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private sealed class Log : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.TrainLoss is not null) TestContext.Current.TestOutputHelper?.WriteLine(value.Message);
        }
    }

    /// <summary>Users walk i, i + 1, i + 2, ... (mod N) from a random start, for 6 to 14 steps.</summary>
    internal static int[][] Successions(int users, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, users).Select(_ =>
        {
            int start = random.Next(Items), length = random.Next(6, 15);
            return Enumerable.Range(0, length).Select(j => (start + j) % Items).ToArray();
        }).ToArray();
    }

    private static ItemFeatures RandomFeatures(int items, int dimension, int seed)
    {
        var random = new Random(seed);
        return new ItemFeatures(Enumerable.Range(0, items * dimension).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray(), dimension);
    }
}
