namespace BlazorRecs.Core.Recommenders;

/// <summary>
/// Who to rank for: a user index known at training time (or -1 for someone new) and their history as item indices
/// in the order they were first heard. Models that do not know the user work from the history alone.
/// </summary>
/// <param name="User">The training-time user index, or -1.</param>
/// <param name="History">Item indices, oldest first.</param>
public readonly record struct RankingQuery(int User, int[] History);

/// <summary>A trained recommender: scores every item of its item space for a batch of queries.</summary>
public interface IRecommender : IDisposable
{
    /// <summary>The model family, for example <c>bert4rec</c>.</summary>
    string Model { get; }

    /// <summary>How many items it scores (indices 0 to ItemCount - 1).</summary>
    int ItemCount { get; }

    /// <summary>Writes queries.Count rows of <see cref="ItemCount"/> scores into <paramref name="scores"/>, row-major;
    /// higher is better. Excluding already heard items is the caller's business.</summary>
    void Score(IReadOnlyList<RankingQuery> queries, Span<float> scores);
}

/// <summary>
/// Content vectors of the items (one frozen audio embedding per item), row-major, as the models get them.
/// </summary>
/// <param name="Values">ItemCount x Dimension values.</param>
/// <param name="Dimension">The vector length.</param>
public sealed record ItemFeatures(float[] Values, int Dimension)
{
    /// <summary>How many items have vectors.</summary>
    public int Count => Values.Length / Dimension;

    /// <summary>One item's vector.</summary>
    public ReadOnlySpan<float> Row(int item) => Values.AsSpan(item * Dimension, Dimension);

    /// <summary>
    /// Each dimension shifted to mean 0 and scaled to standard deviation 1 with the given statistics, so MFCC's raw
    /// scales (energies in the hundreds next to covariances near 0) do not dominate a projection. Statistics come from
    /// training items and are stored with a model, so an item that arrives later is standardised the same way.
    /// </summary>
    public ItemFeatures Standardise(FeatureScaling scaling)
    {
        var values = new float[Values.Length];
        for (int i = 0; i < Count; i++)
        {
            for (int d = 0; d < Dimension; d++)
            {
                values[i * Dimension + d] = (Values[i * Dimension + d] - scaling.Mean[d]) / scaling.Scale[d];
            }
        }

        return new(values, Dimension);
    }
}

/// <summary>Per-dimension mean and scale (standard deviation, at least a small epsilon).</summary>
/// <param name="Mean">Per-dimension mean.</param>
/// <param name="Scale">Per-dimension standard deviation.</param>
public sealed record FeatureScaling(float[] Mean, float[] Scale)
{
    /// <summary>Statistics of the vectors of <paramref name="items"/> (indices into <paramref name="features"/>), or of
    /// every item when null. Trainers pass <see cref="TrainingData.KnownItems"/>, so that tracks released after a
    /// split's cutoff do not shape the statistics a model is trained with.</summary>
    public static FeatureScaling Of(ItemFeatures features, IReadOnlyList<int>? items = null)
    {
        int d = features.Dimension;
        var mean = new double[d];
        var square = new double[d];
        int count = items?.Count ?? features.Count;
        for (int r = 0; r < count; r++)
        {
            var row = features.Row(items?[r] ?? r);
            for (int j = 0; j < d; j++)
            {
                mean[j] += row[j];
                square[j] += (double)row[j] * row[j];
            }
        }

        int n = Math.Max(1, count);
        var scale = new float[d];
        for (int j = 0; j < d; j++)
        {
            mean[j] /= n;
            double variance = Math.Max(0, square[j] / n - mean[j] * mean[j]);
            scale[j] = (float)Math.Max(Math.Sqrt(variance), 1e-6);
        }

        return new(mean.Select(m => (float)m).ToArray(), scale);
    }
}

/// <summary>
/// What every trainer gets: the training sequences per user and, for content models, the items' vectors; plus the
/// validation cases for early stopping.
/// </summary>
/// <param name="ItemCount">Items are 0 to ItemCount - 1.</param>
/// <param name="Sequences">Per user (index = user), the items in order of first listen.</param>
/// <param name="Validation">Validation cases for early stopping (may be empty: then training runs its epoch budget).</param>
/// <param name="Features">The items' content vectors, or null where there is no audio (literature datasets).</param>
/// <param name="ValidationCandidates">The items validation may rank, as the test that follows ranks them (the
/// temporal split's hot test: tracks seen in training), or null for all.</param>
/// <param name="ReleasedLater">Items that did not exist yet when the training data ends (a temporal split's cold
/// tracks, first heard after the cutoff), or null for none (a literature dataset's whole vocabulary is known).</param>
public sealed record TrainingData(
    int ItemCount, int[][] Sequences, IReadOnlyList<Evaluation.EvaluationCase> Validation, ItemFeatures? Features,
    bool[]? ValidationCandidates = null, bool[]? ReleasedLater = null)
{
    /// <summary>How many users there are.</summary>
    public int UserCount => Sequences.Length;

    /// <summary>The items a model trained on this data may know, ascending: all but <see cref="ReleasedLater"/>. The
    /// others are ranked later from their audio, as any new track is, and take no part in training.</summary>
    public int[] KnownItems => [.. Enumerable.Range(0, ItemCount).Where(i => ReleasedLater is null || !ReleasedLater[i])];
}

/// <summary>A trainer's report: where it is, and (after an epoch) the training loss and the validation score.</summary>
/// <param name="Fraction">0 to 1 of the epoch budget.</param>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Message">A line for people.</param>
/// <param name="TrainLoss">The mean training loss of the epoch just finished, or null mid-epoch.</param>
/// <param name="ValidationScore">The validation metric after the epoch just finished, or null.</param>
/// <param name="FinishedOnRequest">Training ends after this epoch because someone asked it to finish early.</param>
public readonly record struct TrainingProgress(double Fraction, int Epoch, string Message, double? TrainLoss = null, double? ValidationScore = null,
    bool FinishedOnRequest = false);

/// <summary>
/// A recommender whose items are audio vectors (no per-item parameters): its item set can be replaced after training,
/// so a track added to the catalog later is ranked from its embedding without retraining.
/// </summary>
public interface IContentRecommender : IRecommender
{
    /// <summary>Whether this instance uses audio vectors (false: a random-init variant with a fixed item table).</summary>
    bool UsesAudio { get; }

    /// <summary>Replaces the items with these vectors (raw, as the backend gives them).</summary>
    void SetItems(ItemFeatures features);
}
