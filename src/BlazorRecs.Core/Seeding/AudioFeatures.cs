using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace BlazorRecs.Core.Seeding;

/// <summary>Energy and brightness measured from PCM, each mapped to [0, 1] on scales calibrated on the seed catalog's
/// own range (quiet ambient pads to dense metal), so the numbers spread across the interval.</summary>
public static class AudioFeatures
{
    private const int FrameSize = 2048;

    /// <summary>Energy: RMS level in dBFS mapped linearly from -40 dB (0) to -10 dB (1). Brightness: the energy-weighted
    /// mean spectral centroid, mapped logarithmically from 250 Hz (0) to 4 kHz (1).</summary>
    public static (double Energy, double Brightness) Measure(ReadOnlySpan<float> mono, int sampleRate)
    {
        if (mono.Length < FrameSize)
        {
            return (0, 0);
        }

        double sumSquares = 0;
        foreach (float x in mono)
        {
            sumSquares += x * (double)x;
        }

        double rms = Math.Sqrt(sumSquares / mono.Length);
        double db = 20 * Math.Log10(Math.Max(rms, 1e-9));
        double energy = Math.Clamp((db + 40) / 30, 0, 1);

        // Every other frame is plenty for a mean centroid and halves the cost.
        var spectrum = new Complex[FrameSize];
        double weightedCentroid = 0, weights = 0;
        for (int start = 0; start + FrameSize <= mono.Length; start += FrameSize * 2)
        {
            for (int i = 0; i < FrameSize; i++)
            {
                double hann = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / FrameSize);
                spectrum[i] = new Complex(mono[start + i] * hann, 0);
            }

            Fourier.Forward(spectrum, FourierOptions.Matlab);
            double num = 0, den = 0;
            for (int k = 1; k < FrameSize / 2; k++)
            {
                double magnitude = spectrum[k].Magnitude;
                num += magnitude * k * sampleRate / (double)FrameSize;
                den += magnitude;
            }

            if (den > 1e-6)
            {
                weightedCentroid += num;
                weights += den;
            }
        }

        double centroid = weights > 0 ? weightedCentroid / weights : 0;
        double brightness = centroid <= 0 ? 0 : Math.Clamp(Math.Log2(centroid / 250) / 4, 0, 1);
        return (Math.Round(energy, 4), Math.Round(brightness, 4));
    }
}
