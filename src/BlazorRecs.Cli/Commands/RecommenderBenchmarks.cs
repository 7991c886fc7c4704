using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Evaluation.Splits;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.Core.Torch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace BlazorRecs.Cli.Commands;

/// <summary><c>bench train</c>: BERT4Rec training throughput and its FLOP/s against a plain matmul in the same run.</summary>
internal static class RecommenderBenchmarks
{
    private static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    public static Command Train()
    {
        var dataset = new Option<string>("--dataset")
        {
            Description = "catalog (the configured data directory's plays; needs --backend vectors) or s3rec:PATH",
            DefaultValueFactory = _ => "catalog",
        };
        var backend = new Option<string?>("--backend") { Description = "catalog: the backend whose vectors are the items (default: random init)" };
        var batches = new Option<int>("--batches") { Description = "Timed training steps, over all rounds", DefaultValueFactory = _ => 60 };
        var rounds = new Option<int>("--rounds")
        {
            Description = "Stretches the timed steps are split into, with the baseline matmul timed for half a second before, between and after them",
            DefaultValueFactory = _ => 10,
        };
        var warmup = new Option<double>("--warmup")
        {
            Description = "Seconds of untimed training steps first (at least three steps): a fresh process takes seconds to reach its steady speed",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("train", "BERT4Rec training: sequences per second and achieved FLOP/s as a fraction of a plain matmul") { dataset, backend, batches, rounds, warmup };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(warmup) is < 0 or > 3600 or double.NaN)
            {
                Console.Error.WriteLine("--warmup takes a number of seconds from 0 to 3600");
                return 2;
            }

            if (parse.GetValue(batches) < 1 || parse.GetValue(rounds) < 1)
            {
                Console.Error.WriteLine("--batches and --rounds take whole numbers from 1");
                return 2;
            }

            using IHost host = CliHost.Build(parse.UnmatchedTokens);
            await host.StartAsync(ct);
            var runtime = host.Services.GetRequiredService<TorchRuntime>();
            var options = host.Services.GetRequiredService<IOptions<Bert4RecOptions>>().Value;
            var device = runtime.Device;
            string source = parse.GetValue(dataset)!;
            TrainingData data;
            if (source.StartsWith("s3rec:", StringComparison.OrdinalIgnoreCase))
            {
                var s3 = await S3RecDataset.LoadAsync(source["s3rec:".Length..], ct);
                data = LeaveOneOutSplit.Create(s3.ItemCount, s3.Sequences).TrainingData();
            }
            else
            {
                var split = await host.Services.GetRequiredService<RecommenderTraining>().SplitAsync(new TemporalSplitSettings(), ct);
                var features = parse.GetValue(backend) is { } b
                    ? await host.Services.GetRequiredService<CatalogData>().FeaturesAsync(b, split.TrackIds, ct)
                    : null;
                data = split.TrainingData(features);
            }

            Console.WriteLine($"device {device.type} ({runtime.DeviceDetail}); torch threads {torch.get_num_threads()}; " +
                              $"{data.UserCount} sequences, {data.ItemCount} items ({data.KnownItems.Length} known at training), {(data.Features is null ? "random init" : $"audio {data.Features.Dimension}-d")}; " +
                              $"hidden {options.Hidden}, {options.Layers} layers, batch {options.BatchSize}, max length {options.MaxLength}");

            // Rounds of training steps with the baseline matmul timed before, between and after them: each round is
            // compared with the matmuls on either side of it, so a change in the machine's load (these machines are
            // shared) moves both sides of a ratio together instead of skewing one figure against the other.
            int totalSteps = parse.GetValue(batches);
            int[] roundSteps = PairedRounds.Split(totalSteps, parse.GetValue(rounds));
            using var run = new Bert4RecTrainer(options, device).StartThroughput(data, TimeSpan.FromSeconds(parse.GetValue(warmup)), ct);
            var matmuls = new List<double> { MatmulFlops(device, 1024, MatmulTime) };
            var timed = new List<TimedSteps>();
            foreach (int steps in roundSteps)
            {
                timed.Add(run.Time(steps));
                matmuls.Add(MatmulFlops(device, 1024, MatmulTime));
            }

            double baseline = PairedRounds.Median(matmuls);
            var warm = run.Warmup;
            Console.WriteLine($"warm-up, not counted: {warm.Steps} steps in {F(warm.Seconds, "0.00")} s = {F(warm.SequencesPerSecond)} sequences/s; " +
                              $"{F(warm.FlopsPerSecond / 1e9)} GFLOP/s = {F(warm.FlopsPerSecond / baseline, "0.00")} of the median matmul");
            double[] fractions = PairedRounds.Ratios([.. timed.Select(t => t.FlopsPerSecond)], matmuls);
            for (int r = 0; r < timed.Count; r++)
            {
                Console.WriteLine($"round {r + 1}: {timed[r].Steps} steps, {F(timed[r].SequencesPerSecond)} sequences/s, {F(timed[r].FlopsPerSecond / 1e9)} GFLOP/s; " +
                                  $"plain matmul 1024x1024 (float32) around it {F(matmuls[r] / 1e9)} and {F(matmuls[r + 1] / 1e9)} GFLOP/s; fraction {F(fractions[r], "0.00")}");
            }

            long sequences = timed.Sum(t => t.Sequences);
            double seconds = timed.Sum(t => t.Seconds), flops = timed.Sum(t => t.Flops);
            Console.WriteLine($"BERT4Rec training: {sequences} sequences in {F(seconds, "0.00")} s = {F(sequences / seconds)} sequences/s; {F(flops / seconds / 1e9)} GFLOP/s; " +
                              $"plain matmul {F(matmuls.Min() / 1e9)}-{F(matmuls.Max() / 1e9)} GFLOP/s, median {F(baseline / 1e9)}");
            Console.WriteLine($"fraction of matmul: {F(PairedRounds.Median(fractions), "0.00")}, the median of {timed.Count} rounds ({F(fractions.Min(), "0.00")}-{F(fractions.Max(), "0.00")}); " +
                              $"all steps against the median matmul {F(flops / seconds / baseline, "0.00")} (goal >= 0.35)");
            if (matmuls.Max() > 1.4 * matmuls.Min())
            {
                // Load that comes and goes within a round is not paired away, and it moved the fraction both ways in
                // the runs the README reports.
                Console.WriteLine($"warning: the plain matmul varied {F(matmuls.Max() / matmuls.Min(), "0.00")}x during the run: the machine's load changed, " +
                                  "which moves this fraction either way; repeat the run, and trust the runs where the matmul held steady");
            }

            Console.WriteLine("where a step's time goes (further steps timed phase by phase; ms scaled to the measured step time):");
            double stepMs = 1000 * seconds / totalSteps;
            foreach (var (phase, share) in run.Phases(Math.Min(totalSteps, 20)))
            {
                Console.WriteLine($"  {phase,-52} {F(share * stepMs, "0.00"),8} ms/step  {F(100 * share),5} %");
            }

            // The model's largest matmul, alone: what its shape allows, as a ceiling for the whole step.
            int masked = (int)Math.Max(1, timed.Sum(t => t.MaskedPositions) / totalSteps);
            // The softmax ranks the known items (a temporal split's cold tracks are not in it).
            int softmaxItems = data.KnownItems.Length;
            double output = OutputLayerFlops(device, masked, options.Hidden, softmaxItems, TimeSpan.FromSeconds(3));
            Console.WriteLine($"output layer alone ({masked} masked x {options.Hidden} x {softmaxItems} items, logits and softmax cross-entropy, " +
                              $"forward and backward): {F(output / 1e9)} GFLOP/s = {F(output / baseline, "0.00")} of matmul");
            await host.StopAsync(ct);
            return 0;
        });
        return command;
    }

    // The output layer's training work for about the given time, as the step does it: logits of m hidden states
    // against n items, full-softmax cross-entropy, gradients into both; counted as 3 x the forward matmul, as the step is.
    private static double OutputLayerFlops(torch.Device device, int m, int hidden, int n, TimeSpan duration)
    {
        using var scope = torch.NewDisposeScope();
        var states = torch.randn(m, hidden, device: device).requires_grad_(true);
        var items = torch.randn(n, hidden, device: device).requires_grad_(true);
        var labels = torch.randint(0, n, m, device: device);
        void Step()
        {
            using var inner = torch.NewDisposeScope();
            states.grad?.zero_();
            items.grad?.zero_();
            FullSoftmaxCrossEntropy.Backward(states, items, null, labels, m);
        }

        Step();
        int runs = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            Step();
            runs++;
        }

        if (device.type == DeviceType.CUDA)
        {
            torch.cuda.synchronize();
        }

        return 3 * 2.0 * m * hidden * n * runs / clock.Elapsed.TotalSeconds;
    }

    private static readonly TimeSpan MatmulTime = TimeSpan.FromSeconds(0.5);

    // Repeated square matmuls for about the given time: 2 n^3 operations each.
    private static double MatmulFlops(torch.Device device, int n, TimeSpan duration)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(n, n, device: device);
        var b = torch.randn(n, n, device: device);
        torch.matmul(a, b).Dispose();
        int runs = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            torch.matmul(a, b).Dispose();
            runs++;
        }

        if (device.type == DeviceType.CUDA)
        {
            torch.cuda.synchronize();
        }

        return 2.0 * n * n * n * runs / clock.Elapsed.TotalSeconds;
    }
}
