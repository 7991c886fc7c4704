using BlazorRecs.Core.Embeddings.Mfcc;

namespace BlazorRecs.Core.Tests.Embeddings;

public sealed class MfccFeaturesTests
{
    private const int Rate = 22_050;

    [Fact]
    public void The_track_vector_is_104_values_means_then_the_covariance_upper_triangle()
    {
        float[] audio = Noise(3 * Rate, seed: 1, amplitude: 0.2f);

        float[] vector = MfccFeatures.TrackVector(audio);
        double[] frames = MfccFeatures.Frames(audio);

        Assert.Equal(104, vector.Length);
        int n = frames.Length / 13;
        Assert.Equal(1 + audio.Length / 512, n);
        for (int c = 0; c < 13; c++)
        {
            double mean = Enumerable.Range(0, n).Average(f => frames[f * 13 + c]);
            Assert.Equal(mean, vector[c], 3);
        }

        // Variances (the diagonal of the covariance) come first in each row of the triangle and are non-negative.
        int at = 13;
        for (int i = 0; i < 13; i++)
        {
            Assert.True(vector[at] >= 0, $"variance of c{i} is {vector[at]}");
            at += 13 - i;
        }

        Assert.Equal(104, at);
    }

    [Fact]
    public void The_dct_is_orthonormal()
    {
        double[,] dct = MfccFeatures.OrthonormalDct(128, 13);
        for (int a = 0; a < 13; a++)
        {
            for (int b = 0; b < 13; b++)
            {
                double dot = Enumerable.Range(0, 128).Sum(m => dct[a, m] * dct[b, m]);
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 9);
            }
        }
    }

    [Fact]
    public void A_louder_signal_has_a_higher_c0_and_a_tone_differs_from_noise()
    {
        float[] quiet = Noise(2 * Rate, seed: 2, amplitude: 0.01f);
        float[] loud = Noise(2 * Rate, seed: 2, amplitude: 0.3f);
        float[] tone = Enumerable.Range(0, 2 * Rate).Select(i => 0.3f * MathF.Sin(2 * MathF.PI * 440 * i / Rate)).ToArray();

        float[] q = MfccFeatures.TrackVector(quiet), l = MfccFeatures.TrackVector(loud), t = MfccFeatures.TrackVector(tone);

        Assert.True(l[0] > q[0] + 20, $"c0 loud {l[0]} vs quiet {q[0]}");
        // White noise has a flat spectrum (small higher coefficients); a 440 Hz tone does not.
        Assert.True(Math.Abs(t[1]) > Math.Abs(l[1]) + 10, $"c1 tone {t[1]} vs noise {l[1]}");
        Assert.Equal(MfccFeatures.TrackVector(loud), l);
    }

    private static float[] Noise(int samples, int seed, float amplitude)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, samples).Select(_ => amplitude * (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }
}
