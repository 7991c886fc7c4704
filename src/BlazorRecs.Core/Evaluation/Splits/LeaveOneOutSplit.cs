using BlazorRecs.Core.Recommenders;

namespace BlazorRecs.Core.Evaluation.Splits;

/// <summary>
/// Leave-one-out, as the literature datasets are evaluated (S3Rec, ICLRec, BERT4Rec papers): per user, the last item is
/// the test target (the model sees the whole prefix), the one before it the validation target, the rest is training.
/// Users with fewer than three items are kept for training only.
/// </summary>
public sealed record LeaveOneOutSplit(int ItemCount, int[][] Train, IReadOnlyList<EvaluationCase> Validation, IReadOnlyList<EvaluationCase> Test)
{
    /// <summary>Splits per-user sequences (item indices in time order).</summary>
    public static LeaveOneOutSplit Create(int itemCount, IReadOnlyList<int[]> sequences)
    {
        var train = new int[sequences.Count][];
        var validation = new List<EvaluationCase>();
        var test = new List<EvaluationCase>();
        for (int user = 0; user < sequences.Count; user++)
        {
            int[] seq = sequences[user];
            if (seq.Length < 3)
            {
                train[user] = seq;
                continue;
            }

            train[user] = seq[..^2];
            int[] validationInput = seq[..^2];
            int[] testInput = seq[..^1];
            // The published protocol ranks every item but the user's own history.
            validation.Add(new EvaluationCase(user, validationInput, [seq[^2]], Distinct(validationInput)));
            test.Add(new EvaluationCase(user, testInput, [seq[^1]], Distinct(testInput)));
        }

        return new(itemCount, train, validation, test);
    }

    /// <summary>The training data for a model (no content vectors: literature datasets have no audio).</summary>
    public TrainingData TrainingData(ItemFeatures? features = null) => new(ItemCount, Train, Validation, features);

    /// <summary>
    /// Everything known when the test items are predicted: each user's sequence without its last item (training plus
    /// validation). Models without a training loop (popularity) count these, as the published PopRec does; the test
    /// items themselves never appear.
    /// </summary>
    public TrainingData KnownAtTest() =>
        new(ItemCount, Train.Select((train, user) => TestInputOf(user) ?? train).ToArray(), [], null);

    private int[]? TestInputOf(int user) => _testByUser.Value.TryGetValue(user, out var c) ? c.History : null;

    private readonly Lazy<Dictionary<int, EvaluationCase>> _testByUser = new(() => Test.ToDictionary(c => c.User));

    private static int[] Distinct(int[] items) => items.Distinct().ToArray();
}
