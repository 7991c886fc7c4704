using System.Diagnostics;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Recommenders.Bert4Rec;

/// <summary>
/// Trains BERT4Rec with the masked-item (cloze) objective: full-softmax cross-entropy over all items at the masked
/// positions only, Adam, ReduceLROnPlateau and early stopping on a validation metric, keeping the best weights.
/// Batches are padded only to their own longest sequence, and sequences of similar length are batched together, so
/// short histories (most of them) cost little. The loss is summed over a batch's masked positions and divided by the
/// average count per batch (<see cref="MaskedPerBatch"/>), so that grouping by length does not change what is learned.
/// </summary>
public sealed class Bert4RecTrainer(Bert4RecOptions options, Device device)
{
    /// <summary>Trains on <paramref name="data"/>; with <see cref="TrainingData.Features"/> the items are projected audio
    /// vectors, without them a learned table (random init).</summary>
    /// <param name="data">Sequences, validation cases and, for the audio variant, the item vectors.</param>
    /// <param name="progress">Receives progress within and after each epoch.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <param name="finishEarly">Ends training after the current epoch, keeping the best weights so far.</param>
    public Bert4RecRecommender Train(TrainingData data, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken,
        CancellationToken finishEarly = default)
    {
        torch.manual_seed(options.Seed);
        var random = new Random(options.Seed);
        FeatureScaling? scaling = data.Features is null ? null : FeatureScaling.Of(data.Features, data.KnownItems);
        var network = new Bert4RecNetwork(options, data.ItemCount, data.Features?.Dimension ?? 0);
        network.to(device);
        var model = new Bert4RecRecommender(network, options, scaling, device);
        try
        {
            if (data.Features is not null)
            {
                model.SetItems(data.Features);
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

    /// <summary>
    /// Starts a throughput measurement on <paramref name="data"/>: a fresh network and optimizer, then untimed warm-up
    /// steps, at least three and as many more as <paramref name="warmup"/> takes. A fresh process needs seconds of steps
    /// before it runs at its steady speed, mostly while .NET recompiles the hot managed code (TorchSharp's wrappers among
    /// it) in tiers as it profiles it: in one instrumented run on the default demo the first 100 steps ran at 0.91 of the
    /// next 300's FLOP/s, and at 0.97 with the runtime's profile-guided tier turned off (<c>DOTNET_TieredPGO=0</c>).
    /// The run then times as many stretches of steps as its caller asks for (<see cref="ThroughputRun.Time"/>), so a
    /// benchmark can time its baseline between them.
    /// </summary>
    public ThroughputRun StartThroughput(TrainingData data, TimeSpan warmup, CancellationToken cancellationToken)
        => ThroughputRun.Start(this, options, device, data, warmup, cancellationToken);

    /// <summary>
    /// Floating-point operations of one training step (forward plus backward, taken as 3x the forward matmuls, the
    /// usual estimate; elementwise work is not counted): per layer the QKV, output and feed-forward projections and
    /// the two attention products; then the full-softmax logits of the masked positions over the items the softmax
    /// ranks, and for audio items the projection of every item vector.
    /// </summary>
    internal double TrainingFlops(int batch, int length, int masked, int softmaxItems, int items, int featureDimension)
    {
        double t = (double)batch * length, h = options.Hidden, f = options.FeedForward;
        double perLayer = 6 * t * h * h + 2 * t * h * h + 4 * t * f * h + 4.0 * batch * length * length * h;
        double forward = options.Layers * perLayer + 2.0 * masked * h * softmaxItems + 2.0 * items * featureDimension * h;
        return 3 * forward;
    }

    private void TrainLoop(Bert4RecRecommender model, TrainingData data, Random random, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken, CancellationToken finishEarly)
    {
        var network = model.Network;
        using var optimizer = FusedAdam.For(device, network.parameters(), options.LearningRate);
        using var stopping = new EarlyStopping(network, optimizer, options.PlateauFactor, options.PlateauPatience, options.Patience,
            options.TimeBudget, options.MaxEpochs, options.ValidationMetric, finishEarly);
        int cutoff = EarlyStopping.CutoffOf(options.ValidationMetric);
        using var softmaxItems = new SoftmaxItems(data, device);
        int[] users = UsersWithHistory(data);
        double maskedPerBatch = MaskedPerBatch(users, data.Sequences);
        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            network.train();
            var batches = Batches(users, data.Sequences, random);
            double lossSum = 0;
            for (int b = 0; b < batches.Count; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = MaskedBatch(batches[b], data.Sequences, data.ItemCount, random);
                lossSum += Step(network, optimizer, batch, batches[b].Length, softmaxItems, maskedPerBatch);
                if (b % 20 == 0)
                {
                    progress?.Report(new TrainingProgress((epoch - 1 + (double)b / batches.Count) / options.MaxEpochs, epoch,
                        $"epoch {epoch}: batch {b + 1}/{batches.Count}"));
                }
            }

            model.ForgetItemVectors();
            double? score = data.Validation.Count == 0
                ? null
                : RankingEvaluator.Evaluate(model, data.Validation, [cutoff], data.ValidationCandidates, cancellationToken: cancellationToken)[options.ValidationMetric];
            if (stopping.AfterEpoch(epoch, lossSum / Math.Max(1, batches.Count), score, progress))
            {
                break;
            }
        }

        stopping.RestoreBest();
        model.ForgetItemVectors();
    }

    // The users a step can draw: those with a training sequence.
    internal static int[] UsersWithHistory(TrainingData data) => [.. Enumerable.Range(0, data.UserCount).Where(u => data.Sequences[u].Length > 0)];

    // Random order, then sequences of similar length grouped into the same batch (within windows of 50 batches, so
    // the order stays random), then the batches shuffled.
    internal List<int[]> Batches(int[] users, int[][] sequences, Random random)
    {
        var order = users.ToArray();
        random.Shuffle(order);
        int window = options.BatchSize * 50;
        var batches = new List<int[]>();
        for (int start = 0; start < order.Length; start += window)
        {
            var chunk = order.Skip(start).Take(window).OrderBy(u => Math.Min(sequences[u].Length, options.MaxLength)).ToArray();
            for (int b = 0; b < chunk.Length; b += options.BatchSize)
            {
                batches.Add(chunk[b..Math.Min(chunk.Length, b + options.BatchSize)]);
            }
        }

        var shuffled = batches.ToArray();
        random.Shuffle(shuffled);
        return [.. shuffled];
    }

    /// <summary>
    /// The masked positions a batch holds on average over an epoch (the expectation under <see cref="MaskedBatch"/>'s
    /// masking). Each batch's summed loss is divided by this one constant rather than by its own count, so every masked
    /// position weighs the same however the batches are composed: with a per-batch mean, a batch of short histories
    /// (one or two masked positions a row) would give each of its positions several times the weight of a position in
    /// a batch of long ones, and length bucketing would quietly retrain the model towards short histories.
    /// </summary>
    internal double MaskedPerBatch(int[] users, int[][] sequences)
    {
        double p = options.MaskProbability, last = 1 - (1 - p) * (1 - options.FinalMaskProbability);
        double total = 0;
        foreach (int u in users)
        {
            int keep = Math.Min(sequences[u].Length, options.MaxLength);
            // keep - 1 positions masked with p, the last with 'last', and one forced when none was drawn.
            total += (keep - 1) * p + last + Math.Pow(1 - p, keep - 1) * (1 - last);
        }

        double batches = Math.Ceiling((double)users.Length / options.BatchSize);
        return Math.Max(1, total / Math.Max(1, batches));
    }

    internal (int Length, int Masked) StepWithShape(
        Bert4RecNetwork network, optim.Optimizer optimizer, int[] batchUsers, TrainingData data, SoftmaxItems softmaxItems, double maskedPerBatch,
        Random random, StepPhases? phases)
    {
        var batch = MaskedBatch(batchUsers, data.Sequences, data.ItemCount, random);
        phases?.Lap("batch assembly (masking, padding)");
        Step(network, optimizer, batch, batchUsers.Length, softmaxItems, maskedPerBatch, phases);
        phases?.Lap("the step's tensors freed");
        return (batch.Tokens.Length, batch.Positions.Length);
    }

    private double Step(
        Bert4RecNetwork network, optim.Optimizer optimizer, ((long[] Ids, int Length) Tokens, long[] Positions, long[] Labels) batch, int rows,
        SoftmaxItems softmaxItems, double maskedPerBatch, StepPhases? phases = null)
    {
        using var scope = NewDisposeScope();
        var (tokens, positions, labels) = batch;
        int batchRows = rows;
        using var tokenTensor = tensor(tokens.Ids, [batchRows, tokens.Length], device: device);
        using var positionTensor = tensor(positions, device: device);
        using var labelTensor = tensor(softmaxItems.Labels(labels), device: device);
        optimizer.zero_grad();
        phases?.Lap("batch to tensors, gradients zeroed");
        var items = network.ItemVectors();
        var hidden = network.Encode(tokenTensor, items);
        var masked = hidden.reshape(-1, hidden.shape[2]).index_select(0, positionTensor);
        phases?.Lap("forward: item vectors and encoder");
        double loss = network.BackwardCloze(masked, items, labelTensor, maskedPerBatch, phases is null ? null : phases.Lap, softmaxItems.Subset);
        phases?.Lap("backward through the encoder and item vectors");
        optimizer.step();
        phases?.Lap("Adam step");
        return loss;
    }

    // The items the training softmax ranks: the known ones. All of them on a leave-one-out dataset (the literature's
    // protocol ranks the whole vocabulary); in a temporal split, not the tracks released after the cutoff, which to a
    // model trained at the cutoff do not exist yet (they are ranked later from their audio, as any new track is).
    internal sealed class SoftmaxItems : IDisposable
    {
        private readonly long[]? _positionOf;

        public SoftmaxItems(TrainingData data, Device device)
        {
            int[] items = data.KnownItems;
            Count = items.Length;
            if (items.Length < data.ItemCount)
            {
                if (data.Sequences.SelectMany(s => s).FirstOrDefault(i => data.ReleasedLater![i], -1) is var late and >= 0)
                {
                    throw new ArgumentException($"item {late} is marked as released after the training data, yet a training sequence holds it", nameof(data));
                }

                Subset = tensor(items.Select(i => (long)i).ToArray(), device: device);
                _positionOf = new long[data.ItemCount];
                Array.Fill(_positionOf, -1);
                for (int i = 0; i < items.Length; i++)
                {
                    _positionOf[items[i]] = i;
                }
            }
        }

        /// <summary>How many items the softmax ranks.</summary>
        public int Count { get; }

        /// <summary>Their indices, or null when they are all the items.</summary>
        public Tensor? Subset { get; }

        /// <summary>Item indices as positions among the ranked items.</summary>
        public long[] Labels(long[] items) => _positionOf is null ? items : [.. items.Select(i => _positionOf[i])];

        public void Dispose() => Subset?.Dispose();
    }

    // Waits for the device's queued work (a no-op on the CPU), so that a clock read next covers it.
    internal static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            cuda.synchronize();
        }
    }

