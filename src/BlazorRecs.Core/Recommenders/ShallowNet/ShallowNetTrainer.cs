using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Recommenders.ShallowNet;

/// <summary>
/// Trains Shallow Net as the paper does: every (user, item) of the training sequences is a positive, each with
/// <see cref="ShallowNetOptions.Negatives"/> random users as negatives for the same item; hinge loss
/// max(0, margin - cos(u, i) + cos(u', i)); Adam, ReduceLROnPlateau and early stopping on validation.
/// One difference from the paper's code, as the issue asks: its <c>Embedding.from_pretrained</c> freezes the
/// precomputed user table too (PyTorch's default), here the user table is trained from its mean-of-items start.
/// </summary>
public sealed class ShallowNetTrainer(ShallowNetOptions options, Device device)
{
    /// <summary>Trains on <paramref name="data"/>; with <see cref="TrainingData.Features"/> the frozen audio variant,
    /// without them random init. <paramref name="finishEarly"/> ends training after the current epoch, keeping the best
    /// weights so far.</summary>
    public ShallowNetRecommender Train(TrainingData data, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken,
        CancellationToken finishEarly = default)
    {
        torch.manual_seed(options.Seed);
        var random = new Random(options.Seed);
        FeatureScaling? scaling = data.Features is null ? null : FeatureScaling.Of(data.Features, data.KnownItems);
        int dimension = data.Features?.Dimension ?? options.RandomInitDimension;
        var network = new ShallowNetNetwork(data.UserCount, data.Features is null ? data.ItemCount : 0, dimension, options.Hidden);
        network.to(device);
        var model = new ShallowNetRecommender(network, options, scaling, device);
        try
        {
            if (data.Features is not null)
            {
                model.SetItems(data.Features);
                using var means = UserMeans(network.ItemTable, data.Sequences);
                network.InitialiseUsers(means);
            }

            TrainLoop(model, data, random, progress, cancellationToken, finishEarly);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // Each user's starting point: the mean of their items' vectors (zeros for a user without items).
    private Tensor UserMeans(Tensor items, int[][] sequences)
    {
        using var scope = NewDisposeScope();
        var rows = sequences.Select(seq => seq.Length == 0
            ? zeros(items.shape[1], device: device)
            : items.index_select(0, tensor(seq.Select(i => (long)i).ToArray(), device: device)).mean([0])).ToList();
        return stack(rows).DetachFromDisposeScope();
    }

    private void TrainLoop(ShallowNetRecommender model, TrainingData data, Random random, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken, CancellationToken finishEarly)
    {
        var network = model.Network;
        using var optimizer = FusedAdam.For(device, network.parameters(), options.LearningRate);
        using var stopping = new EarlyStopping(network, optimizer, options.PlateauFactor, options.PlateauPatience, options.Patience,
            options.TimeBudget, options.MaxEpochs, options.ValidationMetric, finishEarly);
        int cutoff = EarlyStopping.CutoffOf(options.ValidationMetric);
        var pairs = data.Sequences.SelectMany((seq, user) => seq.Distinct().Select(item => (User: user, Item: item))).ToArray();
        if (pairs.Length == 0)
        {
            throw new ArgumentException("Shallow Net needs at least one training interaction.", nameof(data));
        }

        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            network.train();
            random.Shuffle(pairs);
            int batches = (pairs.Length + options.BatchSize - 1) / options.BatchSize;
            double lossSum = 0;
            for (int b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = pairs.AsSpan(b * options.BatchSize, Math.Min(options.BatchSize, pairs.Length - b * options.BatchSize));
                lossSum += Step(network, optimizer, batch, data.UserCount, random);
                if (b % 50 == 0)
                {
                    progress?.Report(new TrainingProgress((epoch - 1 + (double)b / batches) / options.MaxEpochs, epoch, $"epoch {epoch}: batch {b + 1}/{batches}"));
                }
            }

            model.ForgetItemVectors();
            double? score = data.Validation.Count == 0
                ? null
                : RankingEvaluator.Evaluate(model, data.Validation, [cutoff], data.ValidationCandidates, cancellationToken: cancellationToken)[options.ValidationMetric];
            if (stopping.AfterEpoch(epoch, lossSum / batches, score, progress))
            {
                break;
            }
        }

        stopping.RestoreBest();
        model.ForgetItemVectors();
    }

    private double Step(ShallowNetNetwork network, optim.Optimizer optimizer, ReadOnlySpan<(int User, int Item)> batch, int userCount, Random random)
    {
        using var scope = NewDisposeScope();
        int n = batch.Length, k = options.Negatives;
        var users = new long[n];
        var items = new long[n];
        var negatives = new long[n * k];
        for (int i = 0; i < n; i++)
        {
            users[i] = batch[i].User;
            items[i] = batch[i].Item;
            for (int j = 0; j < k; j++)
            {
                negatives[i * k + j] = random.Next(userCount);
            }
        }

        optimizer.zero_grad();
        var u = network.Transform(network.UserTable.index_select(0, tensor(users, device: device)));
        var it = network.Transform(network.ItemTable.index_select(0, tensor(items, device: device)));
        var un = network.Transform(network.UserTable.index_select(0, tensor(negatives, device: device))).view(n, k, -1);
        var positive = (u * it).sum(-1).unsqueeze(1);
        var negative = (un * it.unsqueeze(1)).sum(-1);
        var loss = nn.functional.relu(options.Margin - positive + negative).mean();
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
