using BlazorRecs.Core.Embeddings.Audio;

namespace BlazorRecs.Core.Tests.Embeddings;

public sealed class LogMelWindowsTests
{
    private static readonly LogMelSpectrogram FrontEnd = new(LogMelSettings.Musicnn);

    [Theory]
    [InlineData(40.0, 4)] // more windows than asked for: evenly spaced, the first at the reflect-padded start
    [InlineData(40.0, 0)] // every window
    [InlineData(6.5, 16)] // fewer windows than asked for
    public void Windows_are_the_matching_rows_of_the_full_spectrogram(double seconds, int max)
    {
        float[] audio = Chirp((int)(seconds * 16_000));
        const int window = 187, bands = 96;
        float[] full = FrontEnd.Compute(audio);
        int frames = full.Length / bands;

        float[] windows = FrontEnd.ComputeWindows(audio, window, max > 0 ? max : null, out int count);

        int[] starts = EvenWindows.Starts(frames, window, max > 0 ? max : null);
        Assert.Equal(starts.Length, count);
        Assert.Equal(count * window * bands, windows.Length);
        for (int w = 0; w < count; w++)
        {
            AssertClose(full.AsSpan(starts[w] * bands, window * bands), windows.AsSpan(w * window * bands, window * bands));
        }
    }

    [Fact]
    public void A_clip_shorter_than_one_window_gives_one_window_padded_with_silence()
    {
        float[] audio = Chirp(16_000); // 1 s: 63 frames of a 187-frame window
        float[] full = FrontEnd.Compute(audio);

        float[] windows = FrontEnd.ComputeWindows(audio, 187, 16, out int count);

        Assert.Equal(1, count);
        AssertClose(full, windows.AsSpan(0, full.Length));
        Assert.All(windows.AsSpan(full.Length).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(1000, 187, 16, new[] { 0, 187, 374, 561, 748 })] // 5 whole windows, fewer than 16
    [InlineData(1000, 187, 2, new[] { 0, 748 })]                  // first and last
    [InlineData(1000, 100, 4, new[] { 0, 300, 600, 900 })]        // evenly spaced over 10
    [InlineData(50, 187, 16, new[] { 0 })]                        // shorter than one window
    [InlineData(1000, 187, null, new[] { 0, 187, 374, 561, 748 })]
    public void Even_windows_are_spread_over_the_signal_first_and_last_included(int length, int window, int? max, int[] expected)
        => Assert.Equal(expected, EvenWindows.Starts(length, window, max));

    // The same frames, computed in FFT batches of another size: libtorch's batched FFT may round the last bit
    // differently with the batch's shape on some CPUs, so "the same" is to float precision, not bit for bit.
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > 1e-5f * Math.Max(1f, Math.Abs(expected[i])))
            {
                Assert.Fail($"value {i}: expected {expected[i]}, got {actual[i]}");
            }
        }
    }

    private static float[] Chirp(int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = i / 16_000.0;
            x[i] = (float)(0.5 * Math.Sin(2 * Math.PI * (100 + 300 * t) * t) + 0.1 * Math.Sin(2 * Math.PI * 3000 * t));
        }

        return x;
    }
}