    // Wall time per phase of a step, for the benchmark's split (waits for the GPU at each lap on CUDA).
    internal sealed class StepPhases(Device device)
    {
        private readonly Stopwatch _clock = new();

        private Dictionary<string, double> Seconds { get; } = [];

        public void Start() => _clock.Restart();

        // Each phase's share of the steps' whole time, in step order.
        public IReadOnlyDictionary<string, double> Shares()
        {
            double total = Seconds.Values.Sum();
            return Seconds.ToDictionary(p => p.Key, p => total > 0 ? p.Value / total : 0);
        }

        public void Lap(string phase)
        {
            Synchronize(device);

            Seconds[phase] = Seconds.GetValueOrDefault(phase) + _clock.Elapsed.TotalSeconds;
            _clock.Restart();
        }
    }

    /// <summary>
    /// One training batch: each sequence's most recent (or, for long ones, a random window of) MaxLength items,
    /// left-padded; a share of positions, and in some rows the last position, replaced by [MASK]. Returns the flat
    /// indices of the masked positions and their true items.
    /// </summary>
    internal ((long[] Ids, int Length) Tokens, long[] Positions, long[] Labels) MaskedBatch(int[] batchUsers, int[][] sequences, int itemCount, Random random)
    {
        int pad = itemCount, mask = itemCount + 1;
        int length = batchUsers.Max(u => Math.Min(sequences[u].Length, options.MaxLength));
        var ids = new long[batchUsers.Length * length];
        Array.Fill(ids, pad);
        var positions = new List<long>();
        var labels = new List<long>();
        for (int r = 0; r < batchUsers.Length; r++)
        {
            int[] seq = sequences[batchUsers[r]];
            int keep = Math.Min(seq.Length, options.MaxLength);
            int from = seq.Length > keep ? random.Next(seq.Length - keep + 1) : 0;
            int row = r * length + (length - keep);
            bool maskLast = random.NextDouble() < options.FinalMaskProbability;
            int maskedInRow = 0;
            for (int i = 0; i < keep; i++)
            {
                int item = seq[from + i];
                bool masked = random.NextDouble() < options.MaskProbability || (maskLast && i == keep - 1);
                ids[row + i] = masked ? mask : item;
                if (masked)
                {
                    positions.Add(row + i);
                    labels.Add(item);
                    maskedInRow++;
                }
            }

            if (maskedInRow == 0)
            {
                // Every row teaches something: mask one position at random.
                int i = random.Next(keep);
                ids[row + i] = mask;
                positions.Add(row + i);
                labels.Add(seq[from + i]);
            }
        }

        return ((ids, length), positions.ToArray(), labels.ToArray());
    }

}
