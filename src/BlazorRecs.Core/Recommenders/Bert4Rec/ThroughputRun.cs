using System.Diagnostics;
using BlazorRecs.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Recommenders.Bert4Rec;

/// <summary>
/// A warmed-up BERT4Rec training loop kept for timing (<see cref="Bert4RecTrainer.StartThroughput"/>): its network,
/// optimizer and batch stream survive between <see cref="Time"/> calls, so a benchmark can time its baseline in the
/// gaps and compare the two under the same load on the machine.
/// </summary>
public sealed class ThroughputRun : IDisposable
{
    private readonly Bert4RecTrainer _trainer;
    private readonly Device _device;
    private readonly TrainingData _data;
    private readonly CancellationToken _cancellationToken;
    private readonly Random _random;
    private readonly Bert4RecNetwork _network;
    private readonly optim.Optimizer _optimizer;
    private readonly Bert4RecTrainer.SoftmaxItems _softmaxItems;
    private readonly int[] _users;
    private readonly double _maskedPerBatch;
    private List<int[]> _pool = [];

    private ThroughputRun(Bert4RecTrainer trainer, Bert4RecOptions options, Device device, TrainingData data, CancellationToken cancellationToken)
    {
        if (!data.Sequences.Any(s => s.Length > 0))
        {
            throw new ArgumentException("There are no training sequences to time.", nameof(data));
        }

        _trainer = trainer;
        _device = device;
        _data = data;
        _cancellationToken = cancellationToken;
        manual_seed(options.Seed);
        _random = new Random(options.Seed);
        _network = new Bert4RecNetwork(options, data.ItemCount, data.Features?.Dimension ?? 0);
        try
        {
            _network.to(device);
            if (data.Features is not null)
            {
                using var items = TorchCheckpoint.Standardised(data.Features, FeatureScaling.Of(data.Features, data.KnownItems), device);
                _network.SetFeatures(items);
            }

            _network.train();
            _optimizer = FusedAdam.For(device, _network.parameters(), options.LearningRate);
            _softmaxItems = new Bert4RecTrainer.SoftmaxItems(data, device);
        }
        catch
        {
            _optimizer?.Dispose();
            _network.Dispose();
            throw;
        }

        _users = Bert4RecTrainer.UsersWithHistory(data);
        _maskedPerBatch = trainer.MaskedPerBatch(_users, data.Sequences);
    }

    /// <summary>The untimed warm-up steps that ran before the first <see cref="Time"/>.</summary>
    public WarmupFigures Warmup { get; private set; }

    internal static ThroughputRun Start(Bert4RecTrainer trainer, Bert4RecOptions options, Device device, TrainingData data, TimeSpan warmup, CancellationToken cancellationToken)
    {
        var run = new ThroughputRun(trainer, options, device, data, cancellationToken);
        try
        {
            var clock = Stopwatch.StartNew();
            long steps = 0, sequences = 0;
            double flops = 0;
            while (steps < 3 || clock.Elapsed < warmup)
            {
                var (rows, _, stepFlops) = run.NextStep(null);
                steps++;
                sequences += rows;
                flops += stepFlops;
            }

            Bert4RecTrainer.Synchronize(device);
            run.Warmup = new WarmupFigures(steps, sequences, clock.Elapsed.TotalSeconds, flops);
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Times <paramref name="steps"/> training steps, counting the floating-point operations of each from its
    /// real shapes (<see cref="Bert4RecTrainer.TrainingFlops"/>).</summary>
    public TimedSteps Time(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        long sequences = 0, masked = 0;
        double flops = 0;
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < steps; step++)
        {
            var (rows, stepMasked, stepFlops) = NextStep(null);
            sequences += rows;
            masked += stepMasked;
            flops += stepFlops;
        }

        Bert4RecTrainer.Synchronize(_device);
        return new TimedSteps(steps, sequences, clock.Elapsed.TotalSeconds, flops, masked);
    }

    /// <summary>Each phase's share of a step's time, in step order, from <paramref name="steps"/> further steps timed
    /// phase by phase (apart from <see cref="Time"/>: on a GPU, timing phases waits for the device at each boundary,
    /// which would slow the steps it counts).</summary>
    public IReadOnlyDictionary<string, double> Phases(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var phases = new Bert4RecTrainer.StepPhases(_device);
        for (int step = 0; step < steps; step++)
        {
            phases.Start();
            NextStep(phases);
        }

        return phases.Shares();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _softmaxItems.Dispose();
        _optimizer.Dispose();
        _network.Dispose();
    }

    // One training step on the next batch: its sequences, masked positions and floating-point operations.
    private (int Sequences, int Masked, double Flops) NextStep(Bert4RecTrainer.StepPhases? phases)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (_pool.Count == 0)
        {
            _pool = _trainer.Batches(_users, _data.Sequences, _random);
        }

        var batch = _pool[^1];
        _pool.RemoveAt(_pool.Count - 1);
        var (length, masked) = _trainer.StepWithShape(_network, _optimizer, batch, _data, _softmaxItems, _maskedPerBatch, _random, phases);
        return (batch.Length, masked,
            _trainer.TrainingFlops(batch.Length, length, masked, _softmaxItems.Count, _data.ItemCount, _data.Features?.Dimension ?? 0));
    }
}

/// <summary>One stretch of timed training steps.</summary>
/// <param name="Steps">Training steps timed.</param>
/// <param name="Sequences">Training sequences (batch rows) they held.</param>
/// <param name="Seconds">Their wall time.</param>
/// <param name="Flops">Their floating-point operations.</param>
/// <param name="MaskedPositions">Masked positions they scored against every item.</param>
public readonly record struct TimedSteps(int Steps, long Sequences, double Seconds, double Flops, long MaskedPositions)
{
    /// <summary>Sequences per second.</summary>
    public double SequencesPerSecond => Sequences / Seconds;

    /// <summary>Achieved floating-point operations per second.</summary>
    public double FlopsPerSecond => Flops / Seconds;
}

/// <summary>The warm-up steps of a throughput measurement: how many, the sequences they held, their wall time and floating-point operations.</summary>
public readonly record struct WarmupFigures(long Steps, long Sequences, double Seconds, double Flops)
{
    /// <summary>Sequences per second.</summary>
    public double SequencesPerSecond => Sequences / Seconds;

    /// <summary>Achieved floating-point operations per second.</summary>
    public double FlopsPerSecond => Flops / Seconds;
}
