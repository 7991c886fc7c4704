namespace BlazorRecs.Core.Embeddings.Audio;

/// <summary>
/// Which windows a model that pools over fixed-length windows looks at: the non-overlapping windows of a signal, all
/// of them or at most a given number evenly spaced, first and last included (MusiCNN's patch sampling for long
/// uploads, and the same for any ONNX backend).
/// </summary>
public static class EvenWindows
{
    /// <summary>
    /// The first frame (or sample) of each chosen window of <paramref name="windowLength"/> over
    /// <paramref name="length"/>. A signal shorter than one window still gives one window, starting at 0.
    /// </summary>
    public static int[] Starts(int length, int windowLength, int? max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowLength, 1);
        int available = Math.Max(1, length / windowLength);
        int take = max is { } m and > 0 ? Math.Min(m, available) : available;
        var starts = new int[take];
        for (int w = 0; w < take; w++)
        {
            int window = take == 1 ? 0 : (int)Math.Round((double)w * (available - 1) / (take - 1));
            starts[w] = window * windowLength;
        }

        return starts;
    }
}
