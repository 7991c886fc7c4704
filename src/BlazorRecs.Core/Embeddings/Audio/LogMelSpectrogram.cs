using TorchSharp;

namespace BlazorRecs.Core.Embeddings.Audio;

/// <summary>How a log-mel front end is computed; <see cref="Musicnn"/> is the input MusiCNN was trained on.</summary>
/// <param name="SampleRate">Expected sample rate of the mono input.</param>
/// <param name="FftSize">STFT window and FFT length (n_fft).</param>
/// <param name="HopLength">Samples between frames.</param>
/// <param name="MelBands">Number of mel bands.</param>
/// <param name="MinHz">Lowest filter edge.</param>
/// <param name="MaxHz">Highest filter edge.</param>
/// <param name="LogScale">Multiplier C in log10(1 + C * mel).</param>
public sealed record LogMelSettings(int SampleRate, int FftSize, int HopLength, int MelBands, double MinHz, double MaxHz, double LogScale)
{
    /// <summary>musicnn's own extractor (librosa defaults): 16 kHz, n_fft 512, hop 256, 96 Slaney mel bands over
    /// 0-8000 Hz with Slaney area normalisation, log10(1 + 10000 mel). See ../shared/models/musicnn/README.md.</summary>
    public static LogMelSettings Musicnn { get; } = new(16_000, 512, 256, 96, 0, 8000, 10_000);
}

/// <summary>
/// A log-compressed mel spectrogram: centred frames (reflect-padded by n_fft/2 at both ends), a periodic Hann window,
/// the power spectrum, a Slaney-scale, Slaney-normalised mel filterbank, then log10(1 + C * mel). This reproduces
/// librosa's <c>melspectrogram</c> as musicnn calls it; the filterbank is built once per settings.
/// </summary>
public sealed class LogMelSpectrogram
{
    private readonly LogMelSettings _settings;
    private readonly double[] _window;
    private readonly (int First, double[] Weights)[] _filters;

    // Frames transformed per libtorch call: large enough to amortise the call, small enough to stay in cache.
    private const int FramesPerBatch = 256;

    /// <summary>Builds the window and filterbank for <paramref name="settings"/>.</summary>
    public LogMelSpectrogram(LogMelSettings settings)
    {
        if (settings.FftSize <= 0 || (settings.FftSize & (settings.FftSize - 1)) != 0)
        {
            throw new ArgumentException($"FftSize must be a power of two, got {settings.FftSize}.", nameof(settings));
        }

        _settings = settings;
        _window = new double[settings.FftSize];
        for (int n = 0; n < settings.FftSize; n++)
        {
            _window[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / settings.FftSize); // periodic Hann
        }

        _filters = SlaneyFilterbank(settings);
    }

    /// <summary>The settings this front end computes.</summary>
    public LogMelSettings Settings => _settings;

    /// <summary>Number of frames <see cref="Compute"/> returns for <paramref name="samples"/> samples.</summary>
    public int FrameCount(int samples) => 1 + samples / _settings.HopLength;

    /// <summary>The log-mel spectrogram of mono <paramref name="audio"/>, row-major [frames, bands]:
    /// log10(1 + C * mel) of <see cref="MelPower"/>.</summary>
    public float[] Compute(ReadOnlySpan<float> audio)
    {
        var output = new float[FrameCount(audio.Length) * _settings.MelBands];
        ComputeFrames(audio, 0, audio.IsEmpty ? 0 : FrameCount(audio.Length), output);
        return output;
    }

    /// <summary>
    /// Log-mel windows of <paramref name="windowFrames"/> frames for a model that pools over windows, row-major
    /// [windows, windowFrames, bands]: the non-overlapping windows of the whole spectrogram, or at most
    /// <paramref name="maxWindows"/> of them evenly spaced (<see cref="EvenWindows"/>). Only the frames inside the chosen
    /// windows are computed, each as <see cref="Compute"/> computes it, so a long upload costs what its windows
    /// cost (the same values to float precision: FFT batches differ). Audio shorter than one window gives one window padded with zeros (log-mel of silence).
    /// </summary>
    public float[] ComputeWindows(ReadOnlySpan<float> audio, int windowFrames, int? maxWindows, out int windows)
    {
        if (audio.IsEmpty)
        {
            throw new ArgumentException("No audio to analyse.", nameof(audio));
        }

        int frames = FrameCount(audio.Length), bands = _settings.MelBands;
        int[] starts = EvenWindows.Starts(frames, windowFrames, maxWindows);
        var output = new float[starts.Length * windowFrames * bands];
        for (int w = 0; w < starts.Length; w++)
        {
            int count = Math.Min(windowFrames, frames - starts[w]);
            ComputeFrames(audio, starts[w], count, output.AsSpan(w * windowFrames * bands, count * bands));
        }

        windows = starts.Length;
        return output;
    }

    /// <summary>The mel-filtered power spectrogram of mono <paramref name="audio"/>, row-major [frames, bands],
    /// before any log compression (front ends differ in how they compress it).</summary>
    public double[] MelPower(ReadOnlySpan<float> audio)
    {
        if (audio.IsEmpty)
        {
            return [];
        }

        int frames = FrameCount(audio.Length);
        var output = new double[frames * _settings.MelBands];
        MelFrames(audio, 0, frames, output);
        return output;
    }

