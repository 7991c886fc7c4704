using System.Diagnostics;
using System.Globalization;
using BlazorRecs.Core.Embeddings.Audio;
using BlazorRecs.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Embeddings.Contrastive;

/// <summary>One epoch of contrastive training: its mean NT-Xent loss, and whether training ends after it because someone
/// asked it to finish early (not at its last epoch or its time budget).</summary>
public sealed record ContrastiveEpoch(int Epoch, double Loss, double Seconds, bool FinishedOnRequest = false);

/// <summary>
/// Trains <see cref="ContrastiveCnnNetwork"/> on mel spectrograms of the catalog's tracks. Each step takes a batch of
/// tracks and makes two views of each: two random chunks drawn independently from the track (so the views are
/// shifted against each other by anything from a frame to the whole track), each with its own random gain and
/// additive noise, then log-compressed. The NT-Xent loss pulls a track's two views together and pushes them from the
/// other tracks' views. Views from different moments (as in COLA) cannot be matched by their notes, only by what a
/// whole track shares: instruments, timbre, texture, rhythm; level and noise are augmented away.
/// </summary>
public sealed class ContrastiveCnnTrainer(ContrastiveCnnOptions options, Device device)
{
    private const double MaxGradientNorm = 5.0;

    /// <summary>
    /// Trains a new network on <paramref name="spectrograms"/> (mel power, row-major [frames, bands], one per track)
    /// and returns it with its loss per epoch. Stops at <see cref="ContrastiveCnnOptions.Epochs"/>, when the time budget
    /// is spent, or after the epoch in which <paramref name="finishEarly"/> is signalled, keeping what was learned.
    /// </summary>
    public (ContrastiveCnnNetwork Network, IReadOnlyList<ContrastiveEpoch> Epochs) Train(
        IReadOnlyList<float[]> spectrograms, IProgress<ContrastiveEpoch>? progress, CancellationToken cancellationToken,
        CancellationToken finishEarly = default)
    {
        if (spectrograms.Count < 2)
        {
            throw new ArgumentException("Contrastive training needs at least two tracks with audio.", nameof(spectrograms));
        }

        random.manual_seed(options.Seed);
        var rng = new Random(options.Seed);
        var network = new ContrastiveCnnNetwork(options.BaseChannels);
        network.to(device);
        network.train();
        using var optimizer = FusedAdam.For(device, network.parameters(), options.LearningRate);
        int batch = Math.Min(options.BatchSize, spectrograms.Count);
        int[] order = Enumerable.Range(0, spectrograms.Count).ToArray();
        var epochs = new List<ContrastiveEpoch>();
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            rng.Shuffle(order);
            double lossSum = 0;
            int steps = 0;
            // Every batch has the same size (the last, short one is dropped), so each loss is over the same task.
            for (int start = 0; start + batch <= order.Length; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var views = tensor(Views(spectrograms, order.AsSpan(start, batch), rng), [2L * batch, 1, options.MelBands, options.ChunkFrames]);
                optimizer.zero_grad();
                var loss = ContrastiveCnnNetwork.NtXent(network.call(views.to(device)), options.Temperature);
                float value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"Contrastive training diverged in epoch {epoch} (NT-Xent {value}); nothing was saved. Lower BlazorRecs:ContrastiveCnn:LearningRate (now {options.LearningRate})."));
                }

                loss.backward();
                // Clipping keeps one batch of near-identical views from throwing the weights off.
                nn.utils.clip_grad_norm_(network.parameters(), MaxGradientNorm);
                optimizer.step();
                lossSum += value;
                steps++;
            }

            double seconds = clock.Elapsed.TotalSeconds;
            bool outOfTime = options.TimeBudget is { } budget && seconds >= budget.TotalSeconds;
            bool asked = finishEarly.IsCancellationRequested;
            var report = new ContrastiveEpoch(epoch, lossSum / Math.Max(1, steps), seconds, asked && !outOfTime && epoch < options.Epochs);
            epochs.Add(report);
            progress?.Report(report);
            if (outOfTime || asked)
            {
                break;
            }
        }

        network.eval();
        return (network, epochs);
    }

    /// <summary>
    /// The track vector of a log-mel spectrogram's chunks (row-major [chunks, frames, bands], as
    /// <see cref="LogMelSpectrogram.ComputeWindows"/> gives): the mean of the chunk embeddings, L2-normalised.
    /// </summary>
    public static float[] Embed(ContrastiveCnnNetwork network, float[] logMelChunks, int chunks, int frames, int bands, Device device)
    {
        var input = new float[logMelChunks.Length];
        for (int c = 0; c < chunks; c++)
        {
            Transpose(logMelChunks.AsSpan(c * frames * bands, frames * bands), frames, bands, input.AsSpan(c * frames * bands, frames * bands));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var x = tensor(input, [chunks, 1, bands, frames]);
        var mean = network.call(x.to(device)).mean([0]);
        return nn.functional.normalize(mean, p: 2, dim: 0).cpu().data<float>().ToArray();
    }

    // Two augmented views per track, band-major for the network: [2 * tracks, bands, frames], the first views of all
    // tracks, then the second views in the same order (NT-Xent's pairing of rows i and i + N).
    private float[] Views(IReadOnlyList<float[]> spectrograms, ReadOnlySpan<int> tracks, Random rng)
    {
        int bands = options.MelBands, frames = options.ChunkFrames, size = bands * frames, n = tracks.Length;
        var output = new float[2 * n * size];
        var chunk = new float[size];
        for (int i = 0; i < n; i++)
        {
            float[] mel = spectrograms[tracks[i]];
            int available = mel.Length / bands, last = Math.Max(0, available - frames);
            for (int view = 0; view < 2; view++)
            {
                int offset = rng.Next(last + 1);
                int count = Math.Min(frames, available - offset);
                Array.Clear(chunk);
                mel.AsSpan(offset * bands, count * bands).CopyTo(chunk);
                Augment(chunk, count * bands, rng);
                Transpose(chunk, frames, bands, output.AsSpan((view * n + i) * size, size));
            }
        }

        return output;
    }

    // Gain (a factor on the power) and white noise at a random SNR (per-bin noise power exponentially distributed,
    // as the power of Gaussian noise in one frequency bin is), then the front end's log10(1 + C * mel).
    private void Augment(Span<float> power, int filled, Random rng)
    {
        double gain = Math.Pow(10, (rng.NextDouble() * 2 - 1) * options.MaxGainDb / 10);
        double snr = options.MinSnrDb + rng.NextDouble() * (options.MaxSnrDb - options.MinSnrDb);
        double mean = 0;
        for (int i = 0; i < filled; i++)
        {
            mean += power[i];
        }

        double noise = mean / Math.Max(1, filled) * gain * Math.Pow(10, -snr / 10);
        double scale = options.FrontEnd.LogScale;
        // Frames past the end of a short track stay 0, the log-mel of silence, as inference pads them.
        for (int i = 0; i < filled; i++)
        {
            double x = power[i] * gain + noise * -Math.Log(1 - rng.NextDouble());
            power[i] = (float)Math.Log10(1 + scale * x);
        }
    }

    // [frames, bands] row-major to [bands, frames].
    private static void Transpose(ReadOnlySpan<float> frameMajor, int frames, int bands, Span<float> bandMajor)
    {
        for (int f = 0; f < frames; f++)
        {
            for (int b = 0; b < bands; b++)
            {
                bandMajor[b * frames + f] = frameMajor[f * bands + b];
            }
        }
    }
}
