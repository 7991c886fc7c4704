using BlazorRecs.Core.Embeddings.Audio;

namespace BlazorRecs.Core.Embeddings.Mfcc;

/// <summary>
/// The paper's MFCC baseline (as in Music4All-Onion): 13 MFCCs per frame, pooled over the track into their mean (13)
/// and the upper triangle, diagonal included, of their 13x13 covariance (91): 104 values.
/// </summary>
/// <remarks>
/// Parameters are librosa's <c>feature.mfcc</c> defaults, so the numbers are comparable with the usual Python
/// pipelines: mono audio at 22,050 Hz; STFT n_fft 2048, hop 512, periodic Hann, centred with reflect padding; power
/// spectrum; 128 Slaney-scale, Slaney-normalised mel bands over 0-11,025 Hz; decibels 10 log10(max(mel, 1e-10)) clipped
/// 80 dB below the loudest bin of the track (power_to_db's top_db); orthonormal DCT-II, first 13 coefficients.
/// The covariance is the unbiased sample covariance (numpy.cov) over frames.
/// </remarks>
public static class MfccFeatures
{
    /// <summary>Coefficients per frame.</summary>
    public const int Coefficients = 13;

    /// <summary>The pooled vector's length: 13 means + 13*14/2 covariances.</summary>
    public const int Dimension = Coefficients + Coefficients * (Coefficients + 1) / 2;

    /// <summary>Bumped whenever the numbers this code computes change, so stored vectors are recomputed.</summary>
    public const string FeatureVersion = "mfcc-v1-librosa-defaults";

    /// <summary>The front end's settings (the log scale is unused: MFCCs take decibels).</summary>
    public static LogMelSettings Settings { get; } = new(22_050, 2048, 512, 128, 0, 11_025, 0);

    private static readonly LogMelSpectrogram FrontEnd = new(Settings);
    private static readonly double[,] Dct = OrthonormalDct(Settings.MelBands, Coefficients);

    /// <summary>Row-major [frames, 13] MFCCs of mono audio at <see cref="LogMelSettings.SampleRate"/>.</summary>
    public static double[] Frames(ReadOnlySpan<float> audio)
    {
        double[] mel = FrontEnd.MelPower(audio);
        int bands = Settings.MelBands, frames = mel.Length / bands;
        double peak = 1e-10;
        for (int i = 0; i < mel.Length; i++)
        {
            mel[i] = 10 * Math.Log10(Math.Max(mel[i], 1e-10));
            peak = i == 0 ? mel[i] : Math.Max(peak, mel[i]);
        }

        double floor = peak - 80;
        var mfcc = new double[frames * Coefficients];
        for (int f = 0; f < frames; f++)
        {
            for (int c = 0; c < Coefficients; c++)
            {
                double sum = 0;
                for (int m = 0; m < bands; m++)
                {
                    sum += Dct[c, m] * Math.Max(mel[f * bands + m], floor);
                }

                mfcc[f * Coefficients + c] = sum;
            }
        }

        return mfcc;
    }

    /// <summary>The 104-d track vector: the 13 means, then the covariance's upper triangle row by row.</summary>
    public static float[] TrackVector(ReadOnlySpan<float> audio)
    {
        double[] frames = Frames(audio);
        int n = frames.Length / Coefficients;
        if (n < 2)
        {
            throw new ArgumentException("At least two frames (about 50 ms) of audio are needed for a covariance.", nameof(audio));
        }

        var mean = new double[Coefficients];
        for (int f = 0; f < n; f++)
        {
            for (int c = 0; c < Coefficients; c++)
            {
                mean[c] += frames[f * Coefficients + c] / n;
            }
        }

        var vector = new float[Dimension];
        for (int c = 0; c < Coefficients; c++)
        {
            vector[c] = (float)mean[c];
        }

        int at = Coefficients;
        for (int i = 0; i < Coefficients; i++)
        {
            for (int j = i; j < Coefficients; j++)
            {
                double cov = 0;
                for (int f = 0; f < n; f++)
                {
                    cov += (frames[f * Coefficients + i] - mean[i]) * (frames[f * Coefficients + j] - mean[j]);
                }

                vector[at++] = (float)(cov / (n - 1));
            }
        }

        return vector;
    }

    // scipy.fftpack.dct(type=2, norm="ortho") as a matrix: row k = s_k cos(pi k (2m + 1) / 2M).
    internal static double[,] OrthonormalDct(int size, int rows)
    {
        var dct = new double[rows, size];
        for (int k = 0; k < rows; k++)
        {
            double scale = Math.Sqrt((k == 0 ? 1.0 : 2.0) / size);
            for (int m = 0; m < size; m++)
            {
                dct[k, m] = scale * Math.Cos(Math.PI * k * (2 * m + 1) / (2.0 * size));
            }
        }

        return dct;
    }
}