    private void ComputeFrames(ReadOnlySpan<float> audio, int first, int count, Span<float> output)
    {
        var mel = new double[count * _settings.MelBands];
        MelFrames(audio, first, count, mel);
        for (int i = 0; i < mel.Length; i++)
        {
            output[i] = (float)Math.Log10(1 + _settings.LogScale * mel[i]);
        }
    }

    // Frames first..first+count-1, row-major [count, bands] into output. Each frame is the window over the centred,
    // reflect-padded signal (padded by n_fft/2 at both ends, as numpy.pad's "reflect": the edge sample is not
    // repeated), its unscaled real FFT (numpy's rfft) in float64, the power spectrum and the sparse mel filterbank.
    // The FFTs run batched in libtorch (pocketfft), about ten times faster than a managed FFT per frame.
    private void MelFrames(ReadOnlySpan<float> audio, int first, int count, Span<double> output)
    {
        int nFft = _settings.FftSize, bins = nFft / 2 + 1, bands = _settings.MelBands;
        int block = Math.Min(count, FramesPerBatch);
        var windowed = new double[block * nFft];
        var power = new double[block * bins];
        for (int done = 0; done < count; done += block)
        {
            int m = Math.Min(block, count - done);
            for (int f = 0; f < m; f++)
            {
                Window(audio, first + done + f, windowed.AsSpan(f * nFft, nFft));
            }

            using (var scope = torch.NewDisposeScope())
            {
                var spectrum = torch.view_as_real(torch.fft.rfft(torch.tensor(windowed, [block, nFft]).narrow(0, 0, m), dim: 1));
                var re = spectrum.select(2, 0);
                var im = spectrum.select(2, 1);
                (re * re + im * im).contiguous().data<double>().CopyTo(power, 0);
            }

            for (int f = 0; f < m; f++)
            {
                ReadOnlySpan<double> p = power.AsSpan(f * bins, bins);
                Span<double> row = output.Slice((done + f) * bands, bands);
                for (int b = 0; b < bands; b++)
                {
                    var (lowest, weights) = _filters[b];
                    double sum = 0;
                    for (int k = 0; k < weights.Length; k++)
                    {
                        sum += weights[k] * p[lowest + k];
                    }

                    row[b] = sum;
                }
            }
        }
    }

    private void Window(ReadOnlySpan<float> audio, int frameIndex, Span<double> frame)
    {
        int nFft = _settings.FftSize, n = audio.Length;
        int offset = frameIndex * _settings.HopLength - nFft / 2;
        if (offset >= 0 && offset + nFft <= n)
        {
            for (int i = 0; i < nFft; i++)
            {
                frame[i] = audio[offset + i] * _window[i];
            }
        }
        else
        {
            for (int i = 0; i < nFft; i++)
            {
                frame[i] = audio[Reflect(offset + i, n)] * _window[i];
            }
        }
    }

    // Audio shorter than the pad is reflected repeatedly.
    private static int Reflect(int i, int n)
    {
        if (n == 1)
        {
            return 0;
        }

        int period = 2 * (n - 1);
        i %= period;
        if (i < 0)
        {
            i += period;
        }

        return i < n ? i : period - i;
    }

    internal static double HzToMelSlaney(double hz)
    {
        const double fSp = 200.0 / 3, minLogHz = 1000, minLogMel = minLogHz / fSp;
        double logStep = Math.Log(6.4) / 27;
        return hz < minLogHz ? hz / fSp : minLogMel + Math.Log(hz / minLogHz) / logStep;
    }

    internal static double MelToHzSlaney(double mel)
    {
        const double fSp = 200.0 / 3, minLogHz = 1000, minLogMel = minLogHz / fSp;
        double logStep = Math.Log(6.4) / 27;
        return mel < minLogMel ? mel * fSp : minLogHz * Math.Exp(logStep * (mel - minLogMel));
    }

    // librosa.filters.mel(htk=False, norm="slaney"): triangles between mel-spaced edges, each scaled by
    // 2 / (upper edge - lower edge) so that every band has the same area. Stored sparsely (first bin + weights).
    private static (int First, double[] Weights)[] SlaneyFilterbank(LogMelSettings s)
    {
        int bins = s.FftSize / 2 + 1;
        var fftHz = new double[bins];
        for (int k = 0; k < bins; k++)
        {
            fftHz[k] = (double)k * s.SampleRate / s.FftSize;
        }

        double minMel = HzToMelSlaney(s.MinHz), maxMel = HzToMelSlaney(s.MaxHz);
        var edges = new double[s.MelBands + 2];
        for (int i = 0; i < edges.Length; i++)
        {
            edges[i] = MelToHzSlaney(minMel + (maxMel - minMel) * i / (s.MelBands + 1));
        }

        var filters = new (int, double[])[s.MelBands];
        for (int m = 0; m < s.MelBands; m++)
        {
            double lower = edges[m], centre = edges[m + 1], upper = edges[m + 2];
            double norm = 2.0 / (upper - lower);
            var weights = new double[bins];
            int first = -1, last = -1;
            for (int k = 0; k < bins; k++)
            {
                double rising = (fftHz[k] - lower) / (centre - lower);
                double falling = (upper - fftHz[k]) / (upper - centre);
                double w = Math.Max(0, Math.Min(rising, falling)) * norm;
                weights[k] = w;
                if (w > 0)
                {
                    first = first < 0 ? k : first;
                    last = k;
                }
            }

            filters[m] = first < 0 ? (0, []) : (first, weights[first..(last + 1)]);
        }

        return filters;
    }
}
