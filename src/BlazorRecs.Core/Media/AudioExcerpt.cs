using BlazorRecs.Core.Embeddings.Audio;

namespace BlazorRecs.Core.Media;

/// <summary>A stretch of a recording: where it starts and how long it is, in seconds.</summary>
public readonly record struct AudioExcerpt(double StartSeconds, double LengthSeconds)
{
    /// <summary>Starts are put on this grid (20 ms): a whole number of samples at 16, 22.05, 44.1 and 48 kHz alike.</summary>
    public const double GridSeconds = 0.02;

    /// <summary>
    /// <paramref name="count"/> excerpts of <paramref name="lengthSeconds"/> spread evenly over
    /// <paramref name="durationSeconds"/>, first and last included, at the non-overlapping windows that
    /// <see cref="EvenWindows"/> picks (so with MusiCNN's patch length they are the patches MusiCNN would sample from
    /// the whole recording). Starts are moved back onto the 20 ms grid, never past the end.
    /// </summary>
    public static IReadOnlyList<AudioExcerpt> Spread(double durationSeconds, int count, double lengthSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(lengthSeconds, GridSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(durationSeconds, lengthSeconds);
        int windowMs = (int)Math.Round(lengthSeconds * 1000);
        return EvenWindows.Starts((int)Math.Floor(durationSeconds * 1000), windowMs, count)
            .Select(ms => new AudioExcerpt(Math.Floor(ms / 1000.0 / GridSeconds + 1e-9) * GridSeconds, lengthSeconds))
            .ToList();
    }
}
